"""Tests for mlsys_helpers.collect: rates as asked, the right dependence, no mutation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mlsys_helpers import collect


def make_frame(n: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Independent columns: x and y numeric, a group, a 0/1 target, hourly timestamps."""
    gen = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "x": gen.normal(0.0, 1.0, n),
            "y": gen.normal(10.0, 2.0, n),
            "count": gen.integers(0, 100, n),
            "group": gen.choice(np.array(["a", "b", "c"]), n),
            "target": gen.integers(0, 2, n),
        }
    )


def sampling_sd(p: float, n: int) -> float:
    return float(np.sqrt(p * (1 - p) / n))


# ------------------------------------------------------------------------ generic properties
def all_pathologies(frame: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
    return [
        collect.sampling_bias(frame, column="group", keep={"a": 0.3}, rng=seed),
        collect.sampling_bias(frame, column="x", strength=1.0, rng=seed),
        collect.make_missing(frame, columns=["x", "group"], rate=0.2, rng=seed),
        collect.make_missing(
            frame, columns="y", rate=0.2, mechanism="MAR", depends_on="x", rng=seed
        ),
        collect.make_missing(frame, columns="y", rate=0.2, mechanism="MNAR", rng=seed),
        collect.label_noise(frame, rate=0.2, rng=seed),
        collect.label_noise(frame, rate={1: 0.2}, kind="class_conditional", rng=seed),
        collect.label_noise(frame, rate=0.2, kind="feature", depends_on="x", rng=seed),
        collect.delay_labels(frame, delay="2D", never=0.1, rng=seed),
        collect.duplicate_rows(frame, rate=0.1, rng=seed),
        collect.outdated(frame, before=frame["timestamp"].iloc[len(frame) // 2]),
    ]


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 200), seed=st.integers(0, 2**32 - 1))
def test_functions_never_mutate_their_input(n, seed):
    frame = make_frame(n, seed)
    before = frame.copy(deep=True)
    all_pathologies(frame, seed)
    pd.testing.assert_frame_equal(frame, before)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 200), seed=st.integers(0, 2**32 - 1))
def test_functions_keep_columns_and_dtypes_where_no_nan_is_asked(n, seed):
    frame = make_frame(n, seed)
    outputs = all_pathologies(frame, seed)
    for out in outputs:
        assert set(frame.columns) <= set(out.columns)
    unchanged = [0, 1, 5, 6, 7, 9, 10]  # no missing values asked
    for index in unchanged:
        out = outputs[index]
        assert not out[list(frame.columns)].isna().any().any()
        assert (out[list(frame.columns)].dtypes == frame.dtypes).all()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_same_rng_gives_the_same_frame(seed):
    frame = make_frame(300, 1)
    for first, second in zip(
        all_pathologies(frame, seed), all_pathologies(frame, seed), strict=True
    ):
        pd.testing.assert_frame_equal(first, second)


def test_different_seeds_give_different_frames():
    frame = make_frame(1000)
    first = collect.make_missing(frame, columns="x", rate=0.3, rng=1)
    second = collect.make_missing(frame, columns="x", rate=0.3, rng=2)
    assert not first["x"].isna().equals(second["x"].isna())


# ------------------------------------------------------------------------------ sampling bias
def test_sampling_bias_keeps_each_group_at_the_asked_rate():
    frame = make_frame()
    kept = collect.sampling_bias(frame, column="group", keep={"a": 0.2, "b": 0.7}, rng=3)
    n_before = frame["group"].value_counts()
    n_after = kept["group"].value_counts()
    for group, rate in {"a": 0.2, "b": 0.7, "c": 1.0}.items():
        # 4 standard errors of a binomial share
        assert (
            abs(n_after[group] / n_before[group] - rate)
            <= 4 * sampling_sd(rate, n_before[group]) + 1e-12
        )


def test_sampling_bias_keeps_original_index_and_order():
    frame = make_frame(500)
    kept = collect.sampling_bias(frame, column="group", keep={"a": 0.5}, rng=0)
    assert kept.index.is_monotonic_increasing
    pd.testing.assert_frame_equal(kept, frame.loc[kept.index])


def test_sampling_bias_with_strength_shifts_the_numeric_column_only():
    frame = make_frame()
    kept = collect.sampling_bias(frame, column="x", strength=2.0, rng=0)
    assert kept["x"].mean() > 0.5  # strongly favours high x
    # selection on x leaves the independent column y alone (KS test at 0.1 %)
    assert stats.ks_2samp(kept["y"], frame["y"]).pvalue > 0.001


def test_sampling_bias_needs_exactly_one_of_keep_and_strength():
    frame = make_frame(10)
    with pytest.raises(ValueError, match="keep or strength must be given"):
        collect.sampling_bias(frame, column="group")
    with pytest.raises(ValueError, match="keep or strength must be given"):
        collect.sampling_bias(frame, column="x", keep={"a": 0.1}, strength=1.0)


def test_sampling_bias_rejects_bad_probabilities_and_columns():
    frame = make_frame(10)
    with pytest.raises(ValueError, match=r"keep\['a'\] must be in \[0, 1\]"):
        collect.sampling_bias(frame, column="group", keep={"a": 1.5})
    with pytest.raises(ValueError, match="column must be a column of frame .*, got 'nope'"):
        collect.sampling_bias(frame, column="nope", strength=1.0)
    with pytest.raises(TypeError, match="must be a numeric or boolean column"):
        collect.sampling_bias(frame, column="group", strength=1.0)
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        collect.sampling_bias([1, 2], column="x", strength=1.0)


# ----------------------------------------------------------------------------- missing values
@pytest.mark.parametrize("mechanism", ["MCAR", "MAR", "MNAR"])
@pytest.mark.parametrize("rate", [0.05, 0.3, 0.8])
def test_make_missing_hits_the_asked_rate(mechanism, rate):
    frame = make_frame()
    depends_on = "x" if mechanism == "MAR" else None
    out = collect.make_missing(
        frame, columns="y", rate=rate, mechanism=mechanism, depends_on=depends_on, rng=7
    )
    # 4 binomial standard errors (the calibration makes the expected rate exact)
    assert abs(out["y"].isna().mean() - rate) <= 4 * sampling_sd(rate, len(frame))


def test_make_missing_rate_zero_and_one():
    frame = make_frame(100)
    assert (
        not collect.make_missing(frame, columns="y", rate=0.0, mechanism="MNAR", rng=0)["y"]
        .isna()
        .any()
    )
    assert (
        collect.make_missing(frame, columns="y", rate=1.0, mechanism="MCAR", rng=0)["y"]
        .isna()
        .all()
    )


def test_mcar_missingness_is_independent_of_values():
    frame = make_frame()
    out = collect.make_missing(frame, columns="y", rate=0.3, rng=1)
    missing = out["y"].isna()
    # neither the hidden value nor another column differs between missing and observed rows
    assert stats.ks_2samp(frame.loc[missing, "y"], frame.loc[~missing, "y"]).pvalue > 0.001
    assert stats.ks_2samp(frame.loc[missing, "x"], frame.loc[~missing, "x"]).pvalue > 0.001


def test_mar_missingness_depends_on_the_named_observed_column():
    frame = make_frame()
    out = collect.make_missing(frame, columns="y", rate=0.3, mechanism="MAR", depends_on="x", rng=1)
    missing = out["y"].isna()
    assert frame.loc[missing, "x"].mean() > frame.loc[~missing, "x"].mean() + 0.5
    # y is independent of x, so given MAR on x its own values are not selected
    assert stats.ks_2samp(frame.loc[missing, "y"], frame.loc[~missing, "y"]).pvalue > 0.001


def test_mnar_missingness_depends_on_the_value_itself():
    frame = make_frame()
    out = collect.make_missing(frame, columns="y", rate=0.3, mechanism="MNAR", rng=1)
    missing = out["y"].isna()
    assert frame.loc[missing, "y"].mean() > frame.loc[~missing, "y"].mean() + 1.0
    assert stats.ks_2samp(frame.loc[missing, "x"], frame.loc[~missing, "x"]).pvalue > 0.001


def test_negative_strength_makes_low_values_go_missing():
    frame = make_frame()
    out = collect.make_missing(frame, columns="y", rate=0.3, mechanism="MNAR", strength=-2.0, rng=1)
    missing = out["y"].isna()
    assert frame.loc[missing, "y"].mean() < frame.loc[~missing, "y"].mean()


def test_make_missing_blanks_columns_independently_and_keeps_existing_nans():
    frame = make_frame()
    frame.loc[:99, "x"] = np.nan
    out = collect.make_missing(frame, columns=["x", "group"], rate=0.5, rng=2)
    assert out.loc[:99, "x"].isna().all()
    both = (out["x"].isna() & out["group"].isna()).mean()
    assert abs(both - 0.25) <= 4 * sampling_sd(0.25, len(frame))
    assert out["count"].equals(frame["count"])  # untouched columns stay as they were


def test_make_missing_turns_integers_into_floats():
    out = collect.make_missing(make_frame(200), columns="count", rate=0.5, rng=0)
    assert out["count"].dtype == np.float64


def test_make_missing_rejects_bad_arguments():
    frame = make_frame(10)
    with pytest.raises(ValueError, match="rate must be in"):
        collect.make_missing(frame, columns="x", rate=-0.1)
    with pytest.raises(TypeError, match="rate must be a number"):
        collect.make_missing(frame, columns="x", rate="half")
    with pytest.raises(ValueError, match="mechanism must be one of"):
        collect.make_missing(frame, columns="x", rate=0.1, mechanism="random")
    with pytest.raises(ValueError, match="depends_on must name the"):
        collect.make_missing(frame, columns="x", rate=0.1, mechanism="MAR")
    with pytest.raises(ValueError, match="must not be one of columns"):
        collect.make_missing(frame, columns="x", rate=0.1, mechanism="MAR", depends_on="x")
    with pytest.raises(ValueError, match="depends_on must be None unless mechanism='MAR'"):
        collect.make_missing(frame, columns="x", rate=0.1, depends_on="y")
    with pytest.raises(TypeError, match="columns must be numeric for mechanism='MNAR'"):
        collect.make_missing(frame, columns="group", rate=0.1, mechanism="MNAR")
    with pytest.raises(ValueError, match="columns must be a column of frame .*, got 'zz'"):
        collect.make_missing(frame, columns=["x", "zz"], rate=0.1)
    with pytest.raises(ValueError, match="at least one column"):
        collect.make_missing(frame, columns=[], rate=0.1)


# -------------------------------------------------------------------------------- label noise
def test_uniform_label_noise_flips_the_asked_share():
    frame = make_frame()
    out = collect.label_noise(frame, rate=0.15, record="flipped", rng=4)
    flipped = out["target"] != frame["target"]
    assert flipped.equals(out["flipped"])
    assert abs(flipped.mean() - 0.15) <= 4 * sampling_sd(0.15, len(frame))


def test_class_conditional_noise_flips_each_class_at_its_rate():
    frame = make_frame()
    out = collect.label_noise(frame, rate={0: 0.05, 1: 0.4}, kind="class_conditional", rng=4)
    flipped = out["target"] != frame["target"]
    for label, rate in {0: 0.05, 1: 0.4}.items():
        in_class = frame["target"] == label
        assert abs(flipped[in_class].mean() - rate) <= 4 * sampling_sd(rate, int(in_class.sum()))


def test_feature_dependent_noise_follows_the_feature_and_the_mean_rate():
    frame = make_frame()
    out = collect.label_noise(frame, rate=0.2, kind="feature", depends_on="x", rng=4)
    flipped = out["target"] != frame["target"]
    assert abs(flipped.mean() - 0.2) <= 4 * sampling_sd(0.2, len(frame))
    assert flipped[frame["x"] > 1].mean() > 2 * flipped[frame["x"] < -1].mean()


def test_multiclass_noise_picks_another_class_uniformly():
    frame = make_frame()
    out = collect.label_noise(frame, rate=0.5, column="group", rng=5)
    changed = out["group"] != frame["group"]
    assert (out.loc[changed, "group"] != frame.loc[changed, "group"]).all()
    from_a = changed & (frame["group"] == "a")
    counts = out.loc[from_a, "group"].value_counts()
    assert set(counts.index) == {"b", "c"}
    # b and c equally likely: chi-square goodness of fit at 0.1 %
    assert stats.chisquare(counts.to_numpy()).pvalue > 0.001


def test_label_noise_keeps_missing_labels_missing_and_dtype():
    frame = make_frame(1000)
    frame["target"] = frame["target"].astype(float)
    frame.loc[:9, "target"] = np.nan
    out = collect.label_noise(frame, rate=1.0, rng=0)
    assert out.loc[:9, "target"].isna().all()
    assert out["target"].dtype == frame["target"].dtype
    assert (out.loc[10:, "target"] == 1 - frame.loc[10:, "target"]).all()


def test_label_noise_rejects_bad_arguments():
    frame = make_frame(10)
    with pytest.raises(ValueError, match="kind must be one of"):
        collect.label_noise(frame, rate=0.1, kind="gaussian")
    with pytest.raises(TypeError, match="rate must be a mapping class -> probability"):
        collect.label_noise(frame, rate=0.1, kind="class_conditional")
    with pytest.raises(ValueError, match="depends_on must name the"):
        collect.label_noise(frame, rate=0.1, kind="feature")
    with pytest.raises(ValueError, match="depends_on must be None unless kind='feature'"):
        collect.label_noise(frame, rate=0.1, depends_on="x")
    with pytest.raises(ValueError, match="column must hold class labels, got .*looks continuous"):
        collect.label_noise(frame, rate=0.1, column="x")
    with pytest.raises(ValueError, match=r"rate\[1\] must be in"):
        collect.label_noise(frame, rate={1: 2.0}, kind="class_conditional")


# ------------------------------------------------------------------------------- label delays
def test_fixed_delay_adds_exactly_the_delay():
    frame = make_frame(100)
    out = collect.delay_labels(frame, delay="36h", distribution="fixed")
    assert ((out["label_arrival"] - frame["timestamp"]) == pd.Timedelta("36h")).all()


def test_exponential_delays_have_the_asked_mean_and_are_never_negative():
    frame = make_frame()
    out = collect.delay_labels(frame, delay="10D", rng=8)
    delays = (out["label_arrival"] - frame["timestamp"]) / pd.Timedelta("1D")
    assert (delays >= 0).all()
    # exponential: sd = mean, so the standard error of the mean is 10 / sqrt(n)
    assert abs(delays.mean() - 10) <= 4 * 10 / np.sqrt(len(frame))


def test_some_labels_never_arrive():
    frame = make_frame()
    out = collect.delay_labels(frame, delay="1D", never=0.1, rng=8)
    assert abs(out["label_arrival"].isna().mean() - 0.1) <= 4 * sampling_sd(0.1, len(frame))


def test_labels_available_hides_labels_not_arrived_yet():
    frame = make_frame(48)
    late = collect.delay_labels(frame, delay="12h", distribution="fixed")
    at = pd.Timestamp("2024-01-02 00:00")
    seen = collect.labels_available(late, at=at)
    arrived = late["label_arrival"] <= at
    assert seen.loc[arrived, "target"].equals(frame.loc[arrived, "target"].astype(float))
    assert seen.loc[~arrived, "target"].isna().all()
    assert arrived.sum() == 13  # timestamps 00:00 ... 12:00 of Jan 1st arrive by Jan 2nd 00:00


def test_delay_labels_rejects_bad_arguments():
    frame = make_frame(10)
    with pytest.raises(ValueError, match="delay must be >= 0"):
        collect.delay_labels(frame, delay="-1D")
    with pytest.raises(ValueError, match="delay must be a Timedelta"):
        collect.delay_labels(frame, delay="soon")
    with pytest.raises(ValueError, match="distribution must be one of"):
        collect.delay_labels(frame, delay="1D", distribution="gamma")
    with pytest.raises(TypeError, match="must be a datetime column"):
        collect.delay_labels(frame, delay="1D", time_column="x")
    with pytest.raises(ValueError, match="never must be in"):
        collect.delay_labels(frame, delay="1D", never=2)


# --------------------------------------------------------------------------------- duplicates
def test_duplicate_rows_adds_the_asked_number_next_to_originals():
    frame = make_frame(1000)
    out = collect.duplicate_rows(frame, rate=0.05, record="copy", rng=9)
    assert len(out) == 1050
    assert int(out.drop(columns="copy").duplicated().sum()) == 50
    copies = np.flatnonzero(out["copy"].to_numpy())
    pd.testing.assert_frame_equal(
        out.iloc[copies].drop(columns="copy").reset_index(drop=True),
        out.iloc[copies - 1].drop(columns="copy").reset_index(drop=True),
    )
    assert out["timestamp"].is_monotonic_increasing
    assert isinstance(out.index, pd.RangeIndex)


def test_duplicate_rows_rejects_bad_rate():
    with pytest.raises(ValueError, match="rate must be in"):
        collect.duplicate_rows(make_frame(10), rate=1.5)


# ----------------------------------------------------------------------------------- outdated
def test_outdated_keeps_only_the_old_period():
    frame = make_frame(1000)
    old = collect.outdated(frame, before="2024-01-10")
    assert (old["timestamp"] < pd.Timestamp("2024-01-10")).all()
    assert len(old) == 9 * 24


def test_outdated_accepts_timezone_aware_columns():
    frame = make_frame(100)
    frame["timestamp"] = frame["timestamp"].dt.tz_localize("UTC")
    assert len(collect.outdated(frame, before="2024-01-02")) == 24


def test_outdated_refuses_an_empty_result():
    with pytest.raises(ValueError, match="before must be after the first timestamp"):
        collect.outdated(make_frame(10), before="2023-01-01")
    with pytest.raises(ValueError, match="before must be a timestamp"):
        collect.outdated(make_frame(10), before="yesterday-ish")


@pytest.mark.slow
@pytest.mark.parametrize("pathology", ["MCAR", "MAR", "MNAR", "label_noise", "never"])
def test_rates_are_unbiased_over_many_seeds(pathology):
    # 200 seeds of 2000 rows: the standardised errors of the observed rate must look like
    # N(0, 1) draws: mean within 4 / sqrt(200) of 0 and standard deviation between 0.75 and 1.3.
    frame, rate, n_seeds = make_frame(2000, seed=99), 0.25, 200
    observed = []
    for seed in range(n_seeds):
        if pathology == "label_noise":
            out = collect.label_noise(frame, rate=rate, rng=seed)
            observed.append((out["target"] != frame["target"]).mean())
        elif pathology == "never":
            out = collect.delay_labels(frame, delay="1D", never=rate, rng=seed)
            observed.append(out["label_arrival"].isna().mean())
        else:
            depends_on = "x" if pathology == "MAR" else None
            out = collect.make_missing(
                frame, columns="y", rate=rate, mechanism=pathology, depends_on=depends_on, rng=seed
            )
            observed.append(out["y"].isna().mean())
    z = (np.array(observed) - rate) / sampling_sd(rate, len(frame))
    assert abs(z.mean()) < 4 / np.sqrt(n_seeds)
    assert 0.75 < z.std() < 1.3
