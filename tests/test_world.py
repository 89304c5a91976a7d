"""Tests for mlsys_helpers.world: determinism, shapes, the concept, learnability, bad arguments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

from mlsys_helpers.drift import Drift
from mlsys_helpers.world import TRUTH_COLUMNS, BikeWorld, LoanWorld, World

WORLDS = [LoanWorld(), BikeWorld()]
IDS = ["loan", "bike"]


def _truth(world: World, frame: pd.DataFrame, **kwargs) -> pd.Series:
    if world.task == "classification":
        return world.true_proba(frame, **kwargs)
    return world.true_mean(frame, **kwargs)


def _one_hot(frame: pd.DataFrame, world: World) -> pd.DataFrame:
    return pd.get_dummies(frame[list(world.features)], columns=list(world.categorical_features))


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_same_seed_gives_the_same_frame_bit_for_bit(world):
    drifts = (
        Drift(
            "covariate",
            start="2024-01-03",
            pattern="gradual",
            width="1D",
            magnitude=1.0,
            column=world.numeric_features[2],
        ),
        Drift("concept", start="2024-01-05", pattern="incremental", width="2D", magnitude=0.7),
    )
    a = world.sample(400, drifts=drifts, rng=7)
    b = world.sample(400, drifts=drifts, rng=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_different_seeds_give_different_frames(world):
    a, b = world.sample(200, rng=1), world.sample(200, rng=2)
    assert not a[world.target].equals(b[world.target])


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_a_shared_generator_advances_between_samples(world):
    rng = np.random.default_rng(3)
    assert not world.sample(100, rng=rng)[world.target].equals(
        world.sample(100, rng=rng)[world.target]
    )


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_columns_are_timestamp_features_target_and_truth(world):
    frame = world.sample(10, rng=0)
    assert list(frame.columns) == [
        "timestamp",
        *world.features,
        "target",
        "drift_weight",
        world.truth_column,
    ]
    assert set(world.features).isdisjoint(TRUTH_COLUMNS)
    assert world.features == world.numeric_features + world.categorical_features


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_categorical_features_are_plain_strings(world):
    frame = world.sample(50, rng=0)
    for name in world.categorical_features:
        assert pd.api.types.is_string_dtype(frame[name])
        assert not isinstance(frame[name].dtype, pd.CategoricalDtype)
        assert all(isinstance(v, str) for v in frame[name])


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_timestamps_follow_start_and_freq(world):
    frame = world.sample(5, start="2023-05-01 06:00", freq="15min", rng=0)
    expected = pd.date_range("2023-05-01 06:00", periods=5, freq="15min")
    assert (pd.DatetimeIndex(frame["timestamp"]) == expected).all()


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(0, 300),
    seed=st.integers(0, 2**32 - 1),
    label_noise=st.floats(0.0, 0.5),
)
def test_loan_world_shapes_dtypes_and_ranges(n, seed, label_noise):
    frame = LoanWorld(label_noise=label_noise).sample(n, rng=seed)
    assert frame.shape == (n, 12)
    assert not frame.isna().any().any()
    assert frame["target"].dtype == np.int64 and set(frame["target"]) <= {0, 1}
    assert frame["age"].dtype == np.int64 and frame["age"].between(18, 80).all()
    assert (frame["income"] > 0).all() and frame["debt_ratio"].between(0, 1).all()
    assert (frame["employment_years"] <= frame["age"] - 18).all()
    assert frame["true_proba"].between(0, 1).all() and frame["drift_weight"].eq(0).all()
    assert set(frame["region"]) <= set(LoanWorld.REGIONS)
    assert set(frame["channel"]) <= set(LoanWorld.CHANNELS)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 300), seed=st.integers(0, 2**32 - 1), noise=st.floats(0.0, 1.0))
def test_bike_world_shapes_dtypes_and_ranges(n, seed, noise):
    frame = BikeWorld(noise=noise).sample(n, start="2024-07-01", rng=seed)
    assert frame.shape == (n, 10)
    assert not frame.isna().any().any()
    assert frame["target"].dtype == np.float64 and (frame["target"] >= 0).all()
    assert frame["hour"].between(0, 23).all() and frame["weekday"].between(0, 6).all()
    assert frame["humidity"].between(15, 100).all() and (frame["windspeed"] >= 0).all()
    assert (frame["true_mean"] > 0).all()
    assert set(frame["weather"]) <= set(BikeWorld.WEATHER)


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_truth_function_reproduces_the_truth_column(world):
    drift = Drift("concept", start="2024-01-03", magnitude=1.0)
    frame = world.sample(200, drifts=drift, rng=0)
    np.testing.assert_allclose(_truth(world, frame, drifts=drift), frame[world.truth_column])
    assert not np.allclose(_truth(world, frame), frame[world.truth_column])


@pytest.mark.parametrize("world", WORLDS, ids=IDS)
def test_truth_function_does_not_mutate_the_frame(world):
    frame = world.sample(50, rng=0)
    before = frame.copy()
    _truth(world, frame, drifts=Drift("concept", start=10, magnitude=0.5))
    pd.testing.assert_frame_equal(frame, before)


def test_gradual_concept_drift_truth_is_the_share_weighted_mix_of_old_and_new():
    world = LoanWorld()
    frame = world.sample(96, rng=0)
    start, width = pd.Timestamp("2024-01-02"), pd.Timedelta("1D")
    gradual = Drift("concept", start=start, pattern="gradual", width=width, magnitude=1.0)
    everywhere = Drift("concept", start="2000-01-01", magnitude=1.0)
    share = ((frame["timestamp"] - start) / width).clip(0, 1).to_numpy()
    expected = (1 - share) * world.true_proba(frame) + share * world.true_proba(
        frame, drifts=everywhere
    )
    np.testing.assert_allclose(world.true_proba(frame, drifts=gradual), expected)


def test_true_label_is_the_thresholded_true_proba():
    world = LoanWorld()
    frame = world.sample(500, rng=0)
    label = world.true_label(frame)
    assert label.dtype == np.int64
    assert (label == (frame["true_proba"] >= 0.5).astype(int)).all()


def test_true_label_of_a_regression_world_is_the_true_mean():
    world = BikeWorld()
    frame = world.sample(50, rng=0)
    np.testing.assert_allclose(world.true_label(frame), frame["true_mean"])


def test_loan_world_base_rate_is_between_25_and_35_percent():
    frame = LoanWorld().sample(50_000, rng=0)
    assert 0.25 <= frame["target"].mean() <= 0.35


@pytest.fixture(scope="module")
def loan_fit():
    """10,000 LoanWorld rows and a gradient boosting model fitted on the first 5,000."""
    world = LoanWorld()
    frame = world.sample(10_000, rng=0)
    x, y = _one_hot(frame, world), frame["target"]
    model = HistGradientBoostingClassifier(random_state=0).fit(x[:5000], y[:5000])
    return frame, x, y, model


def test_loan_world_is_learnable_from_5000_rows(loan_fit):
    _, x, y, model = loan_fit
    assert model.score(x[5000:], y[5000:]) >= 0.85


def test_loan_world_interaction_is_not_captured_by_a_single_threshold(loan_fit):
    frame, x, y, boosted = loan_fit
    stump = DecisionTreeClassifier(max_depth=1).fit(x[:5000], y[:5000])
    assert boosted.score(x[5000:], y[5000:]) >= stump.score(x[5000:], y[5000:]) + 0.05
    # the interaction itself: big loans are much riskier only for short employment
    big = frame["loan_amount"] / frame["income"] > 0.35
    short = frame["employment_years"] < 2
    rate = frame.groupby([big, short])["target"].mean()
    assert rate[(True, True)] > rate[(True, False)] + 0.3
    assert rate[(True, True)] > rate[(False, True)] + 0.3


def test_label_noise_flips_the_stated_share_of_labels():
    # E[target] = (1 - eta) * pi + eta * (1 - pi); 200,000 rows: tolerance 5 standard errors
    pi = LoanWorld().sample(200_000, rng=0)["true_proba"].mean()
    for eta in (0.1, 0.3):
        rate = LoanWorld(label_noise=eta).sample(200_000, rng=1)["target"].mean()
        expected = (1 - eta) * pi + eta * (1 - pi)
        assert abs(rate - expected) < 5 * np.sqrt(expected * (1 - expected) / 200_000)


def test_bike_noise_is_mean_one_with_the_stated_log_spread():
    frame = BikeWorld(noise=0.3).sample(100_000, rng=0)
    ratio = frame["target"] / frame["true_mean"]
    assert abs(ratio.mean() - 1) < 0.01  # SE about 0.001
    assert abs(np.log(ratio).std() - 0.3) < 0.005


def test_bike_world_has_weekday_commute_peaks_and_summer_demand():
    frame = BikeWorld().sample(24 * 365, rng=0)
    weekday = frame["weekday"] < 5
    at = frame.groupby([weekday, frame["hour"]])["true_mean"].mean()
    assert at[(True, 8)] > 2 * at[(False, 8)]
    assert at[(True, 8)] > 5 * at[(True, 3)]
    month = frame["timestamp"].dt.month
    assert (
        frame.loc[month == 7, "temperature"].mean()
        > frame.loc[month == 1, "temperature"].mean() + 10
    )
    assert frame.loc[month == 7, "target"].mean() > frame.loc[month == 1, "target"].mean()


def test_world_covariate_drift_draws_labels_from_the_unchanged_concept():
    world = LoanWorld()
    drift = Drift("covariate", start=5000, magnitude=1.0, column="income")
    frame = world.sample(10_000, drifts=drift, rng=0)
    np.testing.assert_allclose(world.true_proba(frame), frame["true_proba"])
    shift = frame["income"][5000:].mean() - frame["income"][:5000].mean()
    std = frame["income"][:5000].std()
    assert 0.9 * std < shift < 1.1 * std  # SE of the shift is about 0.02 std


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: LoanWorld().sample(-1), ValueError, "n must be >= 0"),
        (lambda: LoanWorld().sample(2.5), TypeError, "n must be an int"),
        (lambda: LoanWorld(label_noise=0.7), ValueError, "label_noise must be in"),
        (lambda: LoanWorld(label_noise="a"), TypeError, "label_noise must be"),
        (lambda: BikeWorld(noise=-0.1), ValueError, "noise must be in"),
        (lambda: LoanWorld().sample(3, freq="bogus"), ValueError, "freq"),
        (lambda: LoanWorld().sample(3, drifts=["x"]), TypeError, "drifts must be"),
        (
            lambda: LoanWorld().sample(
                3, drifts=Drift("covariate", start=0, magnitude=1, column="zip")
            ),
            ValueError,
            "column must be one of",
        ),
        (
            lambda: BikeWorld().sample(3, drifts=Drift("prior", start=0, magnitude=0.5)),
            ValueError,
            "drifts must not include prior drift",
        ),
        (
            lambda: LoanWorld().true_proba(pd.DataFrame({"a": [1]})),
            ValueError,
            "frame must have the columns",
        ),
        (lambda: LoanWorld().true_proba([1, 2]), TypeError, "frame must be"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_prior_drift_truth_is_the_prior_adjusted_posterior():
    world = LoanWorld()
    drift = Drift("prior", start=100, magnitude=0.7)
    frame = world.sample(300, drifts=drift, rng=0)
    np.testing.assert_allclose(world.true_proba(frame, drifts=drift), frame["true_proba"])
    p = world.true_proba(frame)[100:]
    pi = world.sample(100_000, rng=1)["true_proba"].mean()  # the world's base rate, estimated
    a, b = 0.7 / pi, 0.3 / (1 - pi)
    np.testing.assert_allclose(frame["true_proba"][100:], p * a / (p * a + (1 - p) * b), rtol=0.02)


def test_prior_drift_sampling_is_deterministic_too():
    drift = Drift("prior", start="2024-01-02", pattern="gradual", width="1D", magnitude=0.9)
    a = LoanWorld().sample(300, drifts=drift, rng=11)
    pd.testing.assert_frame_equal(
        a, LoanWorld().sample(300, drifts=drift, rng=11), check_exact=True
    )
