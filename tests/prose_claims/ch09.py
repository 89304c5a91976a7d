"""Chapter 09: prose numbers asserted by tests/test_lessons_09.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {}

ALLOWED: dict[str, str] = {
    "0.05": "default mix_tolerance of mh.quality's label-mix check (a library parameter)",
}
