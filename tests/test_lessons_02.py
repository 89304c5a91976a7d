"""Chapter 02 (prediction, not understanding): its central claims, through the helper API.

Same seeds and data sizes as notebooks/.sources/02_prediction_not_understanding.py (SEED = 1 and the
offsets rng=SEED + k), then the same claims over several other seeds with stated tolerances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance

import mlsys_helpers as mh

SEED = 1  # the notebook's seed
OTHER_SEEDS = (11, 23, 37, 51, 68)  # claims must hold beyond the notebook's seed


# ------------------------------------------------------------------------------ the experiments
def loan_experiment(seed: int, deploy_scan_rate: float = 1.0) -> dict:
    """Part A: archive with a scanned-file trace of the outcome, deployment without the trace."""
    world = mh.world.LoanWorld()
    history = world.sample(6000, start="2024-01-01", rng=seed)
    history = mh.collect.outcome_trace(
        history, name="file_scanned", rate={1: 0.9, 0: 0.05}, rng=seed + 1
    )
    train, test = mh.train.time_split(history, test_size=0.25)
    features = list(world.features)
    shortcut = mh.train.make_pipeline_for(train, model=HistGradientBoostingClassifier())
    shortcut = shortcut.fit(train, train["target"])
    honest = mh.train.make_pipeline_for(
        train, model=HistGradientBoostingClassifier(), features=features
    ).fit(train, train["target"])
    live = world.sample(2000, start="2025-06-01", rng=seed + 3)
    live = mh.collect.outcome_trace(live, name="file_scanned", rate=deploy_scan_rate, rng=seed + 4)
    return {
        "world": world,
        "train": train,
        "test": test,
        "live": live,
        "shortcut": shortcut,
        "honest": honest,
        "offline_shortcut": shortcut.score(test, test["target"]),
        "offline_honest": honest.score(test, test["target"]),
        "live_shortcut": shortcut.score(live, live["target"]),
        "live_honest": honest.score(live, live["target"]),
        "always_repaid": float((live["target"] == 0).mean()),
    }


def bike_experiment(seed: int, cutoff: str = "2024-09-01") -> dict:
    """Part B: train on summer hours (before ``cutoff``), predict the later hours."""
    bikes = mh.world.BikeWorld()
    rides = bikes.sample(24 * 273, start="2024-06-01", rng=seed + 5)
    summer, later = mh.train.time_split(rides, cutoff=cutoff)
    tree = mh.train.make_pipeline_for(summer, model=HistGradientBoostingRegressor())
    tree = tree.fit(summer, summer["target"])
    linear = mh.train.make_pipeline_for(summer).fit(summer, summer["target"])
    coldest = summer["temperature"].min()
    cold = (later["temperature"] < coldest).to_numpy()
    tree_pred, linear_pred = tree.predict(later), linear.predict(later)
    truth = later["true_mean"].to_numpy()
    return {
        "bikes": bikes,
        "tree": tree,
        "linear": linear,
        "coldest": coldest,
        "share_cold": float(cold.mean()),
        "tree_over_truth_cold": tree_pred[cold].mean() / truth[cold].mean(),
        "tree_over_truth_inside": tree_pred[~cold].mean() / truth[~cold].mean(),
        "linear_negative_cold": float((linear_pred[cold] < 0).mean()),
    }


def confidence(model, frame) -> np.ndarray:
    p = model.predict_proba(frame)[:, 1]
    return np.maximum(p, 1 - p)


def noise_rows(world, seed: int, scale: float = 1000.0) -> pd.DataFrame:
    gen = np.random.default_rng(seed + 6)
    noise = pd.DataFrame({name: gen.normal(0, scale, 1000) for name in world.numeric_features})
    return noise.assign(region="?", channel="?")


@pytest.fixture(scope="module")
def notebook_loans():
    return loan_experiment(SEED)


@pytest.fixture(scope="module")
def other_loans():
    return [loan_experiment(seed) for seed in OTHER_SEEDS]


@pytest.fixture(scope="module")
def notebook_bikes():
    return bike_experiment(SEED)


# --------------------------------------------------------------------------- part A: shortcut
def test_shortcut_model_wins_offline(notebook_loans, other_loans):
    # The trace is worth a lot offline: at least 4 points over the honest model (notebook: ~7).
    for run in [notebook_loans, *other_loans]:
        assert run["offline_shortcut"] >= run["offline_honest"] + 0.04


def test_shortcut_model_leans_on_the_shortcut_most(notebook_loans):
    test = notebook_loans["test"]
    columns = [*notebook_loans["world"].features, "file_scanned"]
    result = permutation_importance(
        notebook_loans["shortcut"],
        test[columns],
        test["target"],
        n_repeats=5,
        random_state=SEED + 2,
    )
    drops = pd.Series(result.importances_mean, index=columns)
    assert drops.idxmax() == "file_scanned"
    assert drops["file_scanned"] > 0.1  # shuffling it costs more than 10 points of accuracy


def test_shortcut_collapses_live_while_honest_model_holds(notebook_loans, other_loans):
    for run in [notebook_loans, *other_loans]:
        # the shortcut model loses at least 20 points (notebook: ~28) ...
        assert run["offline_shortcut"] - run["live_shortcut"] >= 0.20
        # ... and lands at about the trivial "always repaid" rule (within 8 points) ...
        assert abs(run["live_shortcut"] - run["always_repaid"]) <= 0.08
        # ... while the honest model stays within 3 points of its offline accuracy.
        assert abs(run["live_honest"] - run["offline_honest"]) <= 0.03
        assert run["live_honest"] >= run["live_shortcut"] + 0.12  # notebook: 0.22


def test_shortcut_without_scans_lands_between_the_rule_and_the_honest_model():
    # The notebook's experiment (DEPLOY_SCAN_RATE = 0.0): above "always repaid", below honest.
    for seed in (SEED, *OTHER_SEEDS[:2]):
        run = loan_experiment(seed, deploy_scan_rate=0.0)
        assert run["always_repaid"] < run["live_shortcut"] <= run["live_honest"] - 0.03


# ----------------------------------------------------------------------- part B: extrapolation
def test_tree_is_flat_outside_the_training_range(notebook_bikes):
    run = notebook_bikes
    grid = pd.DataFrame(
        {
            "hour": 17,
            "weekday": 2,
            "temperature": [-30.0, -10.0, run["coldest"]],
            "humidity": 60.0,
            "windspeed": 12.0,
            "weather": "clear",
        }
    )
    predictions = run["tree"].predict(grid)
    assert np.allclose(predictions, predictions[-1])
    truth = run["bikes"].true_mean(grid).to_numpy()
    assert predictions[1] > 10 * truth[1]  # at -10 deg C the tree is off by more than 10x


def test_linear_model_runs_off_into_negative_rentals(notebook_bikes):
    grid = pd.DataFrame(
        {"hour": [17], "weekday": [2], "temperature": [-10.0], "humidity": [60.0]}
    ).assign(windspeed=12.0, weather="clear")
    assert notebook_bikes["linear"].predict(grid)[0] < 0


@pytest.mark.parametrize("seed", [SEED, *OTHER_SEEDS])
def test_predictions_outside_the_range_are_far_off(seed):
    run = bike_experiment(seed)
    assert run["share_cold"] > 0.3  # a large share of later hours is colder than training
    # notebook: tree predicts ~3.0x the truth on cold hours, ~1.16x inside the range
    assert run["tree_over_truth_cold"] > 2.0
    assert run["tree_over_truth_inside"] < 1.3
    assert run["linear_negative_cold"] > 0.75  # notebook: 0.91


@pytest.mark.parametrize("seed", [SEED, *OTHER_SEEDS[:2]])
def test_more_training_range_moves_the_edge_but_the_tree_stays_flat_beyond_it(seed):
    # The notebook's experiment: cutoff 2024-12-01 (train June to November).
    run = bike_experiment(seed, cutoff="2024-12-01")
    assert run["share_cold"] < 0.2  # notebook: 0.125 (was 0.571 with the summer cutoff)
    assert run["tree_over_truth_cold"] > 2.0  # notebook: 3.7


# ---------------------------------------------------------------------- part C: no "I don't know"
def test_nonsense_inputs_get_confident_answers(notebook_loans, other_loans):
    for seed, run in zip((SEED, *OTHER_SEEDS), [notebook_loans, *other_loans], strict=True):
        world, train, test = run["world"], run["train"], run["test"]
        features = list(world.features)
        logistic = mh.train.make_pipeline_for(train, features=features)
        logistic = logistic.fit(train, train["target"])
        noise = noise_rows(world, seed)
        # logistic: more confident on noise than on real applicants, almost always >= 0.99
        assert confidence(logistic, noise).mean() > confidence(logistic, test).mean() + 0.05
        assert (confidence(logistic, noise) >= 0.99).mean() > 0.95
        # tree: about as confident on noise as on real applicants (within 0.07)
        tree_noise = confidence(run["honest"], noise).mean()
        assert tree_noise > confidence(run["honest"], test).mean() - 0.07
        assert tree_noise > 0.8


def test_every_absurd_request_is_scored_and_the_schema_flags_it(notebook_loans):
    world, train = notebook_loans["world"], notebook_loans["train"]
    features = list(world.features)
    typical = {
        **train[list(world.numeric_features)].median().to_dict(),
        "region": "north",
        "channel": "online",
    }
    changes = [
        {"age": 300},
        {"income": -50_000.0},
        {"debt_ratio": 7.5},
        {"loan_amount": 1e9},
        {"region": "mars", "channel": "carrier pigeon"},
    ]
    requests = pd.DataFrame([{**typical, **change} for change in changes])
    p = notebook_loans["honest"].predict_proba(requests)[:, 1]
    assert np.all(np.isfinite(p))  # no refusal, no error: a probability for each
    typical_confidence = confidence(notebook_loans["honest"], pd.DataFrame([typical]))[0]
    # most absurd requests get an answer at least as decisive as the typical applicant's
    assert (np.maximum(p, 1 - p) >= typical_confidence - 0.01).sum() >= 3
    schema = mh.quality.infer_schema(train[features])
    flagged = [
        any(schema[name].check_value(row[name]) is not None for name in features)
        for _, row in requests.iterrows()
    ]
    assert all(flagged)
    assert all(schema[name].check_value(typical[name]) is None for name in features)


def test_tiny_noise_still_gets_confident_logistic_answers(notebook_loans, other_loans):
    # The notebook's experiment (noise scale 1 instead of 1000): logistic stays above real inputs.
    for seed, run in zip((SEED, *OTHER_SEEDS[:2]), [notebook_loans, *other_loans[:2]], strict=True):
        train = run["train"]
        logistic = mh.train.make_pipeline_for(train, features=list(run["world"].features))
        logistic = logistic.fit(train, train["target"])
        tiny = confidence(logistic, noise_rows(run["world"], seed, scale=1.0)).mean()
        assert tiny > confidence(logistic, run["test"]).mean() + 0.03  # notebook: 0.96 vs 0.88
        if seed == SEED:
            assert round(tiny, 2) == 0.96  # "more confident on this noise (about 0.96)"


# ------------------------------------------------------- the numbers the chapter's prose quotes
def test_the_default_pipeline_drops_the_time_and_truth_columns_and_keeps_the_shortcut(
    notebook_loans,
):
    numeric, categorical = mh.train.feature_columns(notebook_loans["train"], "target")
    used = {*numeric, *categorical}
    assert "file_scanned" in used
    assert not {"timestamp", "true_proba", "drift_weight", "target"} & used


@pytest.mark.parametrize("seed", [SEED, *OTHER_SEEDS])
def test_inside_every_columns_range_a_summer_evening_at_11_degrees_is_still_unseen(seed):
    run = bike_experiment(seed)
    rides = run["bikes"].sample(24 * 273, start="2024-06-01", rng=seed + 5)
    summer, _ = mh.train.time_split(rides, cutoff="2024-09-01")
    # the band is the column's range; a summer evening is never that cold, cold hours are nights
    evening_coldest = summer.loc[summer["hour"].between(16, 18), "temperature"].min()
    assert evening_coldest > run["coldest"] + 3
    cold_hours = summer.loc[summer["temperature"] < 14, "hour"]
    if seed == SEED:  # the notebook prints the hours: all at night
        assert set(cold_hours) <= {*range(0, 9), *range(21, 24)}
    grid = pd.DataFrame(
        {"hour": 17, "weekday": 2, "temperature": np.arange(10.5, 12.5, 0.5), "humidity": 60.0}
    ).assign(windspeed=12.0, weather="clear")
    grid = grid[grid["temperature"] >= run["coldest"]]  # inside the column's range
    if len(grid):
        ratio = run["tree"].predict(grid).mean() / run["bikes"].true_mean(grid).mean()
        assert ratio > 1.25, ratio  # every seed: far too high inside the range
        if seed == SEED:
            assert ratio > 1.6, ratio  # notebook: 822 against 425-504, "nearly twice the truth"
    # "too high, by a factor of 1.16" (notebook) on the later hours inside the range
    assert 1.05 <= run["tree_over_truth_inside"] <= 1.3, run["tree_over_truth_inside"]


@pytest.mark.parametrize("seed", [SEED, *OTHER_SEEDS[:2]])
def test_the_december_cutoff_reaches_about_0_degrees_and_leaves_one_hour_in_eight(seed):
    run = bike_experiment(seed, cutoff="2024-12-01")
    # "down to about 0 deg C", "about one later hour in eight" (notebook: 0.5 deg C, 0.125)
    assert -2.0 <= run["coldest"] <= 2.0, run["coldest"]
    assert 0.03 <= run["share_cold"] <= 0.2, run["share_cold"]  # seeds differ: 0.04 to 0.13
    if seed == SEED:
        assert 0.0 <= run["coldest"] <= 1.0 and 0.11 <= run["share_cold"] <= 0.14
