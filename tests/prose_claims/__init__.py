"""Where each number in a chapter's prose comes from, for tests/test_prose_numbers.py.

One module per chapter, ``tests/prose_claims/chNN.py``, with two dicts:

``TESTED``
    number as the prose writes it (``"0.887"``, ``"28,436"``, ``"12 %"``) -> the lesson-test
    function that asserts it, as ``"test_name"`` (in tests/test_lessons_NN.py) or
    ``"test_lessons_07_metrics.py::test_name"``. The checker reads that function's code (not
    its comments) and requires a numeric literal in it that equals the number at the prose's
    precision (``"89%"`` is held by ``0.89`` or ``0.887``; ``"30"`` points by ``30`` or
    ``0.30``). An entry can also be ``("test_name", "equivalent", "why")``: the equivalent
    text must appear in the function's code (for a number the test derives, e.g. ``"90"``
    days from ``pd.Timedelta("90D")``).
``ALLOWED``
    number as the prose writes it -> why it is not about an output (a year in the story, a
    count of questions, a Python version). Keep it short: the extraction already ignores
    inline code, links, heading section numbers, exercise ids and list markers.

Numbers not in either dict must be printed by a cell of the executed notebook or appear as a
literal in one of its code cells. An entry whose number no longer appears in the prose fails the
check, so the dicts cannot go stale.
"""

from __future__ import annotations
