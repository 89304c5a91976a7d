"""Chapter 00 · start here."""

from __future__ import annotations

from mlsys_helpers._keys import Exercise, Text, WholeNumber, equals

DRAW_SEED, DRAW_HIGH = 7, 1000  # exercise 00.2: not the chapter's SEED = 42 (its slider shows that)


def _first_draw(seed: int = DRAW_SEED) -> int:
    import numpy as np

    return int(np.random.default_rng(seed).integers(0, DRAW_HIGH))


def _wrong_draws() -> dict:
    import numpy as np

    gen = np.random.default_rng(DRAW_SEED)
    gen.integers(0, DRAW_HIGH)
    return {
        "the chapter's seed 42": _first_draw(42),
        "the second draw of the same generator": int(gen.integers(0, DRAW_HIGH)),
        "the legacy np.random.seed(7) + randint": int(
            np.random.RandomState(DRAW_SEED).randint(0, DRAW_HIGH)
        ),
        "integers(0, 100) as in the slider": int(np.random.default_rng(DRAW_SEED).integers(0, 100)),
    }


EXERCISES = (
    Exercise(
        "00.1",
        Text("monitor"),
        "Serving is where predictions meet the world; monitoring is how you find out what happened.",
        "Look at the map of stations at the top of this chapter: what watches a served model?",
        wrong=lambda: {"the station before": "serve", "training": "train", "the loop": "loop"},
    ),
    Exercise(
        "00.2",
        WholeNumber(_first_draw),
        "A Generator made from the same seed replays the same draws, on every machine.",
        "Make a fresh generator from the seed the exercise names (not the chapter's `SEED`) and "
        "draw once with `.integers`; mind the upper bound.",
        wrong=_wrong_draws,
    ),
    Exercise(
        "00.3",
        equals(False),
        "Reusing one Generator moves it forward: the second call gives new numbers. Re-create it "
        "(or re-run the seeding cell) to replay.",
        "Make one generator, call its `.normal()` twice and compare the two results.",
        wrong=lambda: {"the opposite": True, "a string": "False", "a number": 0},
    ),
)
