"""Chapter 02 · prediction, not understanding.

Keys are recomputed from the helper API with the chapter's seed (``SEED = 1`` and the same
``rng=SEED + k`` offsets as the notebook), so they follow the worlds if these ever change.
"""

from __future__ import annotations

from functools import lru_cache

from mlsys_helpers._keys import Exercise, close_to, text_is

SEED = 1


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


def _shortcut_accuracy_without_scans() -> float:
    from sklearn.ensemble import HistGradientBoostingClassifier

    import mlsys_helpers as mh

    world, train = _loan_train()
    model = mh.train.make_pipeline_for(train, model=HistGradientBoostingClassifier())
    model = model.fit(train, train["target"])
    live = world.sample(2000, start="2025-06-01", rng=SEED + 3)
    live = mh.collect.outcome_trace(live, name="file_scanned", rate=0.0, rng=SEED + 4)
    return float(model.score(live, live["target"]))


def _share_colder_than_training() -> float:
    import mlsys_helpers as mh

    rides = mh.world.BikeWorld().sample(24 * 273, start="2024-06-01", rng=SEED + 5)
    summer, later = mh.train.time_split(rides, cutoff="2024-09-01")
    return float((later["temperature"] < summer["temperature"].min()).mean())


def _share_of_noise_answered_surely() -> float:
    import numpy as np
    import pandas as pd

    import mlsys_helpers as mh

    world, train = _loan_train()
    logistic = mh.train.make_pipeline_for(train, features=list(world.features))
    logistic = logistic.fit(train, train["target"])
    gen = np.random.default_rng(SEED + 6)
    noise = pd.DataFrame({name: gen.normal(0, 1000, 1000) for name in world.numeric_features})
    p = logistic.predict_proba(noise.assign(region="?", channel="?"))[:, 1]
    return float((np.maximum(p, 1 - p) >= 0.99).mean())


EXERCISES = (
    Exercise(
        "02.1",
        close_to(_shortcut_accuracy_without_scans, tol=0.01),
        "With no file scanned, the model calls a default only when the application screams it "
        "and ends well below the honest model: a model built on a trace of the outcome is lost "
        "when the trace goes.",
        "Re-create `live` with `rate=0.0` in `mh.collect.outcome_trace` (same rng=SEED + 4) and "
        "call `shortcut_model.score(live, live['target'])`.",
    ),
    Exercise(
        "02.2",
        close_to(_share_colder_than_training, tol=0.01),
        "Every one of those predictions is an extrapolation: a share you can compute, and monitor, "
        "before any label arrives.",
        "Compare `autumn_winter['temperature']` with `coldest` and take the mean of the booleans.",
    ),
    Exercise(
        "02.3",
        text_is("same"),
        "A tree answers with the average of a leaf; every temperature below the coldest split "
        "lands in the same leaf, so the prediction stays flat however cold it gets.",
        "A tree splits on thresholds learned from training data. Which side of every threshold "
        "does -30 deg C fall on, compared with the coldest training hour?",
    ),
    Exercise(
        "02.4",
        close_to(_share_of_noise_answered_surely, tol=0.01),
        "Almost every noise row gets a near-certain answer: a logistic model's confidence grows "
        "with distance from its boundary, and nonsense is far from everything.",
        "Use `confidence(logistic, noise)` from the cell above and take the share that is >= 0.99.",
    ),
)
