"""Tests for mlsys_helpers.serve.service: the defensive ModelService (repairs, fallback, latency and
cost, the request log, reliability under garbage)."""

from __future__ import annotations

import json
import math
import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlsys_helpers.quality import infer_schema
from mlsys_helpers.serve import NOTHING_READ, SOURCES, ModelService, Response
from mlsys_helpers.train import RuleClassifier
from tests.test_serve import FEATURES, fit_models, make_frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="module")
def fitted(frame):
    return fit_models(frame)


def service_for(fitted, **kwargs) -> ModelService:
    pipe, rule, schema = fitted
    kwargs = {"fallback": rule, "rng": 0, **kwargs}
    return ModelService(pipe, schema=schema, **kwargs)


CLEAN = {"income": 50_000.0, "debt_ratio": 0.3, "region": "north"}


# -------------------------------------------------------------------------- ModelService
def test_clean_request_is_served_by_the_model(fitted):
    service = service_for(fitted)
    response = service.predict(dict(CLEAN))
    assert response.source == "model" and response.problems == () and response.reason == ""
    assert response.prediction == fitted[0].predict(pd.DataFrame([CLEAN]))[0]
    assert isinstance(response.prediction, int)


@pytest.mark.parametrize(
    ("request_", "problem"),
    [
        ({"Income": 50_000.0, "debt_ratio": 0.3, "region": "north"}, "renamed field 'Income'"),
        ({**CLEAN, "debug_id": 7}, "extra field 'debug_id' ignored"),
        ({**CLEAN, "income": " 50000 "}, "parsed 'income' from string"),
        ({**CLEAN, "region": " North"}, "matched 'region' ' North' to 'north'"),
        ({"debt_ratio": 0.3, "region": "north"}, "missing field 'income'"),
        ({**CLEAN, "income": float("nan")}, "missing 'income'"),
        ({**CLEAN, "income": None}, "missing 'income'"),
        ({**CLEAN, "region": "mars"}, "unseen category 'mars'"),
    ],
)
def test_safe_repairs_are_served_by_the_model_and_reported(fitted, request_, problem):
    response = service_for(fitted).predict(request_)
    assert response.source == "model"
    assert any(p.startswith(problem) for p in response.problems), response.problems


def test_repaired_request_gets_the_same_answer_as_the_clean_one(fitted):
    service = service_for(fitted)
    clean = service.predict(dict(CLEAN)).prediction
    messy = {"Region": "NORTH ", "debt-ratio": "0.3", "income": "50000", "x": 1}
    assert service.predict(messy).prediction == clean


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        ({**CLEAN, "income": float("inf")}, "unreadable field"),
        ({**CLEAN, "income": "fifty thousand"}, "unreadable field"),
        ({**CLEAN, "income": [1, 2]}, "unreadable field"),
        ({**CLEAN, "income": True}, "unreadable field"),
        ({**CLEAN, "region": {"a": 1}}, "unreadable field"),
        ({**CLEAN, "income": -80_000.0}, "out of range"),
        ({**CLEAN, "debt_ratio": 35.0}, "out of range"),  # sent in percent
        ({"region": "north"}, "too many missing fields"),
        ({**CLEAN, "income": 10**400}, "out of range"),  # OverflowError in float()
        ({**CLEAN, "income": -1.0}, "out of range"),  # impossible: training minimum >= 0
        ({**CLEAN, "debt_ratio": -0.05}, "out of range"),
    ],
)
def test_unsafe_requests_get_the_fallback_and_a_reason(fitted, request_, reason):
    response = service_for(fitted).predict(request_)
    assert response.source == "fallback"
    assert response.reason.startswith(reason)
    assert response.prediction in (0, 1)


def test_a_unit_change_inside_the_range_margin_is_not_caught(fitted):
    # Income in thousands (50 instead of 50,000) is still within min - 10% of the span of a
    # skewed column: range checks catch some unit changes, not all. The model serves it.
    response = service_for(fitted).predict({**CLEAN, "income": 50.0})
    assert response.source == "model" and response.problems == ()


def test_out_of_range_value_reaches_the_fallback_unchanged(fitted):
    # debt_ratio = 35 is far above the rule's threshold: the rule must see 35, not a NaN.
    rule = fitted[1]
    response = service_for(fitted).predict({**CLEAN, "debt_ratio": 35.0})
    assert response.prediction == rule.predict(pd.DataFrame({"debt_ratio": [35.0]}))[0]


def test_over_budget_requests_are_answered_by_the_fallback(fitted):
    service = service_for(fitted, latency_budget_ms=30.0, model_latency_ms=20.0, latency_sigma=0.5)
    responses = service.predict_many([dict(CLEAN)] * 400)
    slow = [r for r in responses if r.reason.startswith("over latency budget")]
    # P(lognormal(log 20, 0.5) > 30) = P(Z > 0.81) = 0.21; 400 draws: sd 0.02, 4 sd tolerance.
    assert abs(len(slow) / 400 - 0.21) < 0.08
    assert all(r.source == "fallback" and r.latency_ms == 31.0 for r in slow)
    assert all(r.latency_ms <= 30.0 for r in responses if r.source == "model")


def test_modelled_latency_has_the_configured_median(fitted):
    service = service_for(fitted, model_latency_ms=40.0, latency_sigma=0.3)
    latencies = [r.latency_ms for r in service.predict_many([dict(CLEAN)] * 2000)]
    # Median of 2000 log-normal draws: relative sd about 0.3 * 1.25 / sqrt(2000) = 0.8%.
    assert np.median(latencies) == pytest.approx(40.0, rel=0.05)


def test_cost_is_charged_per_model_call(fitted):
    service = service_for(fitted, cost_per_1k=2.0)
    service.predict_many([dict(CLEAN)] * 10 + [[1]] * 5)
    assert service.total_cost == pytest.approx(10 * 2.0 / 1000)
    assert service.log_frame()["cost"].tolist() == [0.002] * 10 + [0.0] * 5


def test_without_fallback_unsafe_requests_are_rejected(fitted):
    pipe, _, schema = fitted
    service = ModelService(pipe, schema=schema)
    response = service.predict({**CLEAN, "income": float("inf")})
    assert response.source == "rejected" and response.prediction is None
    assert response.reason == "unreadable field; no fallback"


def test_a_constant_fallback_is_returned_as_is(fitted):
    pipe, _, schema = fitted
    service = ModelService(pipe, schema=schema, fallback="refer to a human")
    assert service.predict({**CLEAN, "income": "n/a"}).prediction == "refer to a human"


class Exploding:
    def predict(self, frame):
        raise RuntimeError("model server down")


def test_a_failing_model_falls_back_with_its_error(fitted):
    _, rule, schema = fitted
    response = ModelService(Exploding(), schema=schema, fallback=rule).predict(dict(CLEAN))
    assert response.source == "fallback"
    assert response.reason == "model error: RuntimeError: model server down"


def test_a_failing_fallback_gives_a_rejected_response(fitted):
    _, _, schema = fitted
    response = ModelService(Exploding(), schema=schema, fallback=Exploding()).predict(dict(CLEAN))
    assert response.source == "rejected" and response.prediction is None
    assert "fallback error: RuntimeError" in response.reason


def test_predict_does_not_mutate_the_request(fitted):
    request = {"Income": "50000", "debt_ratio": None, "region": " North", "x": [1]}
    copy = json.loads(json.dumps(request))
    service_for(fitted).predict(request)
    assert request == copy


def test_log_has_one_tidy_record_per_request(fitted):
    service = service_for(fitted)
    requests = [dict(CLEAN), [1], {**CLEAN, "income": "50000"}]
    responses = [service.predict(r) for r in requests]
    log = service.log_frame()
    assert list(log.columns) == [
        "request_id", "received", "source", "prediction", "reason", "n_problems", "problems",
        "latency_ms", "compute_ms", "cost", "request",
    ]  # fmt: skip
    assert log["request_id"].tolist() == [r.request_id for r in responses] == [0, 1, 2]
    assert log["source"].tolist() == ["model", "rejected", "model"]
    assert log["request"].tolist() == requests
    assert log["n_problems"].tolist() == [0, 1, 1]


def test_empty_log_frame_has_the_columns(fitted):
    log = service_for(fitted).log_frame()
    assert len(log) == 0 and "request_id" in log.columns


def test_clear_log_keeps_counting_ids(fitted):
    service = service_for(fitted)
    service.predict(dict(CLEAN))
    service.clear_log()
    assert service.n_logged == 0
    assert service.predict(dict(CLEAN)).request_id == 1


def test_predict_frame_matches_predict_row_by_row(fitted, frame):
    rows = frame[FEATURES].head(60).copy()
    rows.loc[rows.index[:5], "income"] = np.nan
    rows.loc[rows.index[5:8], "debt_ratio"] = 9.0  # out of range -> fallback
    rows.loc[rows.index[8:10], "region"] = "mars"
    batch = service_for(fitted, rng=1).predict_frame(rows)
    single = [service_for(fitted, rng=1).predict(r) for r in rows.to_dict("records")]
    assert batch.index.equals(rows.index)
    assert batch["prediction"].tolist() == [r.prediction for r in single]
    assert batch["source"].tolist() == [r.source for r in single]
    assert batch["problems"].tolist() == ["; ".join(r.problems) for r in single]
    assert (batch["source"] == "fallback").sum() == 3


def test_batch_path_logs_one_record_per_row(fitted, frame):
    service = service_for(fitted)
    service.predict_frame(frame[FEATURES].head(123))
    assert service.n_logged == 123
    assert service.log_frame()["request_id"].tolist() == list(range(123))


def test_concurrent_predictions_lose_no_log_record(fitted):
    _, rule, schema = fitted
    service = ModelService(rule, schema=schema, fallback=0)
    barrier = threading.Barrier(8)

    def client():
        barrier.wait()
        for _ in range(100):
            service.predict(dict(CLEAN))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = service.log_frame()["request_id"]
    assert len(ids) == 800 and ids.is_unique and set(ids) == set(range(800))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"model": object()}, TypeError, "model must have a predict method"),
        ({"schema": {"income": "numeric"}}, TypeError, "schema must be a quality.Schema"),
        ({"latency_budget_ms": 0}, ValueError, "latency_budget_ms must be a number > 0"),
        ({"cost_per_1k": -1.0}, ValueError, "cost_per_1k must be a number >= 0"),
        ({"max_missing": float("nan")}, ValueError, "max_missing must be a number >= 0"),
    ],
)
def test_model_service_rejects_bad_arguments(fitted, kwargs, error, match):
    pipe, _, schema = fitted
    kwargs = {"model": pipe, "schema": schema, **kwargs}
    with pytest.raises(error, match=match):
        ModelService(**kwargs)


def test_predict_many_rejects_a_single_dict(fitted):
    with pytest.raises(TypeError, match="requests must be an iterable"):
        service_for(fitted).predict_many(dict(CLEAN))


# --------------------------------------------------------------------------- reliability
def assert_well_formed(response: Response) -> None:
    assert isinstance(response, Response)
    assert response.source in SOURCES
    assert isinstance(response.request_id, int)
    assert math.isfinite(response.latency_ms) and response.latency_ms >= 0
    assert isinstance(response.problems, tuple) and all(
        isinstance(p, str) for p in response.problems
    )
    assert not any(p.startswith("internal error") for p in response.problems)
    assert (response.source == "model") == (response.reason == "")
    json.dumps(response.to_dict())


# Hand-picked nasty values (deep nesting, huge strings, NaN/inf, bytes, tuples) drawn cheaply with
# sampled_from, mixed with generated numbers, text and one level of generated nesting.
NASTY = [
    None, True, False, 0, -1, 2**70, -(2**70), math.nan, math.inf, -math.inf, 1e308, -0.0,
    "", "50000", " North ", "nan", "inf", "1e309", "south", "x" * 100_000, "\x00", "\U0001f642",
    [], {}, [1, [2, [3, [4]]]], {"a": {"b": {"c": None}}}, [None], {"income": 1}, (1, 2), b"bytes",
]  # fmt: skip
scalars = (
    st.sampled_from(NASTY)
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
junk = (
    scalars
    | st.lists(scalars, max_size=3)
    | st.dictionaries(st.text(max_size=4), scalars, max_size=3)
)
keys = st.sampled_from([*FEATURES, "Income", "DEBT_RATIO", "debt-ratio", "extra", ""]) | st.text(
    max_size=6
)
garbage_request = st.one_of(
    # schema fields (some renamed) with junk values: exercises the reading and repairing code
    st.fixed_dictionaries({}, optional={k: junk for k in [*FEATURES, "Income", "debt-ratio"]}),
    st.dictionaries(keys, junk, max_size=4),  # any keys
    junk,  # not even a dict
)


class TinyModel:
    """A stand-in model that keeps 10,000 requests fast: imputes like a pipeline, reads 2 fields."""

    feature_names_in_ = np.array(["income", "region"], dtype=object)

    def predict(self, frame):
        low_income = frame["income"].fillna(52_000).to_numpy() < 40_000
        return (low_income | (frame["region"] == "south").to_numpy()).astype(int)


class TinyRule:
    """A stand-in fallback rule on debt_ratio (missing -> the low-risk side)."""

    feature_names_in_ = np.array(["debt_ratio"], dtype=object)

    def predict(self, frame):
        return (frame["debt_ratio"].fillna(0.3).to_numpy() > 0.5).astype(int)


def test_fuzz_10_000_garbage_requests_get_well_formed_answers_and_one_log_record_each(fitted):
    # The reading and repairing code is the target; sklearn's input validation (about 1 ms per
    # call) is tested elsewhere, so tiny stand-in models keep the 10,000 requests fast.
    service = ModelService(
        TinyModel(), schema=fitted[2], fallback=TinyRule(), latency_budget_ms=50, rng=0
    )
    seen = 0

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(batch=st.lists(garbage_request, min_size=100, max_size=100))
    def serve_batch(batch):
        nonlocal seen
        before = service.n_logged
        for request in batch:
            assert_well_formed(service.predict(request))
        assert service.n_logged == before + len(batch)
        seen += len(batch)

    serve_batch()
    assert seen >= 10_000
    assert service.n_logged == seen
    assert service.log_frame()["request_id"].is_unique


def test_fuzz_garbage_through_a_real_pipeline_and_rule(fitted):
    # Fewer requests, real scikit-learn model and fallback: their input checks must not leak out.
    service = service_for(fitted, latency_budget_ms=50)

    @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(batch=st.lists(garbage_request, min_size=100, max_size=100))
    def serve_batch(batch):
        for request in batch:
            response = service.predict(request)
            assert_well_formed(response)
            assert response.source != "rejected" or response.reason == NOTHING_READ

    serve_batch()
    assert service.n_logged == 300


class FailsOnSouth:
    """A model that cannot handle one category (raises for the whole batch containing it)."""

    feature_names_in_ = np.array(["region"], dtype=object)

    def predict(self, frame):
        if (frame["region"] == "south").any():
            raise ValueError("south is not supported")
        return np.ones(len(frame), dtype=int)


def test_one_bad_row_does_not_send_the_whole_batch_to_the_fallback(fitted):
    service = ModelService(FailsOnSouth(), schema=fitted[2], fallback=0)
    rows = [dict(CLEAN), {**CLEAN, "region": "south"}, dict(CLEAN)]
    responses = service.predict_many(rows)
    assert [r.source for r in responses] == ["model", "fallback", "model"]
    assert responses[1].reason == "model error: ValueError: south is not supported"


@pytest.mark.parametrize(
    "stamp",
    [pd.Timestamp("2024-03-01 10:00"), np.datetime64("2024-03-01T10:00"), "2024-03-01T10:00:00"],
    ids=["Timestamp", "datetime64", "iso-string"],
)
def test_datetime_fields_accept_timestamps_and_iso_strings(stamp):
    train = pd.DataFrame(
        {"when": pd.date_range("2024-01-01", periods=50, freq="D"), "x": np.arange(50.0)}
    )
    service = ModelService(
        RuleClassifier().fit(train[["x"]], np.arange(50) > 25), schema=infer_schema(train)
    )
    response = service.predict({"when": stamp, "x": 30.0})
    assert response.source == "model"
    assert not any("when" in p for p in response.problems)


def test_datetime_field_rejects_nat_and_junk():
    train = pd.DataFrame(
        {"when": pd.date_range("2024-01-01", periods=50, freq="D"), "x": np.arange(50.0)}
    )
    service = ModelService(
        RuleClassifier().fit(train[["x"]], np.arange(50) > 25), schema=infer_schema(train)
    )
    for junk in (pd.NaT, "not a date", 3.5):
        assert any("when" in p for p in service.predict({"when": junk, "x": 30.0}).problems)


@pytest.mark.parametrize("request_", [[1, 2, 3], None, "hello", {}, {"x": 1, "y": "z"}, 17])
def test_nothing_readable_is_rejected_not_decided(fitted, request_):
    # A caller must be able to tell: no decision, a rejected source and the reason.
    response = service_for(fitted).predict(request_)
    assert response.source == "rejected" and response.prediction is None
    assert response.reason == NOTHING_READ


def test_an_overflowing_number_is_reported_on_its_field_and_the_others_are_kept(fitted):
    rule = fitted[1]
    response = service_for(fitted).predict({**CLEAN, "income": 10**400, "debt_ratio": 0.9})
    assert response.source == "fallback" and response.reason == "out of range"
    assert any("'income' is out of range" in p for p in response.problems)
    assert not any("internal error" in p for p in response.problems)
    # the valid debt_ratio reached the fallback rule
    assert response.prediction == rule.predict(pd.DataFrame({"debt_ratio": [0.9]}))[0]


def test_a_negative_value_of_a_non_negative_column_is_reported(fitted):
    response = service_for(fitted).predict({**CLEAN, "income": -1.0})
    assert response.source == "fallback"
    assert any("'income'=-1 is below the hard lower bound 0" in p for p in response.problems)


def test_the_log_is_bounded_and_counts_what_it_dropped(fitted):
    service = service_for(fitted, max_log=50)
    service.predict_many([dict(CLEAN)] * 120)
    assert service.n_logged == 50 and service.n_dropped == 70
    assert service.log_frame()["request_id"].tolist() == list(range(70, 120))
    service.clear_log()
    assert (service.n_logged, service.n_dropped) == (0, 0)


def test_large_requests_are_stored_truncated(fitted):
    service = service_for(fitted, max_request_chars=500)
    big = {**CLEAN, "comment": "x" * 60_000}
    service.predict(big)
    service.predict(dict(CLEAN))
    stored = service.log_frame()["request"].tolist()
    assert isinstance(stored[0], str) and len(stored[0]) < 600
    assert stored[0].endswith("(truncated from 60072 characters)")
    assert stored[1] == CLEAN


def test_log_memory_stays_bounded_under_many_large_requests(fitted):
    # Memory via the log's size, not timings: 3,000 requests, half of them 60 KB bodies.
    service = service_for(fitted, max_log=200, max_request_chars=1_000)
    big = {**CLEAN, "comment": "x" * 60_000}
    for k in range(30):
        service.predict_many([big if (k + i) % 2 else dict(CLEAN) for i in range(100)])
    stored = sum(
        len(json.dumps(r)) if not isinstance(r, str) else len(r)
        for r in service.log_frame()["request"]
    )
    assert service.n_logged == 200 and service.n_dropped == 2_800
    assert stored <= 200 * 1_100


@pytest.mark.parametrize("name", ["max_log", "max_request_chars"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_log_bounds_are_validated(fitted, name, value):
    with pytest.raises(ValueError, match=f"{name} must be an int >= 1"):
        service_for(fitted, **{name: value})
