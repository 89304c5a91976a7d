"""Chapter 00 · start here."""

from __future__ import annotations

from typing import Any

from mlsys_helpers._keys import Exercise, equals, text_is


def _first_draw_of_seed_42(answer: Any) -> bool:
    import numpy as np

    expected = int(np.random.default_rng(42).integers(0, 100))
    return isinstance(answer, (int, np.integer)) and int(answer) == expected


EXERCISES = (
    Exercise(
        "00.1",
        text_is("monitor"),
        "Serving is where predictions meet the world; monitoring is how you find out what happened.",
        "Look at the map of stations at the top of this chapter: what watches a served model?",
    ),
    Exercise(
        "00.2",
        _first_draw_of_seed_42,
        "A Generator made from the same seed replays the same draws, on every machine.",
        "Make a fresh `np.random.default_rng(42)` and call `.integers(0, 100)` once on it.",
    ),
    Exercise(
        "00.3",
        equals(False),
        "Reusing one Generator moves it forward: the second call gives new numbers. Re-create it "
        "(or re-run the seeding cell) to replay.",
        "Call `rng.normal()` twice on the *same* generator and compare the two results.",
    ),
)
