"""Tests for mlsys_helpers.serve.bare_predict (the undefended endpoint of chapter 05)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers.quality import infer_schema
from mlsys_helpers.serve import CORRUPTIONS, bare_predict, corrupt_requests
from mlsys_helpers.train import make_pipeline_for
from mlsys_helpers.world import LoanWorld

WORLD = LoanWorld()
FEATURES = list(WORLD.features)


@pytest.fixture(scope="module")
def fitted():
    frame = WORLD.sample(1500, rng=0)
    model = make_pipeline_for(frame).fit(frame, frame["target"])
    return frame, model, infer_schema(frame[FEATURES])


def one_by_one(model, requests):
    """The real bare endpoint: one call per request, errors caught."""
    out = []
    for request in requests:
        try:
            out.append(model.predict(pd.DataFrame([request]))[0].item())
        except Exception:  # noqa: BLE001 - the endpoint answers an error
            out.append(None)
    return out


def test_bare_predict_matches_one_call_per_request_for_every_corruption(fitted):
    frame, model, schema = fitted
    requests = corrupt_requests(frame.iloc[:200], rate=1.0, columns=FEATURES, rng=1)
    assert set(requests["corruption"]) == set(CORRUPTIONS)  # every kind is exercised
    batch = bare_predict(model, requests["request"], schema=schema)
    assert batch["prediction"].tolist() == one_by_one(model, requests["request"])


def test_bare_predict_errors_exactly_on_absent_fields_and_infinities(fitted):
    frame, model, schema = fitted
    requests = corrupt_requests(frame.iloc[:300], rate=1.0, columns=FEATURES, rng=2)
    batch = bare_predict(model, requests["request"], schema=schema)
    failing = {"missing_field", "renamed_field", "inf"}
    assert ((batch["error"] != "").to_numpy() == requests["corruption"].isin(failing)).all()
    assert batch.loc[batch["error"] != "", "prediction"].isna().all()


def test_bare_predict_on_clean_requests_equals_model_predict(fitted):
    frame, model, schema = fitted
    requests = frame[FEATURES].to_dict("records")
    batch = bare_predict(model, requests, schema=schema)
    assert (batch["error"] == "").all()
    assert batch["prediction"].tolist() == model.predict(frame).tolist()


def test_bare_predict_reports_unreadable_values_and_non_dicts(fitted):
    frame, model, schema = fitted
    good = frame[FEATURES].iloc[0].to_dict()
    out = bare_predict(
        model, [{**good, "income": "n/a"}, ["junk"], {**good, "age": None}], schema=schema
    )
    assert out["error"].tolist()[0] == "'income' is not a number: 'n/a'"
    assert out["error"].tolist()[1] == "not a dict: list"
    assert out["error"].tolist()[2] == ""  # None is missing: the imputer fills it


def test_bare_predict_does_not_mutate_requests(fitted):
    frame, model, schema = fitted
    requests = list(corrupt_requests(frame.iloc[:50], rate=1.0, columns=FEATURES, rng=3)["request"])
    before = copy.deepcopy(requests)
    bare_predict(model, requests, schema=schema)
    assert all(
        a.keys() == b.keys() and all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)
        for a, b in zip(requests, before, strict=True)
    )


def test_bare_predict_with_no_answerable_request_returns_errors_only(fitted):
    _, model, schema = fitted
    out = bare_predict(model, [{}, {}], schema=schema)
    assert out["prediction"].isna().all() and (out["error"] != "").all()
    assert len(bare_predict(model, [], schema=schema)) == 0


def test_bare_predict_rejects_a_non_schema():
    with pytest.raises(TypeError, match="schema must be"):
        bare_predict(None, [{}], schema={"x": "numeric"})


def test_bare_predict_is_numpy_free_in_its_output(fitted):
    frame, model, schema = fitted
    out = bare_predict(model, frame[FEATURES].iloc[:3].to_dict("records"), schema=schema)
    assert all(type(v) is int for v in out["prediction"])
    assert np.isin(out["prediction"].to_numpy(dtype=int), [0, 1]).all()
