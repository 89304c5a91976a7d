"""Chapter 03 · when not to use ML.

Every key is recomputed from the helper API with the chapter's seeds and settings (the constants
below must match the top of ``notebooks/.sources/03_when_not_to_use_ml.py``).
"""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, Number, Text

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


@functools.cache
def _thin_form_break_even(upkeep: float = CHEAPER_UPKEEP, volume: int = SMALL_LENDER) -> float:
    """Break-even yearly volume of the small lender with the thin form and cheaper upkeep."""
    import mlsys_helpers as mh
    from mlsys_helpers import value

    train, test = _history()
    thin = ["debt_ratio", "age", "region"]
    model = mh.train.make_pipeline_for(train, features=thin, model=_gradient_boosting(SEED))
    model.fit(train, train["target"])
    expert = mh.train.RuleClassifier(feature="debt_ratio", threshold=EXPERT_THRESHOLD)
    expert.fit(train[["debt_ratio"]], train["target"])
    case = value.decision_value(
        accuracy=float(model.score(test, test["target"])),
        baseline_accuracy=float(expert.score(test[["debt_ratio"]], test["target"])),
        decisions_per_year=volume,
        value_per_correct=VALUE_PER_CORRECT,
        cost_per_error=COST_PER_ERROR,
        build_cost=BUILD_COST,
        upkeep_per_year=upkeep,
        years=YEARS,
    )
    return case.break_even_decisions_per_year


def _wrong_03_3() -> dict:
    before = _thin_form_break_even(UPKEEP_PER_YEAR)
    return {
        "the printed break-even (upkeep 100,000)": before,
        "half the printed break-even": before / 2,
        "the small lender's volume": float(SMALL_LENDER),
        "upkeep of 0": _thin_form_break_even(0.0),
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
        Number(lambda: _thin_form_break_even(), decimals=0),
        "Halving the upkeep helps, but a gain of a point or two still pays only at volume: below "
        "that many decisions a year the rule wins on money, although the model wins on accuracy.",
        "Find the cell that builds the table of cases: call the same function for the small "
        "lender with the thin form, with the upkeep replaced in a copy of `economics`, and read "
        "its break-even attribute. The volume falls, but not by half: the build cost stays.",
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
