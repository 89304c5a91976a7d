"""Chapter 02 · prediction, not understanding.

Keys are recomputed from the helper API with the chapter's seed (``SEED = 1`` and the same
``rng=SEED + k`` offsets as the notebook), so they follow the worlds if these ever change.
"""

from __future__ import annotations

from functools import lru_cache

from mlsys_helpers._keys import Exercise, Number, Text

SEED = 1
NOISE_SCALE = 1.0  # exercise 02.4: the chapter's noise has scale 1000 (and prints its shares)
SURE = 0.99


@lru_cache(maxsize=1)
def _loan_train():
    import mlsys_helpers as mh

    world = mh.world.LoanWorld()
    history = world.sample(6000, start="2024-01-01", rng=SEED)
    history = mh.collect.outcome_trace(
        history, name="file_scanned", rate={1: 0.9, 0: 0.05}, rng=SEED + 1
    )
    train, _ = mh.train.time_split(history, test_size=0.25)
    return world, train


@lru_cache(maxsize=1)
def _loan_models():
    from sklearn.ensemble import HistGradientBoostingClassifier

    import mlsys_helpers as mh

    world, train = _loan_train()
    shortcut = mh.train.make_pipeline_for(train, model=HistGradientBoostingClassifier())
    shortcut = shortcut.fit(train, train["target"])
    honest = mh.train.make_pipeline_for(
        train, features=list(world.features), model=HistGradientBoostingClassifier()
    ).fit(train, train["target"])
    return shortcut, honest


def _live(rate: float):
    import mlsys_helpers as mh

    world, _ = _loan_train()
    live = world.sample(2000, start="2025-06-01", rng=SEED + 3)
    return mh.collect.outcome_trace(live, name="file_scanned", rate=rate, rng=SEED + 4)


def _shortcut_accuracy_without_scans() -> float:
    live = _live(0.0)
    return float(_loan_models()[0].score(live, live["target"]))


def _wrong_02_1() -> dict:
    shortcut, honest = _loan_models()
    scanned, unscanned = _live(1.0), _live(0.0)
    return {
        "the printed live accuracy (every file scanned)": shortcut.score(
            scanned, scanned["target"]
        ),
        "always repaid (printed)": float((unscanned["target"] == 0).mean()),
        "the honest model": honest.score(unscanned, unscanned["target"]),
        "the error rate instead of the accuracy": 1
        - shortcut.score(unscanned, unscanned["target"]),
    }


def _share_colder_than_training(cutoff: str = "2024-09-01") -> float:
    import mlsys_helpers as mh

    rides = mh.world.BikeWorld().sample(24 * 273, start="2024-06-01", rng=SEED + 5)
    summer, later = mh.train.time_split(rides, cutoff=cutoff)
    return float((later["temperature"] < summer["temperature"].min()).mean())


def _wrong_02_2() -> dict:
    import mlsys_helpers as mh

    rides = mh.world.BikeWorld().sample(24 * 273, start="2024-06-01", rng=SEED + 5)
    summer, later = mh.train.time_split(rides, cutoff="2024-09-01")
    colder = int((later["temperature"] < summer["temperature"].min()).sum())
    return {
        "the count of hours, not the share": colder,
        "the share of all hours, summer included": colder / len(rides),
        "the share below 0 deg C": float((later["temperature"] < 0).mean()),
        "the cutoff of the experiment (2024-12-01)": _share_colder_than_training("2024-12-01"),
        "the share inside the range": 1 - colder / len(later),
    }


@lru_cache(maxsize=1)
def _logistic():
    import mlsys_helpers as mh

    world, train = _loan_train()
    logistic = mh.train.make_pipeline_for(train, features=list(world.features))
    return logistic.fit(train, train["target"])


def _noise_confidence(scale: float = NOISE_SCALE, model=None):
    import numpy as np
    import pandas as pd

    world, _ = _loan_train()
    gen = np.random.default_rng(SEED + 6)
    noise = pd.DataFrame({name: gen.normal(0, scale, 1000) for name in world.numeric_features})
    p = (model or _logistic()).predict_proba(noise.assign(region="?", channel="?"))[:, 1]
    return np.maximum(p, 1 - p)


def _share_of_noise_answered_surely(scale: float = NOISE_SCALE, sure: float = SURE) -> float:
    return float((_noise_confidence(scale) >= sure).mean())


def _wrong_02_4() -> dict:
    return {
        "the chapter's scale 1000": _share_of_noise_answered_surely(1000.0),
        "a guess: all of them": 1.0,
        "a guess: 0.99": 0.99,
        "confidence >= 0.9 (the printed threshold)": _share_of_noise_answered_surely(sure=0.9),
        "the mean confidence": float(_noise_confidence().mean()),
        "scale 10": _share_of_noise_answered_surely(10.0),
        "the tree (shortcut) model": float(
            (_noise_confidence(model=_loan_models()[1]) >= SURE).mean()
        ),
    }


EXERCISES = (
    Exercise(
        "02.1",
        Number(_shortcut_accuracy_without_scans, decimals=2, fraction=True),
        "With no file scanned, the model calls a default only when the application screams it "
        "and ends well below the honest model: a model built on a trace of the outcome is lost "
        "when the trace goes.",
        "The deployment cell builds `live` with `DEPLOY_SCAN_RATE`: build the same sample with "
        "the other rate (same seeds) and score the shortcut model on it, not on the scanned one.",
        wrong=_wrong_02_1,
    ),
    Exercise(
        "02.2",
        Number(_share_colder_than_training, decimals=2, fraction=True),
        "Every one of those predictions is an extrapolation: a share you can compute, and monitor, "
        "before any label arrives.",
        "Compare each later hour's temperature with `coldest`: the mean of a boolean column is a "
        "share. Count only the later hours, not the summer ones.",
        wrong=_wrong_02_2,
    ),
    Exercise(
        "02.3",
        Text("same", "the same", "equal"),
        "A tree answers with the average of a leaf; every temperature below the coldest split "
        "lands in the same leaf, so the prediction stays flat however cold it gets.",
        "A tree splits on thresholds learned from training data. Which side of every threshold "
        "does -30 deg C fall on, compared with the coldest training hour?",
        wrong=lambda: {"up": "higher", "down": "lower", "the truth's direction": "zero"},
    ),
    Exercise(
        "02.4",
        Number(_share_of_noise_answered_surely, decimals=2, fraction=True),
        "Even tiny nonsense values get a near-certain answer for most rows, and at scale 1000 "
        "almost all of them: a logistic model's confidence grows with distance from its "
        "boundary, and nonsense is far from everything. A model cannot refuse; a system can.",
        "Re-draw the noise frame like the noise cell does, with the scale the exercise names and "
        "the same seed, then pass it to `confidence` with `logistic`; take the share >= 0.99.",
        wrong=_wrong_02_4,
    ),
)
