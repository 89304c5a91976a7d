"""Chapter 03 · when not to use ML.

Every key is recomputed from the helper API with the chapter's seeds and settings (the constants
below must match the top of ``notebooks/03_when_not_to_use_ml.py``).
"""

from __future__ import annotations

import functools
from typing import Any

from mlsys_helpers._keys import Exercise, close_to, one_of

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
def _first_month() -> tuple[float, float]:
    """Part 1: (expert rule accuracy, model accuracy after the first applications)."""
    import mlsys_helpers as mh

    world = mh.world.LoanWorld(label_noise=LABEL_NOISE)
    train, test = mh.train.time_split(world.sample(8000, rng=SEED), test_size=0.5)
    expert = mh.train.RuleClassifier(feature="debt_ratio", threshold=EXPERT_THRESHOLD)
    expert.fit(train[["debt_ratio"]], train["target"])
    first = train.iloc[:FIRST_APPLICATIONS]
    model = mh.train.make_pipeline_for(train, model=_gradient_boosting(SEED))
    model.fit(first, first["target"])
    return (
        float(expert.score(test[["debt_ratio"]], test["target"])),
        float(model.score(test, test["target"])),
    )


def _rule_or_model(answer: Any) -> bool:
    rule_acc, model_acc = _first_month()
    return one_of("model" if model_acc > rule_acc else "rule")(answer)


@functools.cache
def _history():
    import mlsys_helpers as mh

    world = mh.world.LoanWorld()
    return mh.train.time_split(world.sample(9000, rng=SEED + 1), test_size=4000)


def _stretched_default_rate() -> float:
    train, _ = _history()
    stretched = (train["loan_amount"] / train["income"] > 0.35) & (train["employment_years"] < 2)
    return float(train.loc[stretched, "target"].mean())


@functools.cache
def _thin_form_break_even() -> float:
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
        decisions_per_year=SMALL_LENDER,
        value_per_correct=VALUE_PER_CORRECT,
        cost_per_error=COST_PER_ERROR,
        build_cost=BUILD_COST,
        upkeep_per_year=CHEAPER_UPKEEP,
        years=YEARS,
    )
    return case.break_even_decisions_per_year


EXERCISES = (
    Exercise(
        "03.1",
        _rule_or_model,
        "With a hundred noisy labels the model is not yet better than one line of "
        "expert knowledge. The rule costs nothing to train and is ready on day one.",
        "Fit the pipeline on `train.iloc[:100]`, score it on `test`, and compare with "
        "`rule_accuracy`. Answer 'rule' or 'model'.",
    ),
    Exercise(
        "03.2",
        close_to(_stretched_default_rate, tol=0.01),
        "Most stretched applicants with a new job default, while neither a large loan nor a short "
        "job is alarming on its own: a single threshold on one column cannot express 'A and B'.",
        "Build a boolean mask `(train2['loan_amount'] / train2['income'] > 0.35) & "
        "(train2['employment_years'] < 2)` and take the mean of `target` on those rows (a "
        "fraction, not a percentage).",
    ),
    Exercise(
        "03.3",
        close_to(lambda: _thin_form_break_even(), tol=25.0),
        "Halving the upkeep helps, but a gain of a point or two still pays only at volume: below "
        "that many decisions a year the rule wins on money, although the model wins on accuracy.",
        "Call `value.decision_value(...)` with the thin-form accuracies, the small lender's volume "
        "and `**(economics | {'upkeep_per_year': 50_000})`, then read "
        "`.break_even_decisions_per_year`.",
    ),
    Exercise(
        "03.4",
        one_of("enough data", "data", "enough data?"),
        "Twelve failures in thirty years are far too few examples to learn from; the engineer's "
        "rule encodes decades of physics that the data cannot show.",
        "Go through the four questions of the checklist; which one does the bridge story fail "
        "most clearly? Answer with the question's words, e.g. 'measurable value'.",
    ),
)
