"""Tests for mlsys_helpers.train: splits, the pipeline, rule baselines and the learning curve."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlsys_helpers import train
from mlsys_helpers.train import (
    RuleClassifier,
    RuleRegressor,
    feature_columns,
    learning_curve,
    make_pipeline_for,
    random_split,
    time_split,
)


def make_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A small world-like frame: timestamp, numeric and categorical features, truth, target."""
    gen = np.random.default_rng(seed)
    x = gen.normal(size=n)
    region = gen.choice(["north", "south"], size=n)
    proba = 1 / (1 + np.exp(-(2 * x + (region == "north"))))
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "x": x,
            "noise": gen.normal(size=n),
            "region": region,
            "drift_weight": np.zeros(n),
            "true_proba": proba,
            "target": (gen.random(n) < proba).astype(int),
        }
    )


# ----------------------------------------------------------------------------------- splits
def test_time_split_puts_the_past_in_train_and_the_future_in_test():
    frame = make_frame().sample(frac=1.0, random_state=1)  # shuffled on purpose
    past, future = time_split(frame, test_size=0.25)
    assert len(past) == 300 and len(future) == 100
    assert past["timestamp"].max() < future["timestamp"].min()
    assert past["timestamp"].is_monotonic_increasing and future["timestamp"].is_monotonic_increasing


def test_time_split_with_cutoff_starts_test_at_the_cutoff():
    frame = make_frame(48)
    past, future = time_split(frame, cutoff="2024-01-02")
    assert future["timestamp"].min() == pd.Timestamp("2024-01-02")
    assert (past["timestamp"] < pd.Timestamp("2024-01-02")).all()
    assert len(past) + len(future) == 48


def test_time_split_accepts_a_row_count():
    past, future = time_split(make_frame(20), test_size=5)
    assert (len(past), len(future)) == (15, 5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"test_size": 1.5}, ValueError, "test_size must be in"),
        ({"test_size": 0}, ValueError, "test_size must be between"),
        ({"test_size": "half"}, TypeError, "test_size must be"),
        ({"time_column": "when"}, ValueError, "time_column must be a column of frame, got 'when'"),
        ({"cutoff": "2030-01-01"}, ValueError, "cutoff"),
    ],
)
def test_time_split_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        time_split(make_frame(20), **kwargs)


def test_split_rejects_non_frames():
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        random_split([1, 2, 3])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), fraction=st.floats(0.05, 0.95), seed=st.integers(0, 2**16))
def test_splits_partition_rows_without_mutating_the_input(n, fraction, seed):
    frame = make_frame(n, seed).sample(frac=1.0, random_state=seed)
    before = frame.copy()
    for split in (time_split, random_split):
        try:
            a, b = split(frame, test_size=fraction)
        except ValueError:  # an empty side for tiny n: refused, not silently returned
            assert round(n * fraction) in (0, n)
            continue
        assert sorted(a.index.tolist() + b.index.tolist()) == sorted(frame.index.tolist())
    pd.testing.assert_frame_equal(frame, before)


def test_random_split_leaks_the_future_and_flatters_the_score():
    # The concept moves with time: target = x > c(t) with c drifting from -1 to 1. A model that
    # only sees x learns an average cut. Tested on the *future*, it is worse than a random split
    # suggests, because a random test set contains the same times as the training set.
    gaps = []
    for seed in range(5):
        gen = np.random.default_rng(seed)
        n = 2000
        frame = pd.DataFrame(
            {"timestamp": pd.date_range("2024", periods=n, freq="h"), "x": gen.normal(size=n)}
        )
        frame["target"] = (frame["x"] > np.linspace(-1, 1, n)).astype(int)
        scores = []
        for a, b in (time_split(frame), random_split(frame, rng=seed)):
            model = LogisticRegression().fit(a[["x"]], a["target"])
            scores.append(model.score(b[["x"]], b["target"]))
        gaps.append(scores[1] - scores[0])
    # Random split test rows share the mixed-time concept; future rows do not. Gap is ~0.1.
    assert min(gaps) > 0.03


# --------------------------------------------------------------------------------- pipeline
def test_feature_columns_excludes_target_time_and_truth():
    numeric, categorical = feature_columns(make_frame(), "target")
    assert numeric == ["x", "noise"]
    assert categorical == ["region"]


def test_truth_columns_match_the_world_contract():
    world = pytest.importorskip("mlsys_helpers.world")
    assert tuple(world.TRUTH_COLUMNS) == train.TRUTH_COLUMNS


def test_pipeline_ignores_truth_columns_when_fitting_on_the_whole_frame():
    frame = make_frame()
    pipe = make_pipeline_for(frame, "target").fit(frame, frame["target"])
    prepare = pipe.named_steps["prepare"]
    used = [c for name, _, cols in prepare.transformers_ if name != "remainder" for c in cols]
    assert sorted(used) == ["noise", "region", "x"]
    # Serving requests carry only features: no truth, no timestamp needed.
    assert len(pipe.predict(frame[["x", "noise", "region"]])) == len(frame)


def test_pipeline_serves_unseen_categories_and_missing_values():
    frame = make_frame()
    pipe = make_pipeline_for(frame, "target").fit(frame, frame["target"])
    odd = pd.DataFrame({"x": [np.nan, 0.5], "noise": [0.0, np.nan], "region": ["mars", None]})
    assert pipe.predict_proba(odd).shape == (2, 2)


def test_pipeline_uses_only_the_requested_features():
    frame = make_frame()
    pipe = make_pipeline_for(frame, "target", features=["x"]).fit(frame, frame["target"])
    assert pipe.named_steps["model"].coef_.shape == (1, 1)


def test_pipeline_picks_a_regression_model_for_float_targets():
    frame = make_frame().assign(target=lambda f: f["x"] * 2.0)
    pipe = make_pipeline_for(frame, "target").fit(frame, frame["target"])
    assert pipe.named_steps["model"].__class__.__name__ == "Ridge"
    assert np.abs(pipe.predict(frame) - frame["target"]).mean() < 0.1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"target": "label"}, ValueError, "target must be a column of frame, got 'label'"),
        (
            {"features": ["nope"]},
            ValueError,
            r"features must be columns of frame, missing \['nope'\]",
        ),
        ({"features": "x"}, TypeError, "features must be a sequence"),
        ({"features": ["x", "target"]}, ValueError, "features must not include the target"),
        ({"task": "ranking"}, ValueError, "task must be"),
        ({"model": 3}, TypeError, "model must be"),
    ],
)
def test_pipeline_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"target": "target", **kwargs}
    with pytest.raises(error, match=match):
        make_pipeline_for(make_frame(), **kwargs)


# ---------------------------------------------------------------------------- rule baselines
_SKLEARN_CHECKS = parametrize_with_checks([RuleClassifier(), RuleRegressor()])
# The array-API check skips itself unless SCIPY_ARRAY_API=1 was set before scipy was imported;
# test_rules_pass_the_array_api_check runs it for real in a fresh interpreter instead.
_SKLEARN_PARAMS = [
    (est, check)
    for est, check in _SKLEARN_CHECKS.args[1]
    if "check_array_api_input" not in str(check)
]


@pytest.mark.parametrize(_SKLEARN_CHECKS.args[0], _SKLEARN_PARAMS, **_SKLEARN_CHECKS.kwargs)
def test_rules_pass_sklearn_estimator_checks(estimator, check):
    # No expected failures: both rules declare poor_score (one threshold cannot reach
    # scikit-learn's accuracy/R^2 bar on its generic data) and allow_nan (missing -> a fixed answer).
    check(estimator)


def test_rules_pass_the_array_api_check():
    # scikit-learn runs its array-API input check only when SCIPY_ARRAY_API=1 was set before
    # scipy was imported, so it runs here in a fresh interpreter instead of being skipped.
    code = (
        "from sklearn.utils.estimator_checks import check_array_api_input\n"
        "from mlsys_helpers.train import RuleClassifier, RuleRegressor\n"
        "for est in (RuleClassifier(), RuleRegressor()):\n"
        "    check_array_api_input(type(est).__name__, est, array_namespace='numpy')\n"
        "print('ok')\n"
    )
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_rule_classifier_finds_the_true_threshold():
    found = []
    for seed in range(10):
        gen = np.random.default_rng(seed)
        X = pd.DataFrame({"noise": gen.normal(size=500), "debt_ratio": gen.uniform(0, 1, 500)})
        y = (X["debt_ratio"] > 0.6).astype(int)
        flip = gen.random(500) < 0.1
        y[flip] = 1 - y[flip]
        rule = RuleClassifier().fit(X, y)
        assert rule.feature_index_ == 1
        found.append(rule.threshold_)
    # 10% label noise, 500 rows: the cut lands within a few hundredths of 0.6.
    assert abs(np.median(found) - 0.6) < 0.03


def test_rule_classifier_with_a_fixed_threshold_does_not_search():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    rule = RuleClassifier(feature="a", threshold=2.5).fit(X, [0, 1, 1, 1])
    assert rule.threshold_ == 2.5
    assert rule.rule_ == "if a > 2.5: 1 else 1 (missing: 1)"


def test_rule_classifier_predict_proba_matches_predict():
    frame = make_frame()
    rule = RuleClassifier().fit(frame[["x", "noise"]], frame["target"])
    proba = rule.predict_proba(frame[["x", "noise"]])
    assert np.allclose(proba.sum(1), 1)
    assert (rule.classes_[proba.argmax(1)] == rule.predict(frame[["x", "noise"]])).all()


def test_rule_answers_missing_values_with_the_majority():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0]})
    rule = RuleClassifier().fit(X, [0, 0, 1, 1, 1])
    assert rule.predict(pd.DataFrame({"a": [np.nan]})).tolist() == [1]
    reg = RuleRegressor().fit(X, [1.0, 1.0, 5.0, 5.0, 8.0])
    assert reg.predict(pd.DataFrame({"a": [np.nan]})).tolist() == [4.0]


def test_rule_regressor_finds_the_step():
    gen = np.random.default_rng(3)
    X = gen.uniform(0, 30, size=(400, 1))
    y = np.where(X[:, 0] > 18, 50.0, 10.0) + gen.normal(0, 2, 400)
    rule = RuleRegressor().fit(X, y)
    assert abs(rule.threshold_ - 18) < 0.5
    assert abs(rule.value_high_ - 50) < 1 and abs(rule.value_low_ - 10) < 1
    assert rule.rule_.startswith("if x[0] > ")


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"feature": "nope"}, ValueError, "feature must be a column of X .*, got 'nope'"),
        ({"feature": 5}, ValueError, "feature must be an index in"),
        ({"feature": 1.5}, TypeError, "feature must be None"),
        (
            {"threshold": 1.0},
            ValueError,
            "feature must be a column name or index when threshold is fixed",
        ),
        ({"feature": "a", "threshold": float("inf")}, ValueError, "threshold must be a finite"),
    ],
)
def test_rules_reject_bad_parameters(params, error, match):
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 0.0, 1.0]})
    for cls in (RuleClassifier, RuleRegressor):
        with pytest.raises(error, match=match):
            cls(**params).fit(X, [0, 1, 1])


# --------------------------------------------------------------------------- learning curve
def test_learning_curve_is_tidy_and_skips_sizes_beyond_the_data():
    frame = make_frame(300)
    curve = learning_curve(frame[:200], frame[200:], sizes=(20, 100, 5000), repeats=2, rng=0)
    assert list(curve.columns) == ["n_train", "repeat", "estimator", "metric", "score"]
    assert sorted(curve["n_train"].unique()) == [20, 100]
    assert len(curve) == 2 * 2 * 2
    assert set(curve["metric"]) == {"accuracy"}


def test_learning_curve_shows_the_model_needs_data_to_beat_the_rule():
    # The target depends on two features equally: a one-feature rule tops out near 75-80%,
    # logistic regression approaches the Bayes rate with enough data.
    gen = np.random.default_rng(7)
    n = 3000
    frame = pd.DataFrame({"a": gen.normal(size=n), "b": gen.normal(size=n)})
    frame["target"] = (frame["a"] + frame["b"] + gen.normal(0, 0.3, n) > 0).astype(int)
    curve = learning_curve(frame[:2000], frame[2000:], sizes=(1000,), repeats=3, rng=1)
    means = curve.groupby("estimator")["score"].mean()
    assert means["model"] > means["rule"] + 0.1


def test_learning_curve_scores_regression_by_mean_absolute_error():
    frame = make_frame(300).assign(target=lambda f: 3 * f["x"])
    curve = learning_curve(frame[:200], frame[200:], sizes=(50,), repeats=1, rng=0)
    assert set(curve["metric"]) == {"mae"}
    scores = curve.set_index("estimator")["score"]
    assert scores["model"] < scores["rule"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sizes": (1,)}, "sizes must be integers >= 2"),
        ({"sizes": (10_000,)}, "sizes must not all exceed"),
        ({"repeats": 0}, "repeats must be an int >= 1"),
        ({"target": "label"}, "target must be a column of train and test, got 'label'"),
    ],
)
def test_learning_curve_rejects_bad_arguments(kwargs, match):
    frame = make_frame(100)
    with pytest.raises(ValueError, match=match):
        learning_curve(frame[:50], frame[50:], **kwargs)
