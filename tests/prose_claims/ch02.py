"""Chapter 02: prose numbers asserted by tests/test_lessons_02.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    "20": "test_shortcut_collapses_live_while_honest_model_holds",  # "loses more than 20 points"
    # the noise-scale experiment: "more confident on this noise (about 0.96)"; a printed 0.959
    # (the offline accuracy) matches it only by chance
    "0.96": "test_tiny_noise_still_gets_confident_logistic_answers",
}

ALLOWED: dict[str, str] = {
    "40": "end of the temperature sweep the code draws (np.arange(-15.0, 40.5, 0.5) stops at 40)",
}
