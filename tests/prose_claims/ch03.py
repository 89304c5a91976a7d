"""Chapter 03: prose numbers asserted by tests/test_lessons_03.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {}

ALLOWED: dict[str, str] = {}
