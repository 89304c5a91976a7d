"""Chapter 04 · data is where systems fail: the lesson's claims, through the helper API.

The notebook (notebooks/.sources/04_data_is_where_systems_fail.py) uses ``SEED = 4`` and ``rng=SEED + k``
per experiment; the same construction is rebuilt here. Statistical claims are checked for the
notebook's seed and for several other seeds (``SEEDS``), with the tolerance stated next to each.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

import mlsys_helpers as mh

SEED = 4
SEEDS = (SEED, 11, 23, 37, 58, 71)  # the notebook's seed and five others
TRUTH = ("drift_weight", "true_proba")
READINGS = ["precipitation", "temp_max", "temp_min", "wind"]
WORLD = mh.world.LoanWorld()


@functools.cache
def _healthy(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    train = WORLD.sample(4000, start="2024-04-15", rng=seed)
    test = WORLD.sample(4000, start="2024-10-01", rng=seed + 1)
    return train, test


def _evaluate(training, on, model=None) -> tuple[float, float]:
    """(accuracy, share of real defaults caught) of the chapter's pipeline."""
    pipe = mh.train.make_pipeline_for(training, model=model).fit(training, training["target"])
    predicted, actual = pipe.predict(on), on["target"].to_numpy()
    return float(np.mean(predicted == actual)), float(np.mean(predicted[actual == 1] == 1))


def _missing(seed: int, mechanism: str) -> pd.DataFrame:
    train, _ = _healthy(seed)
    how = {"depends_on": "age"} if mechanism == "MAR" else {}
    return mh.collect.make_missing(
        train,
        columns="debt_ratio",
        rate=0.4,
        mechanism=mechanism,
        strength=3.0,
        rng=seed + 2,
        **how,
    )


def _biased(seed: int) -> pd.DataFrame:
    return mh.collect.sampling_bias(_healthy(seed)[0], column="target", keep={1: 0.3}, rng=seed + 3)


def _year(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    holiday = mh.drift.Drift("concept", start="2024-06-01", magnitude=0.5)
    year = WORLD.sample(8000, drifts=holiday, rng=seed + 4)
    stale = mh.collect.outdated(year, before="2024-06-01")
    fresh = year[(year["timestamp"] >= "2024-06-01") & (year["timestamp"] < "2024-10-01")]
    return stale, fresh, year[year["timestamp"] >= "2024-10-01"]


def _noisy(seed: int, kind: str) -> pd.DataFrame:
    train, _ = _healthy(seed)
    if kind == "uniform":
        return mh.collect.label_noise(train, rate=0.2, rng=seed + 5)
    if kind == "class_conditional":
        return mh.collect.label_noise(train, rate={1: 0.4}, kind=kind, rng=seed + 5)
    return mh.collect.label_noise(
        train, rate=0.2, kind="feature", depends_on="debt_ratio", rng=seed + 5
    )


def _no_brokers(seed: int) -> pd.DataFrame:
    return mh.collect.sampling_bias(
        _healthy(seed)[0], column="channel", keep={"broker": 0.0}, rng=seed + 6
    )


def _schema(seed: int) -> mh.quality.Schema:
    trusted = WORLD.sample(3000, start="2024-03-01", rng=seed + 7)
    return mh.quality.infer_schema(trusted, exclude=TRUTH)


# ----------------------------------------------------------------------- the five problems
@pytest.mark.parametrize("seed", SEEDS)
def test_mnar_lies_about_observed_values_while_mcar_and_mar_do_not(seed):
    true_mean = _healthy(seed)[0]["debt_ratio"].mean()
    # tolerance: MCAR/MAR keep the observed mean within 0.01 (std of a 2400-row mean ~0.003,
    # MAR depends on age, which is independent of debt_ratio); MNAR hides high values: >= 0.05 lower
    assert abs(_missing(seed, "MCAR")["debt_ratio"].mean() - true_mean) < 0.01
    assert abs(_missing(seed, "MAR")["debt_ratio"].mean() - true_mean) < 0.01
    assert _missing(seed, "MNAR")["debt_ratio"].mean() < true_mean - 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_mnar_costs_accuracy_mcar_almost_none(seed):
    _, test = _healthy(seed)
    healthy = _evaluate(_healthy(seed)[0], test)[0]
    mcar = _evaluate(_missing(seed, "MCAR"), test)[0]
    mnar = _evaluate(_missing(seed, "MNAR"), test)[0]
    assert healthy - mcar < 0.01  # tolerance: MCAR loses at most one point
    assert healthy - mnar > 0.01  # MNAR loses more than one point ...
    assert healthy - mnar > healthy - mcar + 0.01  # ... and at least one more than MCAR


@pytest.mark.parametrize("seed", SEEDS)
def test_outcome_dependent_bias_makes_the_model_miss_defaults(seed):
    train, test = _healthy(seed)
    biased = _biased(seed)
    assert biased["target"].mean() < 0.5 * train["target"].mean()  # 30 % kept: ~0.11 vs ~0.30
    caught_healthy = _evaluate(train, test)[1]
    caught_biased = _evaluate(biased, test)[1]
    assert caught_healthy - caught_biased > 0.15  # tolerance: notebook seed shows 0.22


@pytest.mark.parametrize("seed", SEEDS)
def test_a_stale_table_loses_to_a_smaller_fresh_one(seed):
    stale, fresh, autumn = _year(seed)
    assert len(stale) > len(fresh)
    assert _evaluate(fresh, autumn)[0] - _evaluate(stale, autumn)[0] > 0.05  # notebook: 0.10


@pytest.mark.parametrize("seed", SEEDS)
def test_systematic_label_noise_hurts_far_more_than_random_noise(seed):
    train, test = _healthy(seed)
    healthy = _evaluate(train, test)[0]
    uniform = _evaluate(_noisy(seed, "uniform"), test)[0]
    systematic = _evaluate(_noisy(seed, "class_conditional"), test)[0]
    hard_cases = _evaluate(_noisy(seed, "feature"), test)[0]
    assert healthy - uniform < 0.03  # 20 % random flips: under 3 points
    assert healthy - systematic > 0.05  # 40 % of defaults recorded as repaid: over 5 points
    assert healthy - hard_cases > 0.04  # 20 % flips on high-debt files: over 4 points


@pytest.mark.parametrize("seed", SEEDS)
def test_unrepresentative_data_fails_the_customers_it_never_saw(seed):
    train, test = _healthy(seed)
    brokers = test[test["channel"] == "broker"]
    assert (_no_brokers(seed)["channel"] == "broker").sum() == 0
    accuracy_healthy, caught_healthy = _evaluate(train, brokers)
    accuracy_broken, caught_broken = _evaluate(_no_brokers(seed), brokers)
    # tolerance (on ~600 broker rows): accuracy drops > 3 points (notebook seed: 9; the worst of
    # 18 seeds tried: 3.9) and the share of broker defaults caught drops > 15 points (all: > 23)
    assert accuracy_healthy - accuracy_broken > 0.03
    assert caught_healthy - caught_broken > 0.15


# ------------------------------------------------------------------- garbage in, garbage out
@pytest.mark.parametrize("seed", SEEDS)
def test_cleaning_labels_beats_switching_to_a_stronger_algorithm(seed):
    train, test = _healthy(seed)
    noisy = _noisy(seed, "class_conditional")
    boosting = HistGradientBoostingClassifier(random_state=seed)
    lr_noisy, lr_clean = _evaluate(noisy, test)[0], _evaluate(train, test)[0]
    gb_noisy = _evaluate(noisy, test, model=boosting)[0]
    assert lr_clean > gb_noisy + 0.03  # simple model, clean labels beats strong model, noisy labels
    assert (lr_clean - lr_noisy) > 2 * (gb_noisy - lr_noisy)  # cleaning gains > twice switching


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_boosting_is_genuinely_stronger_on_clean_labels(seed):
    train, test = _healthy(seed)
    boosting = HistGradientBoostingClassifier(random_state=seed)
    assert _evaluate(train, test, model=boosting)[0] > _evaluate(train, test)[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_feature_dependent_noise_also_favours_cleaning_over_switching(seed):
    train, test = _healthy(seed)
    noisy = _noisy(seed, "feature")
    boosting = HistGradientBoostingClassifier(random_state=seed)
    gb_noisy = _evaluate(noisy, test, model=boosting)[0]
    assert _evaluate(train, test)[0] > gb_noisy + 0.02


# ---------------------------------------------------------------------------- quality report
def _failed(frame, schema) -> set[tuple[str, str]]:
    failures = mh.quality.validate(frame, schema).failures
    return set(zip(failures["check"], failures["column"], strict=True))


@pytest.mark.parametrize("seed", SEEDS)
def test_quality_report_passes_the_healthy_table(seed):
    assert mh.quality.validate(_healthy(seed)[0], _schema(seed)).passed


@pytest.mark.parametrize("seed", SEEDS)
def test_quality_report_catches_each_broken_table(seed):
    schema = _schema(seed)
    assert ("null_rate", "debt_ratio") in _failed(_missing(seed, "MNAR"), schema)
    assert ("label_mix", "target") in _failed(_biased(seed), schema)
    assert ("label_mix", "target") in _failed(_noisy(seed, "class_conditional"), schema)
    assert ("label_mix", "channel") in _failed(_no_brokers(seed), schema)


@pytest.mark.slow
def test_uniform_noise_is_caught_only_marginally():
    # 20 % random flips move the default share by 0.2 * (0.70 - 0.30) = 0.08 in expectation, not
    # far above the 0.05 tolerance. The chapter says: SEED 0..59 -> caught 59 times of 60, missed
    # with SEED = 38 (trusted default share 0.335, gap 0.045). (Seeds 0..199: missed twice, 38, 109.)
    missed = [
        seed
        for seed in range(60)
        if ("label_mix", "target") not in _failed(_noisy(seed, "uniform"), _schema(seed))
    ]
    assert missed == [38]
    assert 60 - len(missed) == 59  # "SEED from 0 to 59 ... caught 59 times out of 60"
    trusted = WORLD.sample(3000, start="2024-03-01", rng=38 + 7)
    gap = _noisy(38, "uniform")["target"].mean() - trusted["target"].mean()
    assert round(trusted["target"].mean(), 3) == 0.335 and round(gap, 3) == 0.045


def test_the_chapters_export_fails_on_each_impossible_value():
    schema = _schema(SEED).with_bounds({"age": (18, 100)})
    export = _healthy(SEED)[1].head(500).copy()
    export.loc[export.index[[3, 17]], "age"] = [12, 7]
    export.loc[export.index[25], "income"] = -1.0
    export.loc[export.index[40], "channel"] = "partner_app"
    export.loc[export.index[41], "debt_ratio"] = np.inf
    report = mh.quality.validate(export, schema)
    assert _failed(export, schema) == {
        ("bounds", "income"),
        ("bounds", "age"),
        ("finite", "debt_ratio"),
        ("unseen_category", "channel"),
    }
    assert len(report.cases.query("check != 'range'")) == 5  # "five bad values in 500 rows"
    # without the edit, inference knows income >= 0 but not that applicants are adults
    assert ("bounds", "age") not in _failed(export, _schema(SEED))
    assert ("bounds", "income") in _failed(export, _schema(SEED))
    assert _failed(export.iloc[:0], schema) == {("rows", "*")}


@pytest.mark.parametrize("seed", SEEDS)
def test_stale_table_passes_the_schema_and_fails_freshness(seed):
    stale, _, _ = _year(seed)
    assert mh.quality.validate(stale, _schema(seed)).passed
    assert not mh.quality.check_freshness(stale, now="2024-10-01", max_age="30D").passed
    assert mh.quality.check_freshness(_healthy(seed)[0], now="2024-10-01", max_age="30D").passed


def test_unseen_broker_request_fails_unseen_category_at_serving_time():
    schema = mh.quality.infer_schema(_no_brokers(SEED), exclude=TRUTH)
    brokers = _healthy(SEED)[1].query("channel == 'broker'").head(20)
    assert ("unseen_category", "channel") in _failed(brokers, schema)


# ----------------------------------------------------------------- the Seattle weather label bug
@functools.cache
def _seattle() -> tuple[pd.DataFrame, pd.DataFrame]:
    return mh.datasets.load_seattle_weather("original"), mh.datasets.load_seattle_weather("fixed")


def test_seattle_labels_diverge_from_2013_04_with_identical_readings():
    original, fixed = _seattle()
    for column in READINGS + ["date"]:
        assert original[column].equals(fixed[column])
    differs = original["weather"] != fixed["weather"]
    assert original.loc[differs, "date"].min().strftime("%Y-%m") == "2013-04"
    assert (original.loc[original["date"] < "2013-04-01", "weather"]).equals(
        fixed.loc[fixed["date"] < "2013-04-01", "weather"]
    )


def test_seattle_monthly_rain_share_collapses_only_in_the_original():
    original, fixed = _seattle()
    month = original["date"].dt.to_period("M")
    rain_original = (original["weather"] == "rain").groupby(month).mean()
    rain_fixed = (fixed["weather"] == "rain").groupby(month).mean()
    after = rain_original.index >= pd.Period("2013-04", "M")
    assert rain_original[after].max() < 0.1  # at most 3 rainy-labelled days a month
    assert rain_fixed[after].mean() > 0.3  # Seattle: about 4 in 10 days labelled rain


def test_domain_rule_wet_days_are_rain_separates_the_two_files():
    original, fixed = _seattle()
    year = original["date"].dt.year
    wet_late = (original["precipitation"] > 0) & (year >= 2014)
    assert (original.loc[wet_late, "weather"] == "rain").mean() < 0.05
    assert (fixed.loc[wet_late, "weather"] == "rain").mean() > 0.95


def test_model_trained_on_2012_degrades_only_against_the_original_labels():
    original, fixed = _seattle()
    year = original["date"].dt.year
    accuracy = {}
    for version, frame in {"original": original, "fixed": fixed}.items():
        tree = DecisionTreeClassifier(max_depth=4, random_state=SEED)
        tree.fit(frame.loc[year == 2012, READINGS], frame.loc[year == 2012, "weather"])
        later = year >= 2014
        predicted = tree.predict(frame.loc[later, READINGS])
        accuracy[version] = float(np.mean(predicted == frame.loc[later, "weather"]))
    assert accuracy["original"] < 0.5
    assert accuracy["fixed"] > 0.75
    assert accuracy["fixed"] - accuracy["original"] > 0.3


def test_the_fix_relabels_rain_from_precipitation_after_2013_04():
    # the chapter: the fixed file's later labels are the rule "wet -> rain" itself, so the rule
    # and the tree holding steady on the fixed file are partly circular
    original, fixed = _seattle()
    late = fixed["date"] >= "2013-04-01"
    wet = fixed["precipitation"] > 0
    after = fixed.loc[late]
    assert (after.loc[wet[late], "weather"] == "rain").sum() == 393
    assert after.loc[wet[late], "weather"].value_counts().to_dict() == {"rain": 393, "snow": 3}
    assert (after.loc[~wet[late], "weather"] == "rain").sum() == 0
    before = original.loc[~late]
    assert before.loc[wet[~late], "weather"].value_counts().to_dict() == {"rain": 204, "snow": 23}
    assert (before.loc[~wet[~late], "weather"] == "rain").sum() == 44
    assert (original.loc[late & wet, "weather"] == "fog").sum() == 310


def test_label_mix_fires_on_both_files_so_it_cannot_tell_bug_from_weather():
    original, fixed = _seattle()
    year = original["date"].dt.year
    for frame in (original, fixed):
        schema = mh.quality.infer_schema(frame[year == 2012], labels=("weather",))
        assert ("label_mix", "weather") in _failed(frame[year == 2014], schema)
