"""Tests for monitoring and label-free performance estimation (mlsys_helpers/monitor.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from mlsys_helpers.monitor import Monitor, estimate_performance, fit_calibrator, join_delayed_labels

ALPHA = 0.05


def concept(x, *, flipped=False):
    """P(y = 1 | x) of a small logistic world; ``flipped`` is the concept after drift."""
    z = 2.5 * x[:, 0] - 1.5 * x[:, 1]
    return 1.0 / (1.0 + np.exp(z if flipped else -z))


def sample(rng, n, *, shift=(0.0, 0.0), flipped=False):
    x = rng.normal(size=(n, 2)) + np.asarray(shift)
    y = (rng.random(n) < concept(x, flipped=flipped)).astype(int)
    return x, y


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(100)
    x, y = sample(rng, 5000)
    return LogisticRegression().fit(x, y)


def realised_accuracy(p, y):
    return float(np.mean((p >= 0.5) == y))


# --------------------------------------------------------------------------- estimate_performance


def test_estimated_auc_equals_the_pairwise_formula(rng):
    p = rng.random(40).round(1)  # with ties
    num = den = 0.0
    for i in range(40):
        for j in range(40):
            if i != j:
                w = p[i] * (1 - p[j])
                den += w
                num += w * (1.0 if p[i] > p[j] else 0.5 if p[i] == p[j] else 0.0)
    assert estimate_performance(p).roc_auc == pytest.approx(num / den, abs=1e-12)


def test_estimated_auc_is_the_expected_auc_of_calibrated_scores(rng):
    # draw labels from the scores themselves many times: the mean realised AUC matches
    p = rng.beta(2, 2, size=300)
    labels = rng.random((400, 300)) < p
    realised = np.mean([roc_auc_score(y, p) for y in labels])
    assert estimate_performance(p).roc_auc == pytest.approx(realised, abs=0.01)


def test_estimate_follows_covariate_shift_within_0_02_per_window(model):
    # calibrated model (well-specified logistic regression), inputs drifting away from training;
    # windows of 2,000: the realised accuracy has a standard error of ~0.007 around the
    # estimate here, so 0.02 is about 3 standard errors
    rng = np.random.default_rng(101)
    errors = []
    for w in range(10):
        x, y = sample(rng, 2000, shift=(0.15 * w, -0.1 * w))
        p = model.predict_proba(x)[:, 1]
        errors.append(estimate_performance(p).accuracy - realised_accuracy(p, y))
    assert np.max(np.abs(errors)) <= 0.02


def test_estimate_cannot_see_concept_drift(model):
    # the concept flips: accuracy collapses, the scores (and the estimate) do not notice
    rng = np.random.default_rng(102)
    for _ in range(5):
        x, y = sample(rng, 2000, flipped=True)
        p = model.predict_proba(x)[:, 1]
        assert estimate_performance(p).accuracy - realised_accuracy(p, y) >= 0.15


def overconfident(p):
    logit = np.log(p / (1 - p))
    return 1.0 / (1.0 + np.exp(-3.0 * logit))


def test_overconfident_scores_are_biased_and_reference_calibration_removes_most(model):
    rng = np.random.default_rng(103)
    x_ref, y_ref = sample(rng, 3000)  # labelled reference data, not the training data
    calibrator = fit_calibrator(overconfident(model.predict_proba(x_ref)[:, 1]), y_ref)
    raw, calibrated = [], []
    for w in range(10):
        x, y = sample(rng, 2000, shift=(0.1 * w, 0.0))
        p = overconfident(model.predict_proba(x)[:, 1])
        real = realised_accuracy(p, y)
        raw.append(estimate_performance(p).accuracy - real)
        calibrated.append(estimate_performance(calibrator.predict(p)).accuracy - real)
    # over-confidence inflates the estimate (~0.10 here); calibration leaves < a quarter of it
    assert np.mean(raw) > 0.05
    assert abs(np.mean(calibrated)) < 0.25 * np.mean(raw)


def test_estimate_performance_validates_its_input():
    with pytest.raises(ValueError, match="proba"):
        estimate_performance([0.2, 1.5])
    with pytest.raises(ValueError, match="threshold"):
        estimate_performance([0.2], threshold=1.0)
    with pytest.raises(ValueError, match="labels"):
        fit_calibrator([0.2, 0.4], [0, 2])


# --------------------------------------------------------------------------- join_delayed_labels


@pytest.fixture
def log():
    predictions = pd.DataFrame({"id": [1, 2, 3, 4], "proba": [0.9, 0.1, 0.6, 0.4]})
    labels = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "target": [1, 0, 0],
            "label_time": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-05"]),
        }
    )
    return predictions, labels


def test_join_delayed_labels_uses_only_labels_arrived_by_as_of(log):
    out = join_delayed_labels(*log, as_of="2024-01-03")
    assert out["target"].tolist()[:2] == [1.0, 0.0]
    assert out["target"].isna().tolist() == [False, False, True, True]
    assert len(out) == 4


def test_join_delayed_labels_does_not_mutate_inputs(log):
    predictions, labels = log
    before = predictions.copy(), labels.copy()
    join_delayed_labels(predictions, labels, as_of="2024-02-01")
    pd.testing.assert_frame_equal(predictions, before[0])
    pd.testing.assert_frame_equal(labels, before[1])


def test_join_delayed_labels_rejects_duplicate_keys(log):
    predictions, labels = log
    with pytest.raises(ValueError, match="unique"):
        join_delayed_labels(predictions, pd.concat([labels, labels]), as_of="2024-02-01")
    with pytest.raises(ValueError, match="label_time"):
        join_delayed_labels(predictions, labels.drop(columns="label_time"), as_of="2024-02-01")


# --------------------------------------------------------------------------- Monitor


def make_stream(rng, model, *, n_windows=6, window=1000, drift_at=None, flipped_at=None):
    parts = []
    for w in range(n_windows):
        shift = (1.0, 0.0) if drift_at is not None and w >= drift_at else (0.0, 0.0)
        flipped = flipped_at is not None and w >= flipped_at
        x, y = sample(rng, window, shift=shift, flipped=flipped)
        parts.append(pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "target": y}))
    stream = pd.concat(parts, ignore_index=True)
    stream["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        np.arange(len(stream)), "min"
    )
    stream["proba"] = model.predict_proba(stream[["a", "b"]].to_numpy())[:, 1]
    return stream


@pytest.fixture
def reference(model):
    rng = np.random.default_rng(104)
    x, y = sample(rng, 1000)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "target": y})
    frame["proba"] = model.predict_proba(x)[:, 1]
    return frame


def test_run_reports_one_row_per_window_with_documented_columns(model, reference):
    stream = make_stream(np.random.default_rng(1), model)
    out = Monitor(reference, features=["a", "b"], window=1000).run(stream)
    assert out["window"].tolist() == list(range(6))
    assert out["n_rows"].sum() == len(stream)
    assert list(out.columns) == [
        "window", "start", "end", "n_rows", "a_statistic", "a_drifted", "b_statistic",
        "b_drifted", "prediction_statistic", "prediction_drifted", "n_drifted", "n_labelled",
        "accuracy", "roc_auc", "estimated_accuracy", "estimated_roc_auc", "drift_flag",
        "performance_flag", "alert", "alert_reason",
    ]  # fmt: skip
    assert out["start"].iloc[0] == stream["timestamp"].iloc[0]


def test_run_by_time_windows(model, reference):
    stream = make_stream(np.random.default_rng(2), model)  # 6,000 minutes
    out = Monitor(reference, features=["a", "b"], window="1D").run(stream)
    assert out["n_rows"].tolist() == [1440, 1440, 1440, 1440, 240]
    assert (out["end"] - out["start"] < pd.Timedelta("1D")).all()


def test_run_flags_covariate_drift_from_the_window_it_starts(model, reference):
    stream = make_stream(np.random.default_rng(3), model, drift_at=3)
    out = Monitor(reference, features=["a", "b"], window=1000).run(stream)
    assert out["a_drifted"].tolist() == [False, False, False, True, True, True]
    assert out["alert"].tolist() == [False, False, False, True, True, True]
    assert out.loc[3, "alert_reason"].startswith("drift: a")


def test_run_sees_concept_drift_only_in_realised_accuracy(model, reference):
    stream = make_stream(np.random.default_rng(4), model, flipped_at=3)
    out = Monitor(reference, features=["a", "b"], window=1000).run(stream)
    after = out.iloc[3:]
    assert not after[["a_drifted", "b_drifted", "prediction_drifted"]].any().any()
    assert (after["estimated_accuracy"] - after["accuracy"] >= 0.15).all()
    assert after["performance_flag"].all() and after["alert"].all()


def test_run_uses_only_labels_arrived_by_as_of(model, reference):
    stream = make_stream(np.random.default_rng(5), model)
    stream["label_time"] = stream["timestamp"] + pd.Timedelta("1D")
    as_of = pd.Timestamp("2024-01-03")
    out = Monitor(reference, features=["a", "b"], window=1000).run(stream, as_of=as_of)
    expected = (
        (stream["label_time"] <= as_of).groupby(np.arange(len(stream)) // 1000).sum().tolist()
    )
    assert out["n_labelled"].tolist() == expected
    assert out["accuracy"].isna().tolist() == [n == 0 for n in expected]


def test_run_with_a_model_equals_run_with_a_score_column(model, reference):
    stream = make_stream(np.random.default_rng(6), model)

    class OnFrame:  # the model was fitted on arrays
        def predict_proba(self, frame):
            return model.predict_proba(frame.to_numpy())

    by_model = Monitor(reference.drop(columns="proba"), features=["a", "b"], model=OnFrame())
    by_column = Monitor(reference, features=["a", "b"])
    pd.testing.assert_frame_equal(by_model.run(stream.drop(columns="proba")), by_column.run(stream))


def test_calibrate_fixes_the_estimate_of_overconfident_scores(model, reference):
    stream = make_stream(np.random.default_rng(7), model)
    stream["proba"] = overconfident(stream["proba"].to_numpy())
    ref = reference.assign(proba=overconfident(reference["proba"].to_numpy()))
    raw = Monitor(ref, features=["a", "b"]).run(stream)
    fixed = Monitor(ref, features=["a", "b"], calibrate=True).run(stream)
    bias_raw = (raw["estimated_accuracy"] - raw["accuracy"]).mean()
    bias_fixed = (fixed["estimated_accuracy"] - fixed["accuracy"]).mean()
    assert bias_raw > 0.05 and abs(bias_fixed) < 0.25 * bias_raw


def test_window_false_alert_rate_is_at_most_alpha_with_bonferroni(model, reference):
    # 200 stationary windows of 200 rows, 3 tests per window (a, b, score) with Bonferroni:
    # alert rate <= alpha + 2 standard errors; needing 2 consecutive windows lowers it further
    rng = np.random.default_rng(8)
    stream = make_stream(rng, model, n_windows=200, window=200)
    ref = reference.drop(columns="target")  # no performance rule: drift alerts only
    one = Monitor(ref, features=["a", "b"], window=200).run(stream.drop(columns="target"))
    two = Monitor(ref, features=["a", "b"], window=200, consecutive=2).run(
        stream.drop(columns="target")
    )
    bound = ALPHA + 2 * np.sqrt(ALPHA * (1 - ALPHA) / 200)
    assert one["alert"].mean() <= bound
    assert two["alert"].sum() <= one["alert"].sum()
    assert two["alert"].mean() <= 0.02


def test_consecutive_requires_k_flagged_windows_in_a_row(model, reference):
    stream = make_stream(np.random.default_rng(9), model, drift_at=3)
    out = Monitor(reference, features=["a", "b"], window=1000, consecutive=2).run(stream)
    assert out["drift_flag"].tolist()[3:] == [True, True, True]
    assert out["alert"].tolist() == [False, False, False, False, True, True]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"features": []}, ValueError, "features"),
        ({"features": ["zzz"]}, ValueError, "zzz"),
        ({"features": ["a"], "consecutive": 0}, ValueError, "consecutive"),
        ({"features": ["a"], "model": object()}, TypeError, "predict_proba"),
    ],
)
def test_monitor_rejects_bad_arguments(reference, kwargs, error, match):
    with pytest.raises(error, match=match):
        Monitor(reference, **kwargs)


@pytest.mark.parametrize("window", [1, "nonsense", "-1D"])
def test_run_rejects_bad_windows(model, reference, window):
    stream = make_stream(np.random.default_rng(10), model, n_windows=1)
    with pytest.raises(ValueError, match="window"):
        Monitor(reference, features=["a"], window=window).run(stream)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(5, 200), window=st.integers(2, 120), seed=st.integers(0, 2**32 - 1))
def test_run_never_crashes_nor_mutates(n, window, seed):
    rng = np.random.default_rng(seed)
    reference = pd.DataFrame({"a": rng.normal(size=50), "c": rng.choice(["x", "y"], 50)})
    stream = pd.DataFrame({"a": rng.normal(size=n), "c": rng.choice(["x", "y", "z"], n)})
    before = stream.copy()
    out = Monitor(reference, features=["a", "c"], window=window).run(stream)
    pd.testing.assert_frame_equal(stream, before)
    assert out["n_rows"].sum() == n
    assert out["alert"].dtype == bool
