"""Chapter 08: prose numbers asserted by tests/test_lessons_08.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    "3,000": "test_expensive_retraining_widens_the_triggers_lead",
    "25": "test_the_numbers_of_sections_2_and_4_on_the_notebook_seed",
    "64": "test_the_numbers_of_sections_2_and_4_on_the_notebook_seed",
}

ALLOWED: dict[str, str] = {
    "28": "last week of the gradual drift: start 20 * WEEK plus width 8 * WEEK in the code",
    "5,000": "the better model's training rows, 10 * PER_WEEK in the code",
    "4,500": "5,000 minus 500: the extra labels, arithmetic on the two training sizes",
}
