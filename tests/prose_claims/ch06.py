"""Chapter 06: prose numbers asserted by tests/test_lessons_06.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    # the drift lab: its stream and window (defaults of drift_lab_compute) and the experiments
    "6,000": "test_the_lab_numbers_the_prose_quotes",
    "250": "test_the_lab_numbers_the_prose_quotes",
    "0.67": "test_the_lab_numbers_the_prose_quotes",
    # "about 2 mm" (also printed by chance in other cells)
    "2": "test_the_gauge_fault_reads_about_2_mm_too_high_and_a_wind_fault_is_harmless",
}

ALLOWED: dict[str, str] = {
    "2012": "first year of the vega-datasets weather file (the data set's span, 2012-2015)",
}
