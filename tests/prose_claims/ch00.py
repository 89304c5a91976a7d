"""Chapter 00: prose numbers asserted by tests/test_lessons_00.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    "90": (
        "test_with_labels_90_days_late_the_first_accuracy_alert_comes_months_after_the_drift",
        'pd.Timedelta("90D")',
        "the label delay is a Timedelta, not a numeric literal",
    ),
}

ALLOWED: dict[str, str] = {}
