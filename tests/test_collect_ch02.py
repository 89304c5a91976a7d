"""Tests for mlsys_helpers.collect.outcome_trace (added for chapter 02)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers import collect


def labelled(n: int = 20_000, seed: int = 0) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    return pd.DataFrame({"x": gen.normal(size=n), "target": gen.integers(0, 2, n)})


def test_outcome_trace_rates_per_class_are_as_asked():
    traced = collect.outcome_trace(labelled(), name="flag", rate={1: 0.9, 0: 0.05}, rng=1)
    shares = traced.groupby("target")["flag"].mean()
    # 10,000 rows per class: sampling sd <= 0.005, so 0.02 is four sd.
    assert shares[1] == pytest.approx(0.9, abs=0.02)
    assert shares[0] == pytest.approx(0.05, abs=0.02)


def test_outcome_trace_with_a_float_rate_is_independent_of_the_label():
    traced = collect.outcome_trace(labelled(), name="flag", rate=0.3, rng=2)
    shares = traced.groupby("target")["flag"].mean()
    assert abs(shares[1] - shares[0]) < 0.03  # difference sd about 0.0065
    assert traced["flag"].mean() == pytest.approx(0.3, abs=0.02)


def test_outcome_trace_unlisted_classes_and_missing_labels_get_zero():
    frame = pd.DataFrame({"target": pd.array([0, 1, None, 1], dtype="Int64")})
    traced = collect.outcome_trace(frame, name="flag", rate={1: 1.0})
    assert traced["flag"].tolist() == [0, 1, 0, 1]


def test_outcome_trace_does_not_mutate_and_is_seeded():
    frame = labelled(100)
    before = frame.copy()
    first = collect.outcome_trace(frame, name="flag", rate={1: 0.5}, rng=3)
    again = collect.outcome_trace(frame, name="flag", rate={1: 0.5}, rng=3)
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(first, again)
    assert first["flag"].dtype == np.int64


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": "flag", "rate": 1.5}, ValueError, "rate must be in"),
        ({"name": "flag", "rate": {1: -0.1}}, ValueError, r"rate\[1\] must be in"),
        ({"name": "target", "rate": 0.5}, ValueError, "name must differ"),
        ({"name": 3, "rate": 0.5}, TypeError, "name must be a column name"),
        (
            {"name": "flag", "rate": 0.5, "column": "nope"},
            ValueError,
            "column must be a column of frame .*, got 'nope'",
        ),
    ],
)
def test_outcome_trace_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        collect.outcome_trace(labelled(10), **kwargs)
