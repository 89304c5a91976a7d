"""Chapter 03 · when not to use ML.

Every key is recomputed from the helper API with the chapter's seeds and settings (the constants
below must match the top of ``notebooks/.sources/03_when_not_to_use_ml.py``).
"""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, Number, Text, close_to

SEED = 3
LABEL_NOISE = 0.2
EXPERT_THRESHOLD = 0.43
FIRST_APPLICATIONS = 100
# the value calculator's inputs in the chapter
VALUE_PER_CORRECT, COST_PER_ERROR = 100.0, 2_000.0
BUILD_COST, UPKEEP_PER_YEAR, YEARS = 150_000.0, 100_000.0, 3.0
BIG_LENDER, SMALL_LENDER = 50_000, 3_000
CHEAPER_UPKEEP = 50_000.0  # exercise 03.3


def _gradient_boosting(seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=60, random_state=seed)


@functools.cache
def _first_month(rows: str = "first") -> tuple[float, float, float]:
    """Part 1: (expert rule accuracy, model accuracy on test, model accuracy on its own rows)
    for the model trained on the first (or ``"last"``) applications."""
    import mlsys_helpers as mh

    world = mh.world.LoanWorld(label_noise=LABEL_NOISE)
    train, test = mh.train.time_split(world.sample(8000, rng=SEED), test_size=0.5)
    expert = mh.train.RuleClassifier(feature="debt_ratio", threshold=EXPERT_THRESHOLD)
    expert.fit(train[["debt_ratio"]], train["target"])
    part = train.iloc[:FIRST_APPLICATIONS] if rows == "first" else train.iloc[-FIRST_APPLICATIONS:]
    model = mh.train.make_pipeline_for(train, model=_gradient_boosting(SEED))
    model.fit(part, part["target"])
    return (
        float(expert.score(test[["debt_ratio"]], test["target"])),
        float(model.score(test, test["target"])),
        float(model.score(part, part["target"])),
    )


def _model_minus_rule() -> float:
    rule_acc, model_acc, _ = _first_month()
    return model_acc - rule_acc


def _wrong_03_1() -> dict:
    rule_acc, model_acc, fit_acc = _first_month()
    return {
        "rule minus model (sign)": rule_acc - model_acc,
        "the model's accuracy alone": model_acc,
        "the rule's accuracy (printed)": rule_acc,
        "scored on its own 100 rows": fit_acc - rule_acc,
        "trained on the last 100 rows": _first_month("last")[1] - rule_acc,
        "the word instead of the number": "rule",
    }


@functools.cache
def _history():
    import mlsys_helpers as mh

    world = mh.world.LoanWorld()
    return mh.train.time_split(world.sample(9000, rng=SEED + 1), test_size=4000)


def _groups():
    train, _ = _history()
    large = train["loan_amount"] / train["income"] > 0.35
    new_job = train["employment_years"] < 2
    return train["target"], large, new_job


def _stretched_risk_ratio() -> float:
    """Default rate of the stretched (large loan and new job) over that of neither condition."""
    target, large, new_job = _groups()
    return float(target[large & new_job].mean() / target[~large & ~new_job].mean())


def _wrong_03_2() -> dict:
    target, large, new_job = _groups()
    both = target[large & new_job].mean()
    return {
        "the default rate of the stretched": both,
        "over everyone else (not both)": both / target[~(large & new_job)].mean(),
        "over the large-loan-only group": both / target[large & ~new_job].mean(),
        "over all applicants": both / target.mean(),
        "neither over stretched (inverted)": target[~large & ~new_job].mean() / both,
        "a difference instead of a ratio": both - target[~large & ~new_job].mean(),
    }


# chapter 01's scorecard, as in section 4: (decision, outcome) -> money; declines earn 0
PAYOFFS = {(0, 0): VALUE_PER_CORRECT, (0, 1): -COST_PER_ERROR}


@functools.cache
def _thin_form_vs_rule() -> dict:
    """Section 3-4's thin-form model and expert rule on the test set: accuracies and money per
    decision (each kind of decision priced on its own)."""
    import mlsys_helpers as mh
    from mlsys_helpers import value

    train, test = _history()
    thin = ["debt_ratio", "age", "region"]
    model = mh.train.make_pipeline_for(train, features=thin, model=_gradient_boosting(SEED))
    model.fit(train, train["target"])
    expert = mh.train.RuleClassifier(feature="debt_ratio", threshold=EXPERT_THRESHOLD)
    expert.fit(train[["debt_ratio"]], train["target"])
    full = mh.train.make_pipeline_for(train, model=_gradient_boosting(SEED))
    full.fit(train, train["target"])
    decisions = {
        "thin": model.predict(test),
        "expert": expert.predict(test[["debt_ratio"]]),
        "full": full.predict(test),
    }
    y = test["target"]
    return {
        "thin_acc": float(model.score(test, y)),
        "expert_acc": float(expert.score(test[["debt_ratio"]], y)),
        **{
            f"{name}_money": float(value.payoff_per_decision(d, y, payoffs=PAYOFFS))
            for name, d in decisions.items()
        },
        **{
            f"{name}_cheap_money": float(
                value.payoff_per_decision(d, y, payoffs={(0, 0): VALUE_PER_CORRECT, (0, 1): -200})
            )
            for name, d in decisions.items()
        },
    }


def _break_even_by_kind(
    upkeep: float = CHEAPER_UPKEEP,
    *,
    form: str = "thin",
    build_cost: float = BUILD_COST,
    years: float = YEARS,
    cheap: bool = False,
) -> float:
    """Break-even yearly volume of the small lender, money per decision priced by kind."""
    from mlsys_helpers import value

    money = _thin_form_vs_rule()
    suffix = "_cheap_money" if cheap else "_money"
    case = value.payoff_value(
        payoff=money[form + suffix],
        baseline_payoff=money["expert" + suffix],
        decisions_per_year=SMALL_LENDER,
        build_cost=build_cost,
        upkeep_per_year=upkeep,
        years=years,
    )
    return case.break_even_decisions_per_year


def _break_even_by_accuracy(upkeep: float = CHEAPER_UPKEEP) -> float:
    """The flawed version: every error priced alike, value x accuracy gain (decision_value)."""
    from mlsys_helpers import value

    money = _thin_form_vs_rule()
    case = value.decision_value(
        accuracy=money["thin_acc"],
        baseline_accuracy=money["expert_acc"],
        decisions_per_year=SMALL_LENDER,
        value_per_correct=VALUE_PER_CORRECT,
        cost_per_error=COST_PER_ERROR,
        build_cost=BUILD_COST,
        upkeep_per_year=upkeep,
        years=YEARS,
    )
    return case.break_even_decisions_per_year


def _wrong_03_3() -> dict:
    money = _thin_form_vs_rule()
    gain = money["thin_money"] - money["expert_money"]
    printed = _break_even_by_kind(UPKEEP_PER_YEAR)
    return {
        "priced by accuracy (decision_value, the flawed version)": _break_even_by_accuracy(),
        "the printed per-kind break-even (upkeep 100,000)": printed,
        "the printed accuracy break-even (upkeep 100,000)": _break_even_by_accuracy(
            UPKEEP_PER_YEAR
        ),
        "half the printed per-kind break-even": printed / 2,
        "the build cost paid every year": _break_even_by_kind(build_cost=BUILD_COST * YEARS),
        "the build cost left out": _break_even_by_kind(build_cost=0.0),
        "the full form instead of the thin form": _break_even_by_kind(form="full"),
        "the experiment's cheap defaults (-200)": _break_even_by_kind(cheap=True),
        "the small lender's volume": float(SMALL_LENDER),
        "the gain per decision": gain,
    }


EXERCISES = (
    Exercise(
        "03.1",
        Number(_model_minus_rule, decimals=3),
        "Negative: with a hundred noisy labels the model is not yet better than one line of "
        "expert knowledge, and these particular hundred are no luckier than the curve's random "
        "ones. The rule costs nothing to train and is ready on day one.",
        "Fit a fresh pipeline on the first 100 rows of `train` only, score it on `test` (not on "
        "its own rows), and subtract `rule_accuracy`; a model behind the rule gives a negative "
        "number.",
        wrong=_wrong_03_1,
    ),
    Exercise(
        "03.2",
        Number(_stretched_risk_ratio, decimals=1),
        "About four times: the two conditions together are far worse than either alone, and a "
        "single threshold on one column cannot express 'A and B'.",
        "Make one boolean Series per condition from the columns of `train2`; combine them with "
        "& and ~ to get the two groups; divide the mean 'target' of one group by the other's.",
        wrong=_wrong_03_2,
    ),
    Exercise(
        "03.3",
        close_to(lambda: _break_even_by_kind(), tol=100),
        "Halving the upkeep cuts the volume needed by about a third, not by half (the build cost "
        "stays), and it still lies far above the lender's 3,000 decisions: priced by kind, the "
        "thin form's gain is a few dollars per decision. Priced by accuracy it would have looked "
        "close to paying off.",
        "Price the decisions by kind, as section 4 does: the money per decision of the thin-form "
        "model and of the expert rule are in `per_decision`; pass them to `value.payoff_value` "
        "for the small lender with the upkeep changed and read the break-even attribute of the "
        "result. `value.decision_value` prices every error alike: not that one.",
        wrong=_wrong_03_3,
    ),
    Exercise(
        "03.4",
        Text("enough data", "data", "enough data?"),
        "Twelve failures in thirty years are far too few examples to learn from; the engineer's "
        "rule encodes decades of physics that the data cannot show.",
        "Go through the four questions of the checklist; which one does the bridge story fail "
        "most clearly? Answer with the question's words, e.g. 'measurable value'.",
        wrong=lambda: {
            "value": "measurable value",
            "errors": "cost of errors",
            "patterns": "complex patterns",
        },
    ),
)
