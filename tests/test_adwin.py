"""Tests for mlsys_helpers.detect.adwin: agreement with river, the documented cut checks, both paths
(loop and detect_changes) giving the same alarms, false alarms and detection delay."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from river import drift as river_drift

from mlsys_helpers.detect import ADWIN, detect_changes
from tests.test_streaming import loop_indices, river_indices


def test_adwin_matches_river_documented_example():
    r = random.Random(12345)
    stream = r.choices([0, 1], k=1000) + r.choices(range(4, 8), k=1000)
    assert detect_changes(ADWIN(), stream) == river_indices(river_drift.ADWIN(), stream) == [1023]


# --------------------------------------------------------------------------- vectorised == loop
@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    clock=st.integers(1, 40),
    min_window_length=st.integers(1, 10),
    grace_period=st.integers(0, 60),
    max_buckets=st.integers(1, 6),
    binary=st.booleans(),
)
def test_adwin_vectorised_path_equals_loop(
    seed, clock, min_window_length, grace_period, max_buckets, binary
):
    rng = np.random.default_rng(seed)
    levels = np.repeat(rng.uniform(0.05, 0.6, 4), 1500)
    stream = (
        (rng.random(6000) < levels).astype(float)
        if binary
        else levels * 100 + rng.normal(size=6000)
    )
    det = ADWIN(
        clock=clock,
        min_window_length=min_window_length,
        grace_period=grace_period,
        max_buckets=max_buckets,
    )
    assert detect_changes(det, stream) == loop_indices(det, stream)


# --------------------------------------------------------------------------- ADWIN behaviour


def test_adwin_has_near_zero_false_alarms_on_stationary_bernoulli():
    # 30 stationary Bernoulli(0.2) streams of 10,000: delta = 0.002 bounds the false-alarm
    # probability per check; we allow at most 1 alarm in total ("near zero").
    rng = np.random.default_rng(2024)
    streams = (rng.random((30, 10_000)) < 0.2).astype(float)
    alarms = sum(len(detect_changes(ADWIN(), s)) for s in streams)
    assert alarms <= 1


def test_adwin_detection_delay_is_within_1_5x_of_river():
    rng = np.random.default_rng(7)
    streams = np.hstack([rng.random((30, 5000)) < 0.2, rng.random((30, 5000)) < 0.4]).astype(float)

    def delay(hits):
        after = [h for h in hits if h >= 5000]
        return after[0] - 5000 if after else 5000

    ours = [delay(detect_changes(ADWIN(), s)) for s in streams]
    theirs = [delay(river_indices(river_drift.ADWIN(), s.tolist())) for s in streams]
    assert np.median(ours) <= 1.5 * np.median(theirs)
    assert np.median(ours) < 1000  # and the change is found at all


def test_adwin_keeps_the_recent_window_after_a_cut():
    det = ADWIN()
    for x in [0.0] * 2000 + [1.0] * 300:
        det.update(x)
    assert det.width < 1000
    assert det.estimation > 0.5


# --------------------------------------------------------------------------- the documented bound
def adwin_ratio_by_hand(window, *, delta=0.002, max_buckets=5, min_window_length=5):
    """The largest |mean(W0) - mean(W1)| / eps over the ladder cuts, straight from the
    docstring's formula with numpy means (no prefix sums)."""
    window = np.asarray(window, dtype=float)
    width = len(window)
    d = np.log(2 * np.log(width) / delta)
    ladder = np.cumsum(np.repeat(2 ** np.arange(20), max_buckets))
    best = 0.0
    for n1 in ladder:
        n0 = width - n1
        if n1 < min_window_length or n0 < min_window_length:
            continue
        v = 1 / (n0 - min_window_length + 1) + 1 / (n1 - min_window_length + 1)
        eps = np.sqrt(2 * v * window.var() * d) + 2 / 3 * d * v
        best = max(best, abs(window[:n0].mean() - window[n0:].mean()) / eps)
    return best


@pytest.mark.parametrize(
    ("max_buckets", "min_window_length"), [(5, 5), (2, 1), (3, 10)], ids=["default", "m2", "m3"]
)
def test_adwin_statistic_follows_the_documented_bound(rng, max_buckets, min_window_length):
    values = 3.0 + rng.normal(size=3000)
    det = ADWIN(clock=1, max_buckets=max_buckets, min_window_length=min_window_length)
    for i, x in enumerate(values):
        det.update(x)
        if i + 1 in (40, 333, 1000, 3000):
            assert det.width == i + 1  # no cut on a stationary stream
            expected = adwin_ratio_by_hand(
                values[: i + 1], max_buckets=max_buckets, min_window_length=min_window_length
            )
            assert det.statistic == pytest.approx(expected, rel=1e-9)


def test_adwin_after_cuts_matches_a_fresh_window(rng):
    # after many cuts (and dropped prefix sums) the check sees exactly the kept values
    levels = np.repeat(rng.uniform(0, 5, 40), 1000)
    values = levels + rng.normal(size=len(levels))
    det = ADWIN(clock=1)
    for x in values:
        det.update(x)
    assert det.n_detections >= 20
    window = values[len(values) - det.width :]
    assert det.statistic == pytest.approx(adwin_ratio_by_hand(window), rel=1e-9)
    assert det.estimation == pytest.approx(window.mean(), rel=1e-12)


def test_adwin_long_drifting_stream_same_indices_both_paths(rng):
    levels = np.repeat(rng.uniform(0, 1, 60), 2000)
    stream = (rng.random(len(levels)) < levels).astype(float)
    hits = detect_changes(ADWIN(), stream)
    assert len(hits) >= 30
    assert hits == loop_indices(ADWIN(), stream)


def test_adwin_reading_estimation_does_not_change_the_alarms(rng):
    stream = np.r_[rng.random(3000) < 0.2, rng.random(3000) < 0.6].astype(float)
    det = ADWIN()
    hits = []
    for i, x in enumerate(stream.tolist()):
        det.update(x)
        if det.drift_detected:
            hits.append(i)
        _ = det.estimation, det.width
    assert hits == detect_changes(ADWIN(), stream)
    assert hits


@pytest.mark.parametrize("as_type", [int, np.int64, np.float32], ids=["int", "int64", "float32"])
def test_adwin_reads_any_numeric_type_as_float64(rng, as_type):
    # values every type holds exactly; the sums must still be float64 (float32 sums would
    # round differently from detect_changes' float64 arrays)
    levels = np.repeat(rng.integers(0, 5, 20), 500)
    stream = levels + rng.integers(0, 3, len(levels))
    if as_type is np.float32:  # not small integers: values a float32 holds, in float64
        stream = (stream + 0.1).astype(np.float32).astype(float)
    typed, plain = ADWIN(), ADWIN()
    hits = []
    for i, x in enumerate(stream.tolist()):
        plain.update(x)
        if typed.update(as_type(x)).drift_detected:
            hits.append(i)
        assert typed.statistic == plain.statistic
    assert hits == detect_changes(ADWIN(), stream)
    assert len(hits) >= 5
    assert typed.estimation == plain.estimation
