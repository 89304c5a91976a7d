"""Chapter 01 · the system, not the model."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, Number, Text

#: The chapter's seed and sizes (notebooks/.sources/01_the_system_not_the_model.py uses the same).
SEED = 7
N_HISTORY = 12_000
TEST_SIZE = 0.25
GAIN_REPAID, LOSS_DEFAULT = 1_500, 7_000


RANGE_MARGIN = 0.1  # the service's default range_margin
ASKED = "age"  # exercise 01.3 asks about this column (the chapter prints the income limits)


@functools.cache
def _training_schema():
    """The chapter's schema of the training features (``schema`` in the notebook)."""
    from mlsys_helpers.quality import infer_schema
    from mlsys_helpers.train import time_split
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    train, _ = time_split(world.sample(N_HISTORY, rng=SEED), test_size=TEST_SIZE)
    return infer_schema(train[list(world.features)])


def _lowest_accepted(column: str = ASKED) -> float:
    """The default service's lower limit for ``column``: training min - margin * training span."""
    limits = _training_schema()[column]
    return limits.min - RANGE_MARGIN * (limits.max - limits.min)


def _wrong_limits() -> dict:
    limits = _training_schema()[ASKED]
    return {
        "min - 0.1 * max (margin of the maximum, not of the span)": limits.min
        - RANGE_MARGIN * limits.max,
        "the training minimum (no margin)": limits.min,
        "the upper limit": limits.max + RANGE_MARGIN * (limits.max - limits.min),
        "min - 0.1 * min": limits.min * (1 - RANGE_MARGIN),
        "the lower limit of income (the printed column)": _lowest_accepted("income"),
        "the lower limit of debt_ratio": _lowest_accepted("debt_ratio"),
    }


def _break_even() -> float:
    return GAIN_REPAID / (GAIN_REPAID + LOSS_DEFAULT)


EXERCISES = (
    Exercise(
        "01.1",
        Text("c", "(c)", "c)"),
        "Only the inputs had changed, so only a check on the inputs (or on the decisions, like "
        "the approval rate) could see it before the labels arrived. The service's own check, "
        "with its 10 % margin, let the thousands through: 'requests with problems 0.0 %'. A "
        "strict comparison with the training range flagged half the online incomes.",
        "The test set, the model and the service's health were unchanged, and the service's own "
        "range check has a margin. What changed, and which check looks at it without a margin?",
        wrong=lambda: {"offline accuracy": "a", "the service's lines": "b", "latency": "d"},
    ),
    Exercise(
        "01.2",
        Text("income"),
        "The range check on one column failed: half its live values were below the training "
        "minimum. Reading it from the report is what an automated alert does.",
        "`live_report.failures` is a table with one row per failed check: which of its columns "
        "names the request field?",
        wrong=lambda: {
            "the check's name": "range",
            "another field": "debt_ratio",
            "the channel": "online",
        },
    ),
    Exercise(
        "01.3",
        Number(_lowest_accepted, decimals=1),
        "An applicant under 12 years old would reach the model: a margin proportional to the "
        "span is loose near a bound. Nobody under 18 can take a loan; a schema that knows the "
        "domain would say so.",
        "The cell that prints the accepted incomes applies the service's rule to 'income'; apply "
        "the same rule to the limits in `schema['age']` (the margin is a share of the span).",
        wrong=_wrong_limits,
    ),
    Exercise(
        "01.4",
        Number(_break_even, decimals=2, fraction=True),
        "Above about 0.18 approving loses money on average, far below the 0.5 an accuracy-"
        "minded threshold uses: the business decides the threshold, not the metric.",
        "Solve (1 - p) * gain = p * loss for p: collect the terms with p on one side.",
        wrong=lambda: {
            "the accuracy threshold": 0.5,
            "loss / (gain + loss)": LOSS_DEFAULT / (GAIN_REPAID + LOSS_DEFAULT),
            "gain / loss": GAIN_REPAID / LOSS_DEFAULT,
            "loss / gain": LOSS_DEFAULT / GAIN_REPAID,
        },
    ),
)
