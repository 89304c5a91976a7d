"""Chapter 01: prose numbers asserted by tests/test_lessons_01.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    "30": "test_the_numbers_the_prose_quotes",  # 0.902 offline - 0.604 at launch = 30 points
    # the broker experiment: "drop by only 5 to 10 points ... approval rate by less than 10
    # points" (printed 5s and 10s elsewhere match them only by chance)
    "5": "test_the_numbers_the_prose_quotes",
    "10": "test_the_numbers_the_prose_quotes",
}

ALLOWED: dict[str, str] = {
    "2015": "year of the cited paper (Sculley et al., NeurIPS 2015)",
    "52": "worked illustration of the unit mix-up (52 thousand read as 52 dollars), not an output",
    "52,000": "worked illustration of the unit mix-up (52 thousand read as 52 dollars), not an output",
}
