"""Unit tests of mlsys_helpers.incidents: the cases, their contents, and change_start."""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers import incidents
from mlsys_helpers._keys import ch09


@functools.cache
def _case(number: int, seed: int) -> incidents.Case:
    return incidents.open_case(number, rng=seed)


# ------------------------------------------------------------------------------ open_case
def test_same_number_and_seed_give_the_same_case():
    a, b = incidents.open_case(2, rng=3), _case(2, 3)
    assert a.pager == b.pager and a.briefing == b.briefing
    for name in ("requests", "outcomes", "reference", "timeline"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    pd.testing.assert_frame_equal(a.logs.drop(columns="request"), b.logs.drop(columns="request"))


def test_another_seed_gives_other_data():
    a, b = _case(2, 3), _case(2, 4)
    assert not a.requests["income"].equals(b.requests["income"])


@pytest.mark.parametrize("number", [0, incidents.N_CASES + 1, -1])
def test_number_out_of_range_is_refused(number):
    with pytest.raises(ValueError, match=f"number must be from 1 to {incidents.N_CASES}"):
        incidents.open_case(number)


@pytest.mark.parametrize("number", ["1", 1.0, True])
def test_number_must_be_an_int(number):
    with pytest.raises(TypeError, match="number must be an int"):
        incidents.open_case(number)


def test_rng_must_be_a_non_negative_int_or_a_generator():
    with pytest.raises(ValueError, match="rng must be an int >= 0, got -1"):
        incidents.open_case(1, rng=-1)
    for rng, kind in [(1.5, "float"), ("0", "str"), (True, "bool")]:
        with pytest.raises(TypeError, match=f"rng must be an int or a numpy Generator, got {kind}"):
            incidents.open_case(1, rng=rng)


def test_a_generator_gives_a_case_its_int_which_reopens_it():
    case = incidents.open_case(2, rng=np.random.default_rng(5))
    assert case.rng == int(np.random.default_rng(5).integers(0, 2**32))
    again = incidents.open_case(2, rng=case.rng)
    pd.testing.assert_frame_equal(case.requests, again.requests)
    assert case.pager == again.pager


@pytest.mark.parametrize("number", range(1, incidents.N_CASES + 1))
def test_a_case_does_not_hold_its_answer(number):
    case = _case(number, 0)
    start = incidents._start_of(number, 0)
    texts = [case.title, case.pager, case.briefing, repr(case), *case.timeline["event"]]
    for category in incidents.CATEGORIES:
        assert not any(category in t for t in texts)
        assert not any(category.replace("_", " ") in t.lower() for t in texts)
    assert not any(hasattr(case, name) for name in ("cause", "start", "truth", "answer"))
    assert "drift_weight" not in case.requests.columns and "true_proba" not in case.requests
    assert start not in set(case.timeline["time"].dt.floor("h"))  # change-log entries are not it


def test_the_start_falls_12_to_21_days_after_deployment():
    for number in range(1, incidents.N_CASES + 1):
        days = [
            (incidents._start_of(number, s) - incidents._deployed(number)).days for s in range(200)
        ]
        assert min(days) == 12 and max(days) == 21


def test_logs_have_one_row_per_request_in_order():
    case = _case(1, 0)
    assert case.logs["request_id"].tolist() == case.requests["request_id"].tolist()
    assert case.logs["received"].equals(case.requests["timestamp"].rename("received"))
    assert len(case.requests) == incidents.DAYS * incidents.PER_DAY
    assert set(case.logs["source"]) <= {"model", "fallback"}
    assert "compute_ms" not in case.logs.columns  # wall-clock measurement: not reproducible


def test_outcomes_arrive_seven_days_late_and_not_after_the_page():
    case = _case(3, 0)
    joined = case.outcomes.merge(case.requests[["request_id", "timestamp"]], on="request_id")
    assert (joined["label_time"] - joined["timestamp"] == incidents.LABEL_DELAY).all()
    assert case.outcomes["label_time"].max() <= case.opened
    unlabelled = case.requests["timestamp"] > case.opened - incidents.LABEL_DELAY
    assert not case.requests.loc[unlabelled, "request_id"].isin(case.outcomes["request_id"]).any()


def test_stream_adds_the_known_outcomes():
    case = _case(3, 0)
    stream = case.stream
    assert len(stream) == len(case.requests)
    assert stream["target"].notna().sum() == len(case.outcomes)


def test_monitor_has_one_row_per_day():
    report = _case(1, 0).monitor
    assert len(report) == incidents.DAYS
    assert (report["n_rows"] == incidents.PER_DAY).all()
    assert (report["start"].diff().dropna() == pd.Timedelta("1D")).all()


def test_the_pager_fires_at_the_end_of_the_timeline():
    case = _case(5, 0)
    last = case.timeline.iloc[-1]
    assert last["source"] == "pager" and last["event"] == case.pager
    assert last["time"] == case.opened
    assert case.timeline["time"].is_monotonic_increasing


def test_plot_draws_four_labelled_panels():
    import matplotlib.pyplot as plt

    axes = _case(1, 0).plot()
    assert [ax.get_ylabel() for ax in axes] == [
        "share of requests",
        "share predicted default",
        "features drifted",
        "accuracy",
    ]
    assert all(ax.get_title() for ax in axes)
    plt.close("all")


def test_plot_refuses_the_wrong_number_of_axes():
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(2)
    with pytest.raises(ValueError, match="axes must hold 4 Axes"):
        _case(1, 0).plot(axes=axes)
    plt.close("all")


def test_the_cause_digests_are_the_hashes_of_the_generators_causes():
    for number, scenario in incidents._SCENARIOS.items():
        text = f"{ch09.SALT}|{number}|{scenario.cause}"
        assert hashlib.sha256(text.encode()).hexdigest() == ch09.CAUSE_SHA256[number]
        assert scenario.cause in incidents.CATEGORIES


# ------------------------------------------------------------------------------ change_start
def _noisy(values, seed, sd=0.02):
    days = pd.date_range("2025-01-01", periods=len(values), freq="D")
    noise = np.random.default_rng(seed).normal(0, sd, len(values))
    return pd.Series(np.asarray(values) + noise, index=days)


def test_change_start_finds_a_step():
    for seed in range(20):
        series = _noisy(np.r_[np.full(17, 0.3), np.full(13, 0.15)], seed)
        assert change_day(series) == 17


def test_change_start_finds_where_a_ramp_begins():
    values = np.r_[np.full(15, 0.88), np.linspace(0.86, 0.68, 10), np.full(5, 0.68)]
    starts = [change_day(_noisy(values, s), gradual=True) for s in range(20)]
    # tolerance: the noise (sd 0.02) is as large as one day's slope, so +-2 days
    assert all(abs(s - 15) <= 2 for s in starts)
    assert abs(np.mean(starts) - 15) <= 1


def test_a_step_fit_lands_in_the_middle_of_a_ramp():
    values = np.r_[np.full(10, 1.0), np.linspace(0.9, 0.0, 10), np.full(10, 0.0)]
    assert 13 <= change_day(_noisy(values, 0, sd=0.0)) <= 16


def test_change_start_skips_missing_values():
    series = _noisy(np.r_[np.full(8, 1.0), np.full(8, 2.0)], 0)
    series.iloc[[3, 12]] = np.nan
    assert change_start_label(series) == series.index[8]


def change_day(series, **kwargs):
    return series.index.get_loc(incidents.change_start(series, **kwargs))


def change_start_label(series):
    return incidents.change_start(series)


def test_change_start_needs_a_series_of_at_least_four_values():
    with pytest.raises(TypeError, match="series must be a pandas Series"):
        incidents.change_start([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="at least 4 non-missing values"):
        incidents.change_start(pd.Series([1.0, np.nan, 2.0, 3.0]))
