"""Chapter 06 · drift. Keys are computed from the helper API with the chapter's seeds (``SEED``
and the per-experiment offsets of the notebook) or from the shipped weather data."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Date, Exercise, Number, WholeNumber

SEED = 6  # the chapter's seed (notebooks/.sources/06_drift.py)
READINGS = ["precipitation", "temp_max", "temp_min", "wind"]
CHANGE = "2024-04-29"  # section 1's sudden change
STRONG = 1.0  # exercise 06.1: the concept drift's magnitude (the chapter's table uses 0.5)
HALF = 0.5  # exercise 06.4: the relabelling magnitude (the chapter's table uses 1.0)


@functools.cache
def _loan_model():
    from mlsys_helpers import train, world

    loans = world.LoanWorld()
    reference = loans.sample(24 * 60, rng=SEED)
    return loans, train.make_pipeline_for(reference).fit(reference, reference["target"])


def _weekly_accuracy(live):
    import numpy as np
    import pandas as pd

    loans, model = _loan_model()
    correct = pd.Series(np.asarray(model.predict(live) == live["target"]), index=live.index)
    return correct.groupby(live["timestamp"].dt.to_period("W").dt.start_time).mean()


@functools.cache
def _concept_weeks(magnitude: float):
    from mlsys_helpers import drift

    loans, _ = _loan_model()
    concept = drift.Drift("concept", start=CHANGE, magnitude=magnitude)
    live = loans.sample(24 * 7 * 16, start="2024-03-04", drifts=concept, rng=SEED + 1)
    return _weekly_accuracy(live)


def _accuracy_after(magnitude: float = STRONG) -> float:
    weeks = _concept_weeks(magnitude)
    return float(weeks[weeks.index >= CHANGE].mean())


def _wrong_06_1() -> dict:
    weeks = _concept_weeks(STRONG)
    before = float(weeks[weeks.index < CHANGE].mean())
    return {
        "the printed table (magnitude 0.5)": _accuracy_after(0.5),
        "before the change": before,
        "the drop instead of the level": before - _accuracy_after(),
        "all sixteen weeks": float(weeks.mean()),
        "the kind's name": "concept",
    }


@functools.cache
def _holiday_weeks():
    from mlsys_helpers import drift

    loans, _ = _loan_model()
    holiday = drift.Drift(
        "concept", start="2024-04-01", pattern="gradual", width="8W", magnitude=0.5
    )
    return _weekly_accuracy(
        loans.sample(24 * 7 * 26, start="2024-03-04", drifts=holiday, rng=SEED + 3)
    )


def _first_week_below(level: float = 0.80) -> str:
    weekly = _holiday_weeks()
    return weekly.index[weekly < level][0].strftime("%Y-%m-%d")


def _wrong_06_2() -> dict:
    import pandas as pd

    first = pd.Timestamp(_first_week_below())
    return {
        "the drift's start": "2024-04-01",
        "the week before": f"{first - pd.Timedelta(days=7):%Y-%m-%d}",
        "the week after": f"{first + pd.Timedelta(days=7):%Y-%m-%d}",
        "below 0.85 instead of 0.80": _first_week_below(0.85),
        "the end of the ramp": "2024-05-27",
    }


def _weather_split():
    from sklearn.tree import DecisionTreeClassifier

    from mlsys_helpers import datasets

    weather = datasets.load_weather()
    weather["wet"] = weather["weather"].isin(["rain", "snow"]).astype(int)
    year = weather["date"].dt.year
    seattle = weather[(weather["location"] == "Seattle") & (year <= 2013)]
    seattle_later = weather[(weather["location"] == "Seattle") & (year >= 2014)]
    new_york = weather[(weather["location"] == "New York") & (year >= 2014)]
    tree = DecisionTreeClassifier(max_depth=3, random_state=SEED)
    tree.fit(seattle[READINGS], seattle["wet"])
    return tree, seattle, seattle_later, new_york


def _readings_flagged(other: str = "seattle_later", method: str = "test") -> int:
    from mlsys_helpers import detect

    _, seattle, seattle_later, new_york = _weather_split()
    frame = seattle_later if other == "seattle_later" else new_york
    return int(detect.compare(seattle[READINGS], frame[READINGS], method=method)["drifted"].sum())


def _wrong_06_3() -> dict:
    return {
        "New York (printed)": _readings_flagged("new_york"),
        "PSI instead of KS": _readings_flagged(method="psi"),
        "PSI on New York": _readings_flagged("new_york", method="psi"),
        "none: same city": 0,
        "every reading": len(READINGS),
    }


@functools.cache
def _accuracy_2015_relabelled(magnitude: float = HALF, year_from: str = "2015-01-01") -> float:
    import numpy as np

    from mlsys_helpers import drift

    tree, _, seattle_later, _ = _weather_split()
    rule = drift.Drift("concept", start="2015-01-01", magnitude=magnitude, column="wet")
    relabelled = drift.inject(
        seattle_later,
        rule,
        time_column="date",
        relabel=lambda f: (f["precipitation"] >= 2.0).astype(int),
        rng=SEED + 4,
    )
    late = relabelled[relabelled["date"] >= year_from]
    return float(np.mean(tree.predict(late[READINGS]) == late["wet"]))


def _wrong_06_4() -> dict:
    return {
        "the printed table (magnitude 1.0)": _accuracy_2015_relabelled(1.0),
        "2014 and 2015 together": _accuracy_2015_relabelled(year_from="2014-01-01"),
        "a quarter of the days": _accuracy_2015_relabelled(0.25),
        "the error rate": 1 - _accuracy_2015_relabelled(),
    }


EXERCISES = (
    Exercise(
        "06.1",
        Number(_accuracy_after, decimals=2, fraction=True),
        "Far below the table's concept row, and still no input is flagged: concept drift changes "
        "P(y | X) and leaves P(X) alone, so a monitor that only compares inputs has nothing to "
        "see however wrong the model's rule becomes.",
        "Draw the live frame like the cell of section 1 does, with a concept `mh.drift.Drift` of "
        "the new magnitude, pass it to `weekly` and average the 'accuracy' of the weeks from "
        "`CHANGE` on.",
        wrong=_wrong_06_1,
    ),
    Exercise(
        "06.2",
        Date(_first_week_below),
        "A few weeks into the gradual drift: single weeks wobble by a few points, so the slide "
        "is only certain after several bad weeks in a row.",
        "`history` has one row per week, indexed by the week's Monday: find the first row whose "
        "'accuracy' is below 0.80 and read its index (any date form is fine).",
        wrong=_wrong_06_2,
    ),
    Exercise(
        "06.3",
        WholeNumber(_readings_flagged),
        "Two, in the same city: with over 700 days per sample, KS detects every small difference "
        "between two pairs of years, while the model's accuracy holds. A test's verdict grows "
        "with the sample; the question is how much the difference matters.",
        "Call `mh.detect.compare` as the `alarms` cell does, with `seattle_later` in place of "
        "`new_york`, and count the True values of its 'drifted' column.",
        wrong=_wrong_06_3,
    ),
    Exercise(
        "06.4",
        Number(_accuracy_2015_relabelled, decimals=3, fraction=True),
        "Relabelling half the affected days costs about half the accuracy of the full rule, with "
        "not a single input changed: only labelled data reveals a concept drift, and its size.",
        "Build the relabelled frame like the `injected` cell does, with the new magnitude in the "
        "`mh.drift.Drift`, then score the 2015 rows with `accuracy`.",
        wrong=_wrong_06_4,
    ),
)
