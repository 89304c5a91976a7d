"""Chapter 01 · the system, not the model."""

from __future__ import annotations

from mlsys_helpers._keys import Exercise, close_to, one_of, text_is

#: The chapter's seed and sizes (notebooks/01_the_system_not_the_model.py uses the same).
SEED = 7
N_HISTORY = 12_000
TEST_SIZE = 0.25
GAIN_REPAID, LOSS_DEFAULT = 1_500, 7_000


def _lowest_accepted_debt_ratio() -> float:
    """The default service's lower limit for debt_ratio: training min - 0.1 * training span."""
    from mlsys_helpers.quality import infer_schema
    from mlsys_helpers.train import time_split
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    train, _ = time_split(world.sample(N_HISTORY, rng=SEED), test_size=TEST_SIZE)
    column = infer_schema(train[list(world.features)])["debt_ratio"]
    return column.min - 0.1 * (column.max - column.min)


EXERCISES = (
    Exercise(
        "01.1",
        one_of("c", "(c)", "c)"),
        "Only the inputs had changed, so only a check on the inputs (or on the decisions, like "
        "the approval rate) could see it before the labels arrived.",
        "The test set, the model and the service's health were unchanged. What changed?",
    ),
    Exercise(
        "01.2",
        text_is("income"),
        "The range check on one column failed: half its live values were below the training "
        "minimum. Reading it from the report is what an automated alert does.",
        "Filter `live_report.failures` for the failed check and read its `column`.",
    ),
    Exercise(
        "01.3",
        close_to(_lowest_accepted_debt_ratio, tol=1e-3),
        "Below zero again: a margin proportional to the span is loose near a bound. "
        "A debt ratio can never be negative; a schema that knows the domain would say so.",
        "Use `schema['debt_ratio'].min` and `.max`: min - 0.1 * (max - min).",
    ),
    Exercise(
        "01.4",
        close_to(GAIN_REPAID / (GAIN_REPAID + LOSS_DEFAULT), tol=0.002),
        "Above about 0.18 approving loses money on average, far below the 0.5 an accuracy-"
        "minded threshold uses: the business decides the threshold, not the metric.",
        "Solve (1 - p) * gain = p * loss for p.",
    ),
)
