"""Chapter 10: prose numbers asserted by tests/test_lessons_10.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    "24": "test_alpha_spending_stops_a_true_win_early_but_needs_a_longer_horizon_for_full_power",
    "150": "test_the_first_model_declines_the_brokers_about_150_a_week",
    "0.13": "test_the_blind_spot_numbers_the_prose_quotes",
    "0.07": "test_the_blind_spot_numbers_the_prose_quotes",
}

ALLOWED: dict[str, str] = {
    "30": "the test length exercise 10.2 asks for (a parameter of the question)",
    "20": "1 / 0.05, the inverse of the 5 % exploration rate",
}
