"""Chapter 05: prose numbers asserted by tests/test_lessons_05.py, and numbers not about an output.

Format: see tests/prose_claims/__init__.py.
"""

TESTED: dict[str, str | tuple[str, str, str]] = {
    "0.04": "test_a_unit_change_sends_an_age_of_about_0_04_which_the_guard_refuses",
    # the NOISE_RATE experiment (six seeds); 0.85 and 3 also appear in printed outputs by chance
    "15": "test_noisier_stream_experiment",
    "0.85": "test_noisier_stream_experiment",
    "3": "test_noisier_stream_experiment",
    # the timeout experiment: 60 ms -> a fifth time out; 100 ms -> p99 of 101 ms
    "60": "test_timeout_experiment",
    "101": "test_timeout_experiment",
}

ALLOWED: dict[str, str] = {
    "2.3": "the app version in the story, not a measurement",
    "35": "0.35 written as a percentage, the illustration of the scaling skew",
    "24": "the window of mh.serve.training_serving_skew: 24 rows, one row an hour in the loan world",
    "2,048": "uvicorn's listen backlog, the default of mh.serve.serve_http (backlog=2_048)",
    "503": "HTTP status of a refused connection, asserted in tests/test_http.py",
    "413": "HTTP status of a body over the limit, asserted in tests/test_http.py",
}
