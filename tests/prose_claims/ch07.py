"""Chapter 07: prose numbers asserted by tests/test_lessons_07.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    "1,400": "test_a_shift_of_0_05_standard_deviations_is_about_1400_dollars",
    "201": "test_one_window_cannot_rank_the_two_mmds_both_p_values_sit_at_the_floor",
    "70": "test_the_alert_counts_and_label_shares_the_prose_quotes",
    "250": "test_the_dashboard_experiments_of_section_8",  # the dashboard's window experiment
}

ALLOWED: dict[str, str] = {
    "0.95": "1 - alpha in the formula 1 - 0.95^10, arithmetic on the chapter's alpha",
    "60": "the mean label delay of defaults set in the code (delay='60D')",
}
