"""Tests for mlsys_helpers.drift: validation, schedules, injection, and ground truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mlsys_helpers.drift import Drift, inject
from mlsys_helpers.world import LoanWorld

SEEDS = range(20)
LOAN = LoanWorld()


def _frame(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    """A small non-world frame: hourly timestamps, a float, an int, a string and a 0/1 label."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "x": rng.normal(10.0, 2.0, n),
            "count": rng.integers(0, 50, n),
            "colour": pd.array(
                rng.choice(["red", "green", "blue"], n, p=[0.6, 0.3, 0.1]), dtype="str"
            ),
            "target": (rng.random(n) < 0.3).astype(np.int64),
        }
    )


# -- Drift validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kind": "label"}, ValueError, "kind must be one of"),
        ({"pattern": "wavy"}, ValueError, "pattern must be one of"),
        ({"start": True}, TypeError, "start must be"),
        ({"start": 3.5}, TypeError, "start must be"),
        ({"start": "not a date"}, ValueError, "start must be a parseable timestamp"),
        ({"start": -1}, ValueError, "start must be >= 0"),
        ({"width": "1D"}, ValueError, "width must be 0 for pattern 'sudden'"),
        ({"pattern": "gradual"}, ValueError, "width must be > 0"),
        ({"pattern": "gradual", "width": "-1D"}, ValueError, "width must be >= 0"),
        ({"pattern": "gradual", "width": 5}, TypeError, "width must be a Timedelta"),
        ({"start": 10, "pattern": "gradual", "width": "1D"}, TypeError, "width must be an int"),
        ({"pattern": "recurring"}, ValueError, "period must be given"),
        ({"pattern": "recurring", "period": "0D"}, ValueError, "period must be > 0"),
        ({"period": "7D"}, ValueError, "period must be None unless"),
        ({"magnitude": float("nan")}, ValueError, "magnitude must be finite"),
        ({"magnitude": "big"}, TypeError, "magnitude must be a real number"),
        ({"magnitude": True}, TypeError, "magnitude must be a real number"),
        (
            {"kind": "prior", "magnitude": 1.5, "column": None},
            ValueError,
            r"magnitude must be in \[0, 1\]",
        ),
        ({"fraction": 0.0}, ValueError, r"fraction must be in \(0, 1\]"),
        ({"fraction": 1.2}, ValueError, "fraction must be in"),
        ({"scale": 0.0}, ValueError, "scale must be > 0"),
        ({"kind": "concept", "scale": 2.0, "column": None}, ValueError, "scale must be 1.0 unless"),
        ({"column": None}, ValueError, "column must be given for covariate drift"),
        ({"column": 3}, TypeError, "column must be a str"),
        (
            {"kind": "concept", "category": "a"},
            ValueError,
            "category must be None for concept drift",
        ),
    ],
)
def test_drift_rejects_bad_arguments_naming_them(kwargs, error, match):
    args = {"kind": "covariate", "start": "2024-01-01", "magnitude": 1.0, "column": "x"} | kwargs
    kind = args.pop("kind")
    with pytest.raises(error, match=match):
        Drift(kind, **args)


def test_drift_normalises_start_width_and_period():
    d = Drift("prior", start="2024-01-01", pattern="recurring", period="7D", magnitude=0.5)
    assert d.start == pd.Timestamp("2024-01-01") and d.period == pd.Timedelta("7D")
    g = Drift(
        "prior", start="2024-01-01", pattern="gradual", width=pd.Timedelta(hours=6), magnitude=0.5
    )
    assert g.width == pd.Timedelta("6h") and not g.positional
    assert Drift("prior", start=np.int64(5), magnitude=0.5).positional


def test_drift_is_frozen():
    d = Drift("prior", start=0, magnitude=0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.magnitude = 0.9


# -- schedules -------------------------------------------------------------------------------

TIMES = pd.date_range("2024-01-01", periods=24 * 30, freq="h")
START = pd.Timestamp("2024-01-10")


def test_sudden_drift_switches_every_row_at_start():
    w = Drift("prior", start=START, magnitude=0.5).row_weights(TIMES, rng=0)
    np.testing.assert_array_equal(w, (TIMES >= START).astype(float))


def test_incremental_drift_weight_ramps_linearly_over_width():
    d = Drift("prior", start=START, pattern="incremental", width="5D", magnitude=0.5)
    expected = np.clip((TIMES - START) / pd.Timedelta("5D"), 0, 1)
    np.testing.assert_allclose(d.row_weights(TIMES, rng=0), expected)


def test_gradual_drift_rows_are_old_or_new_with_a_rising_share():
    times = pd.date_range("2024-01-01", periods=200_000, freq="min")
    start, width = times[50_000], pd.Timedelta(minutes=100_000)
    d = Drift("prior", start=start, pattern="gradual", width=width, magnitude=0.5)
    w = d.row_weights(times, rng=0)
    assert set(np.unique(w)) == {0.0, 1.0}
    share = np.clip((times - start) / width, 0, 1)
    bins = np.arange(len(times)) // 10_000  # 20 bins; 4.5 binomial SEs per bin
    observed = pd.Series(w).groupby(bins).mean()
    expected = pd.Series(share).groupby(bins).mean()
    se = np.sqrt(expected * (1 - expected) / 10_000) + 1e-9
    assert (np.abs(observed - expected) <= 4.5 * se + 1e-12).all()
    assert observed.iloc[0] == 0 and observed.iloc[-1] == 1


def test_recurring_drift_alternates_half_periods_after_start():
    d = Drift("prior", start=START, pattern="recurring", period="4D", magnitude=0.5)
    elapsed_days = (TIMES - START) / pd.Timedelta("1D")
    expected = ((elapsed_days >= 0) & (np.mod(elapsed_days, 4) < 2)).astype(float)
    np.testing.assert_array_equal(d.row_weights(TIMES, rng=0), expected)
    assert 0 < expected.mean() < 1


def test_fraction_is_the_share_of_rows_affected():
    d = Drift("prior", start=0, magnitude=0.5, fraction=0.3)
    w = d.row_weights(np.arange(100_000), rng=0)
    assert abs(w.mean() - 0.3) < 4.5 * np.sqrt(0.3 * 0.7 / 100_000)
    assert set(np.unique(w)) == {0.0, 1.0}


# -- covariate drift: injection and ground truth -----------------------------------------------


def test_sudden_covariate_drift_is_significant_for_its_column_only():
    # 20 seeds. Drifted column: KS p < 1e-6 every time (shift 0.5 std, 1000 vs 1000 rows).
    # Other columns are fresh world draws: at alpha = 0.01 we expect 1 of 100 tests to
    # reject; allow at most 5 (binomial probability of more is below 0.001).
    numeric = [c for c in LOAN.numeric_features if c != "income"]
    false_alarms = 0
    for seed in SEEDS:
        drift = Drift("covariate", start=1000, magnitude=0.5, column="income")
        frame = LOAN.sample(2000, drifts=drift, rng=seed)
        before, after = frame[:1000], frame[1000:]
        assert stats.ks_2samp(before["income"], after["income"]).pvalue < 1e-6
        false_alarms += sum(stats.ks_2samp(before[c], after[c]).pvalue < 0.01 for c in numeric)
    assert false_alarms <= 5


def test_inject_covariate_moves_only_its_column():
    frame = LOAN.sample(2000, rng=0)
    out = inject(frame, Drift("covariate", start=1000, magnitude=0.5, column="income"), rng=1)
    assert stats.ks_2samp(out["income"][:1000], out["income"][1000:]).pvalue < 1e-6
    pd.testing.assert_frame_equal(
        out.drop(columns=["income", "drift_weight"]), frame.drop(columns=["income", "drift_weight"])
    )
    expected = frame["income"][1000:] + 0.5 * frame["income"].std(ddof=0)
    np.testing.assert_allclose(out["income"][1000:], expected)


def test_inject_covariate_scale_stretches_the_spread():
    frame = _frame(20_000)
    out = inject(frame, Drift("covariate", start=0, magnitude=0.0, scale=2.0, column="x"))
    assert out["x"].std() == pytest.approx(2 * frame["x"].std())
    assert out["x"].mean() == pytest.approx(frame["x"].mean())


def test_inject_covariate_keeps_integer_columns_integer():
    out = inject(_frame(), Drift("covariate", start=0, magnitude=0.37, column="count"), rng=0)
    assert out["count"].dtype == np.int64


def test_inject_covariate_on_a_category_moves_the_stated_share_of_the_mix():
    # new share of "blue" = old + magnitude * (1 - old); 100,000 rows: 5 SEs
    frame = _frame(100_000)
    out = inject(frame, Drift("covariate", start=0, magnitude=0.4, column="colour"), rng=0)
    old = (frame["colour"] == "blue").mean()
    expected = old + 0.4 * (1 - old)
    new = (out["colour"] == "blue").mean()
    assert abs(new - expected) < 5 * np.sqrt(expected * (1 - expected) / 100_000)
    assert out["colour"].dtype == frame["colour"].dtype


def test_world_covariate_drift_changes_the_category_mix_before_labels():
    drift = Drift("covariate", start=0, magnitude=0.5, column="channel", category="broker")
    frame = LOAN.sample(50_000, drifts=drift, rng=0)
    share = (frame["channel"] == "broker").mean()
    assert abs(share - (0.15 + 0.5 * 0.85)) < 0.015  # SE about 0.0022
    np.testing.assert_allclose(LOAN.true_proba(frame), frame["true_proba"])


# -- concept drift ----------------------------------------------------------------------------


def test_concept_drift_keeps_features_and_breaks_the_old_concept():
    # 20 seeds; features: expect 1 false KS rejection in 120 at alpha = 0.01, allow 5.
    # Agreement of labels with the old concept: about 0.91 before, about 0.67 after.
    false_alarms, drops = 0, []
    for seed in SEEDS:
        frame = LOAN.sample(2000, drifts=Drift("concept", start=1000, magnitude=1.0), rng=seed)
        before, after = frame[:1000], frame[1000:]
        false_alarms += sum(
            stats.ks_2samp(before[c], after[c]).pvalue < 0.01 for c in LOAN.numeric_features
        )
        agree = frame["target"] == LOAN.true_label(frame)
        drops.append(agree[:1000].mean() - agree[1000:].mean())
    assert false_alarms <= 5
    assert min(drops) > 0.1


def test_inject_concept_with_a_mapping_relabels_affected_rows():
    frame = _frame()
    out = inject(frame, Drift("concept", start=500, magnitude=1.0), relabel={0: 1, 1: 0})
    assert (out["target"][:500] == frame["target"][:500]).all()
    assert (out["target"][500:] == 1 - frame["target"][500:]).all()


def test_inject_concept_magnitude_is_the_share_relabelled():
    frame = _frame(100_000)
    out = inject(
        frame, Drift("concept", start=0, magnitude=0.25), relabel=lambda f: 1 - f["target"], rng=0
    )
    changed = (out["target"] != frame["target"]).mean()
    assert abs(changed - 0.25) < 5 * np.sqrt(0.25 * 0.75 / 100_000)


def test_inject_concept_moves_float_labels_part_of_the_way():
    frame = _frame(100).assign(target=np.linspace(0, 1, 100))
    d = Drift("concept", start=0, pattern="incremental", width=100, magnitude=0.5)
    out = inject(frame, d, relabel=lambda f: f["target"] + 10)
    np.testing.assert_allclose(out["target"], frame["target"] + 10 * 0.5 * np.arange(100) / 100)


def test_inject_concept_without_relabel_raises():
    with pytest.raises(ValueError, match="relabel must be given"):
        inject(_frame(), Drift("concept", start=0, magnitude=1.0))


# -- prior drift ------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_world_prior_drift_moves_the_label_rate_to_the_asked_value(rate):
    frame = LOAN.sample(40_000, drifts=Drift("prior", start=20_000, magnitude=rate), rng=0)
    after = frame["target"][20_000:].mean()
    assert abs(after - rate) < 4.5 * np.sqrt(rate * (1 - rate) / 20_000)
    assert abs(frame["true_proba"][20_000:].mean() - rate) < 0.01


@pytest.mark.parametrize("method", ["resample", "drop"])
@pytest.mark.parametrize("rate", [0.05, 0.6])
def test_inject_prior_moves_the_label_rate_to_the_asked_value(method, rate):
    frame = _frame(100_000)
    out = inject(frame, Drift("prior", start=50_000, magnitude=rate), rng=0, method=method)
    after = out.loc[out["drift_weight"] == 1, "target"]
    assert abs(after.mean() - rate) < 4.5 * np.sqrt(rate * (1 - rate) / len(after))
    pd.testing.assert_frame_equal(
        out[out["drift_weight"] == 0].drop(columns="drift_weight"), frame[:50_000]
    )
    if method == "resample":
        assert (out["timestamp"] == frame["timestamp"]).all()


def test_inject_prior_incremental_follows_the_ramp():
    # in the middle of the ramp the rate is halfway between the base rate (0.3) and 0.9
    frame = _frame(300_000)
    d = Drift("prior", start=100_000, pattern="incremental", width=100_000, magnitude=0.9)
    out = inject(frame, d, rng=0)
    middle = out["target"][145_000:155_000].mean()
    assert abs(middle - 0.6) < 0.03  # SE about 0.005 plus the ramp's spread inside the window


def test_inject_prior_on_a_multiclass_label_needs_and_uses_category():
    frame = _frame(50_000).assign(target=lambda f: f["colour"])
    with pytest.raises(ValueError, match="category must be given"):
        inject(frame, Drift("prior", start=0, magnitude=0.5))
    out = inject(frame, Drift("prior", start=0, magnitude=0.5, category="blue"), rng=0)
    assert abs((out["target"] == "blue").mean() - 0.5) < 0.015  # SE about 0.0022


# -- inject contract --------------------------------------------------------------------------


def test_inject_is_deterministic_for_the_same_seed():
    d = Drift("prior", start="2024-01-10", pattern="gradual", width="3D", magnitude=0.8)
    pd.testing.assert_frame_equal(inject(_frame(), d, rng=5), inject(_frame(), d, rng=5))


def test_inject_combines_drift_weights_by_maximum():
    first = inject(
        _frame(),
        Drift("covariate", start=200, pattern="incremental", width=400, magnitude=1.0, column="x"),
    )
    both = inject(first, Drift("covariate", start=400, magnitude=0.0, column="count"))
    expected = np.maximum(first["drift_weight"], (np.arange(1000) >= 400).astype(float))
    np.testing.assert_allclose(both["drift_weight"], expected)


def test_inject_uses_a_datetime_index_or_positions_without_a_timestamp_column():
    frame = _frame().set_index("timestamp")
    out = inject(frame, Drift("covariate", start="2024-01-05", magnitude=1.0, column="x"))
    assert out["drift_weight"].sum() == (frame.index >= "2024-01-05").sum()
    plain = _frame().drop(columns="timestamp")
    assert (
        inject(plain, Drift("covariate", start=10, magnitude=1.0, column="x"))["drift_weight"].sum()
        == 990
    )
    with pytest.raises(ValueError, match="frame must have a 'timestamp' column"):
        inject(plain, Drift("covariate", start="2024-01-05", magnitude=1.0, column="x"))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda f: inject(f.to_numpy(), Drift("prior", start=0, magnitude=0.5)),
            TypeError,
            "frame must be",
        ),
        (lambda f: inject(f, "prior"), TypeError, "drift must be a Drift"),
        (
            lambda f: inject(f, Drift("prior", start=0, magnitude=0.5), method="smote"),
            ValueError,
            "method must be",
        ),
        (
            lambda f: inject(f, Drift("covariate", start=0, magnitude=1, column="zzz")),
            ValueError,
            r"missing \['zzz'\]",
        ),
        (
            lambda f: inject(f, Drift("prior", start=0, magnitude=0.5, column="zzz")),
            ValueError,
            r"missing \['zzz'\]",
        ),
        (
            lambda f: inject(f, Drift("prior", start=0, magnitude=0.5), relabel={0: 1}),
            ValueError,
            "relabel must be None unless",
        ),
        (
            lambda f: inject(f, Drift("concept", start=0, magnitude=0.5), relabel=3),
            TypeError,
            "relabel must be",
        ),
        (
            lambda f: inject(f, Drift("concept", start=0, magnitude=2.0), relabel={0: 1}),
            ValueError,
            "magnitude must be in",
        ),
        (
            lambda f: inject(f, Drift("covariate", start=0, magnitude=2.0, column="colour")),
            ValueError,
            "magnitude must be in",
        ),
        (
            lambda f: inject(
                f,
                Drift("covariate", start="2024-01-01", magnitude=1.0, column="x"),
                time_column="t",
            ),
            ValueError,
            "frame must have a 't' column",
        ),
        (
            lambda f: inject(
                f,
                Drift("covariate", start="2024-01-01", magnitude=1.0, column="x"),
                time_column="x",
            ),
            TypeError,
            "must hold datetimes",
        ),
    ],
)
def test_inject_rejects_bad_arguments_naming_them(call, error, match):
    with pytest.raises(error, match=match):
        call(_frame(50))


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 200),
    kind=st.sampled_from(["x", "count", "colour", "prior"]),
    pattern=st.sampled_from(["sudden", "gradual", "incremental", "recurring"]),
    magnitude=st.floats(0.0, 1.0),
    fraction=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_inject_properties_shape_dtypes_range_and_no_mutation(
    n, kind, pattern, magnitude, fraction, seed
):
    frame = _frame(n, seed)
    before = frame.copy()
    extra = {"width": "1D"} if pattern in ("gradual", "incremental") else {}
    extra |= {"period": "6h"} if pattern == "recurring" else {}
    if kind == "prior":
        d = Drift(
            "prior",
            start="2024-01-02",
            pattern=pattern,
            magnitude=magnitude,
            fraction=fraction,
            **extra,
        )
    else:
        d = Drift(
            "covariate",
            start="2024-01-02",
            pattern=pattern,
            magnitude=magnitude,
            column=kind,
            fraction=fraction,
            **extra,
        )
    try:
        out = inject(frame, d, rng=seed)
    except ValueError as err:  # prior drift needs both classes among rows before it
        assert "must have rows both in and out of class" in str(err)
        return
    pd.testing.assert_frame_equal(frame, before)
    assert out.shape == (n, frame.shape[1] + 1)
    assert (out.dtypes.drop("drift_weight") == frame.dtypes).all()
    assert out["drift_weight"].between(0, 1).all()
    assert not out.isna().any().any()


def test_schedule_rejects_mixing_tz_aware_and_naive_times():
    times = pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC")
    with pytest.raises(ValueError, match="when must be tz-"):
        Drift("prior", start="2024-01-01", magnitude=0.5).schedule(times)
    aware = Drift("prior", start=pd.Timestamp("2024-01-01 01:00", tz="UTC"), magnitude=0.5)
    np.testing.assert_array_equal(aware.schedule(times), [0.0, 1.0, 1.0])


def test_world_incremental_covariate_drift_moves_the_mean_along_the_ramp():
    # 10 bins of 10,000 rows; the mean of debt_ratio moves by ramp * 1 std (std about 0.16);
    # the SE of a bin mean is about 0.0016, tolerance 0.01
    d = Drift(
        "covariate",
        start=20_000,
        pattern="incremental",
        width=60_000,
        magnitude=1.0,
        column="debt_ratio",
    )
    frame = LOAN.sample(100_000, drifts=d, rng=0)
    bins = np.arange(100_000) // 10_000
    ramp = np.clip((np.arange(100_000) - 20_000) / 60_000, 0, 1)
    np.testing.assert_allclose(frame["drift_weight"], ramp)
    std = LoanWorld().sample(100_000, rng=1)["debt_ratio"].std()
    observed = frame["debt_ratio"].groupby(bins).mean() - frame["debt_ratio"][:20_000].mean()
    expected = pd.Series(ramp).groupby(bins).mean() * std
    assert (np.abs(observed - expected) < 0.01).all()


def test_world_recurring_prior_drift_alternates_the_label_rate():
    # periods of 2,000 rows: new rate 0.8 in the first half of each period, base rate (about
    # 0.31) in the second; 1,000 rows per half: SE about 0.015, tolerance 0.06
    d = Drift("prior", start=0, pattern="recurring", period=2000, magnitude=0.8)
    frame = LOAN.sample(20_000, drifts=d, rng=0)
    half = (np.arange(20_000) // 1000) % 2 == 0
    np.testing.assert_array_equal(frame["drift_weight"], half.astype(float))
    rates = frame["target"].groupby(np.arange(20_000) // 1000).mean()
    assert (np.abs(rates[::2] - 0.8) < 0.06).all()
    assert (np.abs(rates[1::2] - 0.31) < 0.06).all()
