"""Chapter 03 · when not to use ML: the lesson's claims, through the helper API.

Same settings as notebooks/.sources/03_when_not_to_use_ml.py (SEED = 3); each statistical claim is also
checked over SEEDS with the tolerance stated next to it.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

import mlsys_helpers as mh
from mlsys_helpers import value

SEED = 3  # the notebook's seed
SEEDS = (3, 4, 5, 6, 7)  # the claims must not hinge on one lucky seed
LABEL_NOISE = 0.2
EXPERT = dict(feature="debt_ratio", threshold=0.43)
SIZES = (25, 50, 100, 200, 400, 800, 1600, 3200)
THIN = ["debt_ratio", "age", "region"]
ECONOMICS = dict(
    value_per_correct=100,
    cost_per_error=2_000,
    build_cost=150_000,
    upkeep_per_year=100_000,
    years=3,
)
SMALL_LENDER, BIG_LENDER = 3_000, 50_000
PAYOFFS = {(0, 0): 100, (0, 1): -2_000}  # approve & repaid, approve & default; declines earn 0
CHEAP_PAYOFFS = {(0, 0): 100, (0, 1): -200}  # the experiment: a small overdraft


def boosting(seed):
    return HistGradientBoostingClassifier(max_iter=60, random_state=seed)


@functools.cache
def first_years(seed: int, label_noise: float = LABEL_NOISE) -> tuple[float, pd.Series]:
    """Section 1-2: (expert rule accuracy, mean model accuracy per training size)."""
    world = mh.world.LoanWorld(label_noise=label_noise)
    train, test = mh.train.time_split(world.sample(8000, rng=seed), test_size=0.5)
    expert = mh.train.RuleClassifier(**EXPERT).fit(train[["debt_ratio"]], train["target"])
    rule = expert.score(test[["debt_ratio"]], test["target"])
    model = mh.train.make_pipeline_for(train, model=boosting(seed))
    curve = mh.train.learning_curve(
        train, test, model=model, baseline=expert, sizes=SIZES, repeats=4, rng=seed
    )
    return rule, curve[curve["estimator"] == "model"].groupby("n_train")["score"].mean()


def crossover(rule: float, model: pd.Series) -> int:
    """Smallest size from which on the model's mean accuracy stays above the rule's."""
    return next(n for n in model.index if (model.loc[n:] > rule).all())


@functools.cache
def full_history(seed: int) -> dict[str, float]:
    """Section 3: test accuracies on clean outcomes, plus the stretched segment's."""
    rule_world = mh.world.LoanWorld(label_noise=LABEL_NOISE)
    early, _ = mh.train.time_split(rule_world.sample(8000, rng=seed), test_size=0.5)
    expert = mh.train.RuleClassifier(**EXPERT).fit(early[["debt_ratio"]], early["target"])
    lender = mh.world.LoanWorld()
    train, test = mh.train.time_split(lender.sample(9000, rng=seed + 1), test_size=4000)
    numeric = list(lender.numeric_features)
    best_rule = mh.train.RuleClassifier().fit(train[numeric], train["target"])
    logistic = mh.train.make_pipeline_for(train).fit(train, train["target"])
    trees = mh.train.make_pipeline_for(train, model=boosting(seed)).fit(train, train["target"])
    thin = mh.train.make_pipeline_for(train, features=THIN, model=boosting(seed))
    thin.fit(train, train["target"])
    y = test["target"].to_numpy()
    stretched = (
        (test["loan_amount"] / test["income"] > 0.35) & (test["employment_years"] < 2)
    ).to_numpy()
    right = {
        "expert": expert.predict(test[["debt_ratio"]]) == y,
        "best_rule": best_rule.predict(test[numeric]) == y,
        "logistic": logistic.predict(test) == y,
        "trees": trees.predict(test) == y,
        "thin": thin.predict(test) == y,
    }
    out = {name: float(ok.mean()) for name, ok in right.items()}
    out |= {f"{name}_stretched": float(ok[stretched].mean()) for name, ok in right.items()}
    decisions = {
        "expert": expert.predict(test[["debt_ratio"]]),
        "trees": trees.predict(test),
        "thin": thin.predict(test),
    }
    for name, d in decisions.items():
        out[f"{name}_money"] = value.payoff_per_decision(d, y, payoffs=PAYOFFS)
        out[f"{name}_cheap_money"] = value.payoff_per_decision(d, y, payoffs=CHEAP_PAYOFFS)
        out[f"{name}_wrong_approvals"] = float(np.mean((d == 0) & (y == 1)))
        out[f"{name}_wrong_declines"] = float(np.mean((d == 1) & (y == 0)))
    large = (test["loan_amount"] / test["income"] > 0.35).to_numpy()
    short = (test["employment_years"] < 2).to_numpy()
    out["default_rates"] = {
        (a, b): float(y[(large == a) & (short == b)].mean())
        for a in (False, True)
        for b in (False, True)
    }
    return out


def priced(acc, model, volume, *, cheap=False):
    key = "_cheap_money" if cheap else "_money"
    return value.payoff_value(
        payoff=acc[model + key],
        baseline_payoff=acc["expert" + key],
        decisions_per_year=volume,
        **{k: ECONOMICS[k] for k in ("build_cost", "upkeep_per_year", "years")},
    )


def case(accuracy, baseline, volume, **changes):
    return value.decision_value(
        accuracy=accuracy,
        baseline_accuracy=baseline,
        decisions_per_year=volume,
        **(ECONOMICS | changes),
    )


# ------------------------------------------------------------------ rule vs model, little data
def test_expert_rule_beats_the_model_up_to_100_examples_in_the_notebook():
    rule, model = first_years(SEED)
    assert (model.loc[:100] < rule).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_rule_matches_or_beats_the_model_with_50_examples_or_fewer(seed):
    rule, model = first_years(seed)
    assert (model.loc[:50] <= rule).all()  # observed margins: 1 to 10 points


@pytest.mark.parametrize("seed", SEEDS)
def test_model_needs_between_100_and_400_examples_to_beat_the_rule(seed):
    rule, model = first_years(seed)
    assert 100 <= crossover(rule, model) <= 400


@pytest.mark.parametrize("seed", SEEDS)
def test_model_beats_the_rule_clearly_beyond_the_crossover(seed):
    rule, model = first_years(seed)
    assert (model.loc[800:] > rule + 0.01).all()  # observed: 1.8 points or more
    assert model.loc[3200] > rule + 0.04  # observed: 5 points or more


def test_label_noise_moves_the_crossover_as_the_experiment_says():
    clean, noisy, noisier = (crossover(*first_years(SEED, noise)) for noise in (0.0, 0.2, 0.3))
    assert clean < noisy < noisier
    rule, model = first_years(SEED, 0.3)
    assert model.loc[3200] - rule < first_years(SEED)[1].loc[3200] - first_years(SEED)[0]


# ------------------------------------------------------------- interactions: ML clearly wins
@pytest.mark.parametrize("seed", SEEDS)
def test_trees_beat_the_best_single_rule_by_at_least_10_points(seed):
    # "both models beat the best possible single rule by more than 10 points"
    acc = full_history(seed)
    assert acc["trees"] >= acc["best_rule"] + 0.10  # observed: 13 to 15 points
    assert acc["logistic"] >= acc["best_rule"] + 0.10  # notebook: 12.7 points


@pytest.mark.parametrize("seed", SEEDS)
def test_only_trees_catch_the_stretched_applicants(seed):
    acc = full_history(seed)
    assert acc["trees_stretched"] >= acc["logistic_stretched"] + 0.08  # observed: >= 13 points
    assert acc["trees_stretched"] >= acc["best_rule_stretched"] + 0.25  # observed: >= 35 points


@pytest.mark.parametrize("seed", SEEDS)
def test_thin_form_gains_less_than_2_5_points_over_the_expert(seed):
    acc = full_history(seed)
    assert -0.01 < acc["thin"] - acc["expert"] < 0.025  # observed: 0.8 to 2.0 points


# ------------------------------------------------------------------------ value calculator
def test_first_month_model_is_a_no_go_in_the_notebook():
    rule, model = first_years(SEED)
    assert not case(model.loc[100], rule, SMALL_LENDER).go


@pytest.mark.parametrize("seed", SEEDS)
def test_calculator_verdicts_of_the_documented_cases(seed):
    acc = full_history(seed)
    assert not case(acc["thin"], acc["expert"], SMALL_LENDER).go
    assert case(acc["trees"], acc["expert"], SMALL_LENDER).go
    assert case(acc["thin"], acc["expert"], BIG_LENDER).go


@pytest.mark.parametrize("seed", SEEDS)
def test_cheap_errors_turn_the_small_lender_full_form_into_a_no_go(seed):
    acc = full_history(seed)
    assert not case(acc["trees"], acc["expert"], SMALL_LENDER, cost_per_error=200).go


def test_break_even_volume_of_the_small_thin_form_lender_is_above_its_volume():
    acc = full_history(SEED)
    needed = case(acc["thin"], acc["expert"], SMALL_LENDER).break_even_decisions_per_year
    assert SMALL_LENDER < needed < np.inf


# ------------------------------------------------ priced per kind of error (chapter 01's scorecard)
@pytest.mark.parametrize("seed", SEEDS)
def test_each_condition_alone_raises_the_risk_moderately_and_both_together_sharply(seed):
    rates = full_history(seed)["default_rates"]
    neither, short_only = rates[(False, False)], rates[(False, True)]
    large_only, both = rates[(True, False)], rates[(True, True)]
    # "neither condition alone pushes the default rate past one in two"
    assert neither < short_only < 0.5 and neither < large_only < 0.5, rates
    assert both > 0.75, rates  # "together they default far more often than not"


@pytest.mark.parametrize("seed", SEEDS)
def test_pricing_errors_by_kind_never_gives_the_thin_form_more_than_accuracy_does(seed):
    # a fixed wrong decline is worth 100, a fixed wrong approval 2,000; accuracy counts 2,100
    acc = full_history(seed)
    by_accuracy = case(acc["thin"], acc["expert"], SMALL_LENDER)
    by_kind = priced(acc, "thin", SMALL_LENDER)
    assert 0 < by_kind.gain_per_decision < by_accuracy.gain_per_decision  # observed 5 to 24
    assert by_kind.break_even_decisions_per_year > SMALL_LENDER  # observed: 6,000 or more


def test_in_the_notebook_the_thin_forms_gain_comes_from_fewer_wrong_declines():
    acc = full_history(SEED)
    fewer_declines = acc["expert_wrong_declines"] - acc["thin_wrong_declines"]
    fewer_approvals = acc["expert_wrong_approvals"] - acc["thin_wrong_approvals"]
    assert fewer_declines > 3 * fewer_approvals  # notebook: 1.3 points against 0.2


def test_the_notebooks_per_kind_numbers():
    acc = full_history(SEED)
    by_accuracy = case(acc["thin"], acc["expert"], SMALL_LENDER)
    by_kind = priced(acc, "thin", SMALL_LENDER)
    # "from about 31 to about 5 per decision", "grows six-fold, from 4,843 to 28,436 decisions"
    assert 29 <= by_accuracy.gain_per_decision <= 33
    assert 4 <= by_kind.gain_per_decision <= 6.5
    assert by_accuracy.break_even_decisions_per_year < 5_000
    assert 25_000 <= by_kind.break_even_decisions_per_year <= 31_000
    ratio = by_kind.break_even_decisions_per_year / by_accuracy.break_even_decisions_per_year
    assert 5.5 <= ratio <= 6.5, ratio  # "six-fold"
    # "every method loses money per decision in this risky world"
    assert max(acc["expert_money"], acc["thin_money"], acc["trees_money"]) < 0


@pytest.mark.parametrize("seed", SEEDS)
def test_per_kind_verdicts_of_the_documented_cases(seed):
    acc = full_history(seed)
    assert not priced(acc, "thin", SMALL_LENDER).go
    assert priced(acc, "trees", SMALL_LENDER).go
    assert priced(acc, "trees", SMALL_LENDER).gain_per_decision > 100  # "stays far ahead"


def test_big_lender_thin_form_is_a_go_per_kind_in_the_notebook():
    assert priced(full_history(SEED), "thin", BIG_LENDER).go


@pytest.mark.parametrize("seed", SEEDS)
def test_cheap_defaults_turn_the_go_cases_into_no_go_or_near_break_even(seed):
    acc = full_history(seed)
    assert not priced(acc, "trees", SMALL_LENDER, cheap=True).go
    big_thin = priced(acc, "thin", BIG_LENDER, cheap=True)
    assert big_thin.gain_per_decision < 3.5  # near break-even (3.0) on every seed
    if seed == SEED:
        assert not big_thin.go
        assert big_thin.gain_per_decision < 2  # "whose gain falls to under 2 per decision"


def test_adding_income_to_the_thin_form_adds_several_points_in_the_notebook():
    lender = mh.world.LoanWorld()
    train, test = mh.train.time_split(lender.sample(9000, rng=SEED + 1), test_size=4000)
    with_income = mh.train.make_pipeline_for(
        train, features=[*THIN, "income"], model=boosting(SEED)
    )
    with_income.fit(train, train["target"])
    gain = with_income.score(test, test["target"]) - full_history(SEED)["thin"]
    assert 0.07 <= gain <= 0.14  # the notebook says "about ten points" (seen: 10.4)


def test_the_crossovers_the_prose_quotes():
    # "around a couple of hundred examples it catches up"; clean records: "around 50 examples"
    assert crossover(*first_years(SEED)) == 200
    assert 25 <= crossover(*first_years(SEED, 0.0)) <= 100
