"""Chapter 07 · monitoring. Keys are computed from the helper API with the chapter's seeds
(``SEED`` and the per-experiment offsets of the notebook) or from a formula."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, Number, WholeNumber

SEED = 7  # the chapter's seed (notebooks/.sources/07_monitoring.py)
HOLIDAY_START, AS_OF = "2024-04-15", "2024-05-01"


WINDOW = 300  # exercise 07.1: the first window of this many rows (the chapter's text: 20,000)
FEATURES_TESTED, ALPHA = 20, 0.01  # exercise 07.2 (the chapter: 10 features at 0.05)
SHUFFLED = 0.5  # exercise 07.3 (the chapter: 1.0)
GAP = 0.10  # exercise 07.5: "more than 10 points above"


@functools.cache
def _incomes():
    from mlsys_helpers import drift, world

    loans = world.LoanWorld()
    reference = loans.sample(20_000, start="2024-01-01", freq="min", rng=SEED + 3)
    richer = drift.Drift("covariate", start="2024-01-01", magnitude=0.05, column="income")
    april = loans.sample(100_000, start="2024-04-01", freq="25s", drifts=richer, rng=SEED + 4)
    return reference["income"].to_numpy(), april["income"].to_numpy()


def _window_statistic(rows: int = WINDOW, start: int = 0, method: str = "wasserstein") -> float:
    from mlsys_helpers import detect

    reference, april = _incomes()
    return float(getattr(detect, method)(reference, april[start : start + rows]).statistic)


def _wrong_07_1() -> dict:
    import numpy as np

    return {
        "the drift's magnitude 0.05": 0.05,
        "the 20,000-row window": _window_statistic(20_000),
        "the threshold 0.1": 0.1,
        "the KS statistic of the window": _window_statistic(method="ks"),
        "the second window": _window_statistic(start=WINDOW),
        "the mean of the ten windows": float(
            np.mean([_window_statistic(start=k * WINDOW) for k in range(10)])
        ),
        "the first 100-row window": _window_statistic(100),
    }


def _any_false_alarm(features: int = FEATURES_TESTED, alpha: float = ALPHA) -> float:
    return 1 - (1 - alpha) ** features


def _wrong_07_2() -> dict:
    return {
        "the chapter's 10 features at 0.05": _any_false_alarm(10, 0.05),
        "the union bound 20 x 0.01": FEATURES_TESTED * ALPHA,
        "no alarm at all": (1 - ALPHA) ** FEATURES_TESTED,
        "one test's alpha": ALPHA,
        "with Bonferroni": _any_false_alarm(alpha=ALPHA / FEATURES_TESTED),
        "alarms a month (x30)": 30 * _any_false_alarm(),
    }


@functools.cache
def _share_impossible_after_bad_join(shuffled: float = SHUFFLED, minus: float = 18.0) -> float:
    import numpy as np

    from mlsys_helpers import world

    window = world.LoanWorld().sample(500, start="2024-03-10", freq="15min", rng=SEED + 7)
    join_rng = np.random.default_rng(SEED + 8)
    wrong = join_rng.choice(len(window), int(shuffled * len(window)), replace=False)
    history = window["credit_history_years"].to_numpy().copy()
    history[wrong] = join_rng.permutation(history[wrong])
    return float(np.mean(history > window["age"].to_numpy() - minus))


def _wrong_07_3() -> dict:
    return {
        "the chapter's full shuffle": _share_impossible_after_bad_join(1.0),
        "half the full shuffle's share": _share_impossible_after_bad_join(1.0) / 2,
        "the share shuffled": SHUFFLED,
        "history longer than age (no - 18)": _share_impossible_after_bad_join(minus=0.0),
        "the clean window": _share_impossible_after_bad_join(0.0),
    }


@functools.cache
def _labels():

    from mlsys_helpers import collect, drift, world

    holiday = drift.Drift("concept", start=HOLIDAY_START, magnitude=0.5)
    log = world.LoanWorld().sample(
        8000, start="2024-03-01", freq="15min", drifts=holiday, rng=SEED + 11
    )
    labels = collect.delay_labels(log, delay="30D", never=0.05, rng=SEED + 12)
    return labels


SEEN_ON = "2024-05-08"  # exercise 07.4: a week after AS_OF (the chapter prints the 1 May share)


def _share_labelled(
    since: str = HOLIDAY_START,
    until: str = AS_OF,
    seen_on: str = SEEN_ON,
    *,
    of_all: bool = False,
) -> float:
    """Share of the predictions made in [since, until) whose label arrived by ``seen_on``."""
    import pandas as pd

    labels = _labels()
    window = labels[(labels["timestamp"] >= since) & (labels["timestamp"] < until)]
    arrived = window["label_arrival"] <= pd.Timestamp(seen_on)
    return float(arrived.sum() / (len(labels) if of_all else len(window)))


def _wrong_07_4() -> dict:
    return {
        "seen on 1 May (printed)": _share_labelled(seen_on=AS_OF),
        "every prediction up to 8 May": _share_labelled(until=SEEN_ON),
        "every prediction before 1 May": _share_labelled("2024-03-01"),
        "over the whole log": _share_labelled(of_all=True),
        "the share still missing": 1 - _share_labelled(),
        "on 15 May": _share_labelled(seen_on="2024-05-15"),
    }


@functools.cache
def _concept_run():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    from mlsys_helpers import drift, monitor, train, world

    loans = world.LoanWorld()
    history = loans.sample(5000, start="2024-01-01", rng=SEED)
    with threadpool_limits(limits=1):  # the notebook runs single-threaded
        model = train.make_pipeline_for(
            history, model=HistGradientBoostingClassifier(random_state=SEED)
        ).fit(history, history["target"])
    reference = loans.sample(2000, start="2024-02-15", rng=SEED + 1)
    holiday = drift.Drift("concept", start=HOLIDAY_START, magnitude=0.5)
    log = loans.sample(8000, start="2024-03-01", freq="15min", drifts=holiday, rng=SEED + 11)
    watcher = monitor.Monitor(
        reference, features=list(loans.features), window="5D", model=model, calibrate=True
    )
    return watcher.run(log)


def _windows_overestimated(gap: float = GAP, *, after_only: bool = True) -> int:
    run = _concept_run()
    over = run["estimated_accuracy"] - run["accuracy"] > gap
    if after_only:
        over &= run["start"] >= HOLIDAY_START
    return int(over.sum())


def _wrong_07_5() -> dict:
    run = _concept_run()
    return {
        "more than 5 points": _windows_overestimated(0.05),
        "any gap": _windows_overestimated(0.0),
        "the windows after 15 April": int((run["start"] >= HOLIDAY_START).sum()),
        "every window": len(run),
        "the yes/no of the old question": "no",
    }


EXERCISES = (
    Exercise(
        "07.1",
        Number(_window_statistic, decimals=3),
        "Above the 0.1 threshold, on a change of 0.05: with 300 rows the distance between two "
        "samples is mostly noise, and the next window may say something else. A distance "
        "measures size only once the window is big enough to measure it.",
        "`mh.detect.wasserstein` takes the reference values and the window's values; slice the "
        "first window from `apr_income` and read the result's statistic (not its verdict).",
        wrong=_wrong_07_1,
    ),
    Exercise(
        "07.2",
        Number(_any_false_alarm, decimals=3, fraction=True),
        "About 18 %: each test is wrong 1 % of the time, and a window alerts if any of the twenty "
        "is. Halving alpha did not halve the alerts: doubling the features pushed them back up.",
        "A calm window raises no alert only if every one of the independent tests stays quiet: "
        "multiply their chances of staying quiet, then take the complement.",
        wrong=_wrong_07_2,
    ),
    Exercise(
        "07.3",
        Number(_share_impossible_after_bad_join, decimals=3, fraction=True),
        "Shuffling half the column still creates impossible rows, fewer of them: the marginal "
        "distribution is intact, the joint one is not. A domain classifier learns exactly that; "
        "a per-column test never looks at two columns at once.",
        "Rebuild the broken window like the bad-join cell does with the new `SHUFFLED` share "
        "(a fresh generator from `SEED + 8`), then take the share of rows whose credit history "
        "exceeds age minus 18.",
        wrong=_wrong_07_3,
    ),
    Exercise(
        "07.4",
        Number(_share_labelled, decimals=3, fraction=True),
        "Still well under half a week later: the drifted predictions are three weeks old, and "
        "most of the labels that would prove the drift are still on their way. Realised accuracy "
        "is the truth, but it is late, and it fills up slowly.",
        "`labels` has each prediction's 'timestamp' and 'label_arrival' (missing if it never "
        "comes): keep the predictions of the window and take the share whose label arrived by "
        "8 May (a missing arrival is no label).",
        wrong=_wrong_07_4,
    ),
    Exercise(
        "07.5",
        WholeNumber(_windows_overestimated),
        "The estimate sits above the truth in every window after 15 April, by more than ten "
        "points in two of them: calibrated scores know how uncertain the model is about each "
        "applicant, not that the meaning of debt changed. Concept drift is invisible to it.",
        "The concept-drift run in `runs` has one row per window with its 'start', 'accuracy' "
        "and 'estimated_accuracy': subtract, compare with 0.10, keep the windows from 15 April "
        "on, count.",
        wrong=_wrong_07_5,
    ),
)
