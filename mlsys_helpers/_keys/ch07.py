"""Chapter 07 · monitoring. Keys are computed from the helper API with the chapter's seeds
(``SEED`` and the per-experiment offsets of the notebook) or from a formula."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, close_to, text_is

SEED = 7  # the chapter's seed (notebooks/07_monitoring.py)
HOLIDAY_START, AS_OF = "2024-04-15", "2024-05-01"


@functools.cache
def _wasserstein_of_largest_window() -> float:
    from mlsys_helpers import detect, drift, world

    loans = world.LoanWorld()
    reference = loans.sample(20_000, start="2024-01-01", freq="min", rng=SEED + 3)
    richer = drift.Drift("covariate", start="2024-01-01", magnitude=0.05, column="income")
    april = loans.sample(100_000, start="2024-04-01", freq="25s", drifts=richer, rng=SEED + 4)
    return detect.wasserstein(reference["income"], april["income"].iloc[:20_000]).statistic


def _any_of_ten_false_alarms() -> float:
    return 1 - (1 - 0.05) ** 10


@functools.cache
def _share_impossible_after_bad_join() -> float:
    import numpy as np

    from mlsys_helpers import world

    window = world.LoanWorld().sample(500, start="2024-03-10", freq="15min", rng=SEED + 7)
    join_rng = np.random.default_rng(SEED + 8)
    wrong = join_rng.choice(len(window), len(window), replace=False)  # SHUFFLED = 1.0
    history = window["credit_history_years"].to_numpy().copy()
    history[wrong] = join_rng.permutation(history[wrong])
    return float(np.mean(history > window["age"].to_numpy() - 18))


@functools.cache
def _share_labelled_since_drift() -> float:
    import pandas as pd

    from mlsys_helpers import collect, drift, world

    holiday = drift.Drift("concept", start=HOLIDAY_START, magnitude=0.5)
    log = world.LoanWorld().sample(
        8000, start="2024-03-01", freq="15min", drifts=holiday, rng=SEED + 11
    )
    labels = collect.delay_labels(log, delay="30D", never=0.05, rng=SEED + 12)
    recent = labels[(labels["timestamp"] >= HOLIDAY_START) & (labels["timestamp"] < AS_OF)]
    return float((recent["label_arrival"] <= pd.Timestamp(AS_OF)).mean())


EXERCISES = (
    Exercise(
        "07.1",
        close_to(_wasserstein_of_largest_window, tol=0.003),
        "About 0.06 standard deviations: far under the 0.1 threshold, while the KS test on the "
        "same window is beyond doubt. A p-value measures evidence, a distance measures size.",
        "Call `mh.detect.wasserstein(ref_income, apr_income[:20_000])` and take `.statistic`.",
    ),
    Exercise(
        "07.2",
        close_to(_any_of_ten_false_alarms, tol=0.005),
        "About 40 %: each test is wrong 5 % of the time, and a window alerts if any of the ten "
        "is. That is twelve false alerts a month with daily windows.",
        "The chance that none of 10 independent tests fires is 0.95 ** 10; you want the "
        "complement.",
    ),
    Exercise(
        "07.3",
        close_to(_share_impossible_after_bad_join, tol=0.002),
        "Shuffling a column keeps its distribution but creates rows that cannot exist. A domain "
        "classifier learns exactly that; a per-column test never looks at two columns at once.",
        "Take the mean of `bad_join['credit_history_years'] > bad_join['age'] - 18`.",
    ),
    Exercise(
        "07.4",
        close_to(_share_labelled_since_drift, tol=0.005),
        "Only about a fifth: two weeks into the drift, most of the labels that would prove it "
        "are still weeks away. Realised accuracy is the truth, but it is late.",
        "Keep the rows of `known` with 15 April <= timestamp < 1 May and take the mean of "
        "`known['target'].notna()`.",
    ),
    Exercise(
        "07.5",
        text_is("no"),
        "The estimate stays flat: calibrated scores know how uncertain the model is about each "
        "applicant, not that the meaning of debt changed. Concept drift is invisible to it.",
        "Compare the mean `estimated_accuracy` of the windows of "
        "`runs['concept drift: payment holiday']` before and after 15 April.",
    ),
)
