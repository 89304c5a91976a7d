"""Chapter 03: prose numbers asserted by tests/test_lessons_03.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    # "both models beat the best possible single rule by more than 10 points" (and the checklist)
    "10": "test_trees_beat_the_best_single_rule_by_at_least_10_points",
}

ALLOWED: dict[str, str] = {
    "2,100": "sum of the two prices set in code (100 + 2,000), not an output",
    "20": "ratio of the two prices set in code (2,000 / 100), not an output",
    "40": "exercise 03.4's bridge story (a city's 40 bridges), not an output",
    "12": "exercise 03.4's bridge story (12 failures in its records), not an output",
    "30": "exercise 03.4's bridge story (records of 30 years), not an output",
}
