"""Tests for mlsys_helpers.serve: request corruption and training/serving skew (the service
itself: tests/test_service.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers.quality import infer_schema
from mlsys_helpers.serve import (
    CORRUPTIONS,
    corrupt_requests,
    measure_skew,
    training_serving_skew,
)
from mlsys_helpers.train import RuleClassifier, make_pipeline_for

FEATURES = ["income", "debt_ratio", "region"]


def make_frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Loan-like rows: two numeric features, one categorical, a binary target."""
    gen = np.random.default_rng(seed)
    income = np.round(np.exp(gen.normal(np.log(52_000), 0.4, n)))
    debt = gen.uniform(0.0, 0.8, n)
    region = gen.choice(["north", "south", "east"], size=n)
    logit = 8 * (debt - 0.4) - 1.5 * (np.log(income) - np.log(52_000)) + (region == "south")
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "income": income,
            "debt_ratio": debt,
            "region": region,
            "target": (gen.random(n) < 1 / (1 + np.exp(-logit))).astype(int),
        }
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


def fit_models(frame: pd.DataFrame) -> tuple:
    """A pipeline, a debt-ratio rule and the request schema, all fitted on ``frame``."""
    pipe = make_pipeline_for(frame, "target").fit(frame, frame["target"])
    rule = RuleClassifier(feature="debt_ratio").fit(frame[["debt_ratio"]], frame["target"])
    return pipe, rule, infer_schema(frame[FEATURES])


@pytest.fixture(scope="module")
def fitted(frame):
    return fit_models(frame)


# ------------------------------------------------------------------------ corrupt_requests
def test_corrupt_requests_with_rate_zero_gives_the_clean_records(frame):
    out = corrupt_requests(frame, rate=0.0, rng=0)
    assert out["request"].tolist() == frame[FEATURES].to_dict("records")
    assert (out["corruption"] == "none").all()
    assert out.index.equals(frame.index)


def test_corrupt_requests_hits_about_rate_of_rows():
    frame = make_frame(4000)
    share = (corrupt_requests(frame, rate=0.3, rng=1)["corruption"] != "none").mean()
    # Binomial(4000, 0.3): sd = 0.0072; 4 sd tolerance.
    assert abs(share - 0.3) < 0.03


def test_corrupt_requests_does_not_mutate_and_is_reproducible(frame):
    before = frame.copy()
    a = corrupt_requests(frame, rate=0.5, rng=3)
    b = corrupt_requests(frame, rate=0.5, rng=3)
    pd.testing.assert_frame_equal(frame, before)
    assert a["corruption"].tolist() == b["corruption"].tolist()
    assert json.dumps(a["request"].tolist()) == json.dumps(b["request"].tolist())


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_each_corruption_does_what_it_says(frame, kind):
    small = frame.head(50)
    out = corrupt_requests(small, rate=1.0, kinds=[kind], rng=0)
    clean = small[FEATURES].to_dict("records")
    for request, original, name in zip(out["request"], clean, out["field"], strict=True):
        if kind == "missing_field":
            assert name not in request and len(request) == 2
        elif kind == "nan":
            assert math.isnan(request[name])
        elif kind == "inf":
            assert math.isinf(request[name])
        elif kind == "string_number":
            assert request[name] == str(original[name])
        elif kind == "unit_change":
            assert request[name] == pytest.approx(original[name] * 0.001)
        elif kind == "outlier":
            assert abs(request[name] - original[name]) > 5 * small[name].std()
        elif kind == "unseen_category":
            assert name == "region" and request[name] == "new_region"
        elif kind == "renamed_field":
            assert name not in request and len(request) == 3
        elif kind == "extra_field":
            assert set(request) == {*FEATURES, "debug_id"}
        else:
            assert request == original and name is None
    assert (out["corruption"] == kind).all()


def test_reordered_fields_changes_key_order_somewhere(frame):
    out = corrupt_requests(frame.head(50), rate=1.0, kinds=["reordered_fields"], rng=0)
    assert any(list(r) != FEATURES for r in out["request"])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"rate": 1.5}, ValueError, "rate must be a number in"),
        ({"kinds": ["typo"]}, ValueError, "kinds must be a non-empty subset"),
        ({"kinds": "nan"}, TypeError, "kinds must be a sequence"),
        ({"columns": ["nope"]}, ValueError, "frame must have the columns"),
        (
            {"columns": ["region"], "kinds": ["nan"]},
            ValueError,
            "kinds must include one that applies",
        ),
    ],
)
def test_corrupt_requests_rejects_bad_arguments(frame, kwargs, error, match):
    with pytest.raises(error, match=match):
        corrupt_requests(frame, **kwargs)


# ------------------------------------------------------------------------------------ skew
def test_scaling_skew_multiplies_only_online(frame):
    offline, online = training_serving_skew(frame, column="debt_ratio", kind="scaling", factor=100)
    pd.testing.assert_series_equal(offline["debt_ratio"], frame["debt_ratio"])
    assert np.allclose(online["debt_ratio"], frame["debt_ratio"] * 100)


def test_missing_default_skew_sends_the_default_where_offline_has_nan(frame):
    offline, online = training_serving_skew(
        frame, column="income", kind="missing_default", fraction=0.3, default=0.0, rng=0
    )
    lost = offline["income"].isna()
    assert 0.2 < lost.mean() < 0.4
    assert (online.loc[lost, "income"] == 0.0).all()
    assert (online.loc[~lost, "income"] == frame.loc[~lost, "income"]).all()


def test_window_skew_is_a_trailing_mean_in_time_order():
    frame = pd.DataFrame(
        {"timestamp": pd.date_range("2024", periods=4, freq="h")[::-1], "x": [4.0, 3.0, 2.0, 1.0]}
    )
    _, online = training_serving_skew(frame, column="x", kind="window", window=2)
    assert online["x"].tolist() == [3.5, 2.5, 1.5, 1.0]


def test_skew_costs_measurable_accuracy(fitted, frame):
    pipe = fitted[0]
    data = frame[[*FEATURES, "target"]]
    for kind, params in (
        (
            "missing_default",
            {"fraction": 0.5},
        ),  # debt_ratio sent as 0 ("no debt") instead of imputed
        ("scaling", {"factor": 100.0}),  # a percentage instead of a ratio
        ("window", {"window": 24}),  # a day's average instead of the applicant's own value
    ):
        losses = [
            measure_skew(pipe, data, column="debt_ratio", kind=kind, rng=seed, **params).loss
            for seed in range(5)
        ]
        # Seen: 0.05-0.11 (missing_default), ~0.2 (the others) on 600 rows.
        assert min(losses) > 0.03, (kind, losses)


def test_no_skew_costs_nothing(fitted, frame):
    result = measure_skew(
        fitted[0], frame[[*FEATURES, "target"]], column="debt_ratio", kind="scaling", factor=1.0
    )
    assert result.loss == 0.0 and result.metric == "accuracy"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"column": "region", "kind": "scaling"}, "column must be a numeric column"),
        ({"column": "income", "kind": "typo"}, "kind must be one of"),
        ({"column": "income", "kind": "window", "window": 0}, "window must be an int"),
        ({"column": "income", "kind": "missing_default", "fraction": 0}, "fraction must be"),
    ],
)
def test_skew_rejects_bad_arguments(frame, kwargs, match):
    with pytest.raises(ValueError, match=match):
        training_serving_skew(frame, **kwargs)
