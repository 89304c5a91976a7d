"""Chapter 06 · drift. Keys are computed from the helper API with the chapter's seeds (``SEED``
and the per-experiment offsets of the notebook) or from the shipped weather data."""

from __future__ import annotations

import numbers
from typing import Any

from mlsys_helpers._keys import Exercise, close_to, text_is

SEED = 6  # the chapter's seed (notebooks/06_drift.py)
READINGS = ["precipitation", "temp_max", "temp_min", "wind"]


def _first_week_below_080() -> str:
    import numpy as np

    from mlsys_helpers import drift, train, world

    loans = world.LoanWorld()
    reference = loans.sample(24 * 60, rng=SEED)
    model = train.make_pipeline_for(reference).fit(reference, reference["target"])
    holiday = drift.Drift(
        "concept", start="2024-04-01", pattern="gradual", width="8W", magnitude=0.5
    )
    live = loans.sample(24 * 7 * 26, start="2024-03-04", drifts=holiday, rng=SEED + 3)
    correct = live.assign(correct=np.asarray(model.predict(live) == live["target"]))
    weekly = correct.groupby(live["timestamp"].dt.to_period("W").dt.start_time)["correct"].mean()
    return weekly.index[weekly < 0.80][0].strftime("%Y-%m-%d")


def _week_is(answer: Any) -> bool:
    return isinstance(answer, str) and answer.strip() == _first_week_below_080()


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


def _readings_flagged_new_york() -> int:
    from mlsys_helpers import detect

    _, seattle, _, new_york = _weather_split()
    return int(
        detect.compare(seattle[READINGS], new_york[READINGS], method="test")["drifted"].sum()
    )


def _count_is(answer: Any) -> bool:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return False
    return int(answer) == _readings_flagged_new_york()


def _accuracy_2015_relabelled() -> float:
    import numpy as np

    from mlsys_helpers import drift

    tree, _, seattle_later, _ = _weather_split()
    rule = drift.Drift("concept", start="2015-01-01", magnitude=1.0, column="wet")
    relabelled = drift.inject(
        seattle_later,
        rule,
        time_column="date",
        relabel=lambda f: (f["precipitation"] >= 2.0).astype(int),
        rng=SEED + 4,
    )
    late = relabelled[relabelled["date"] >= "2015-01-01"]
    return float(np.mean(tree.predict(late[READINGS]) == late["wet"]))


EXERCISES = (
    Exercise(
        "06.1",
        text_is("concept"),
        "Concept drift changes P(y | X) and leaves P(X) alone: a monitor that only compares "
        "inputs has nothing to see, while the model's rule is now wrong.",
        "In the before/after table, look at the 'after' rows: which kind kept 'inputs flagged' "
        "near 0 and has the lowest accuracy?",
    ),
    Exercise(
        "06.2",
        _week_is,
        "A few weeks into the gradual drift: single weeks wobble by a few points, so the slide "
        "is only certain after several bad weeks in a row.",
        "Filter `history` on `history['accuracy'] < 0.80`, take the first index and format it "
        "with `.strftime('%Y-%m-%d')`.",
    ),
    Exercise(
        "06.3",
        _count_is,
        "All four: with over 700 days per sample, KS detects every difference between the two "
        "climates, while the model's accuracy holds.",
        "Sum the boolean column `drifted` of `alarms` and convert it with `int(...)`.",
    ),
    Exercise(
        "06.4",
        close_to(_accuracy_2015_relabelled, tol=0.002),
        "About fifteen points below 2014, with not a single input changed: only labelled data "
        "reveals a concept drift.",
        "Take `injected['concept: new labelling rule']`, keep `date >= '2015-01-01'` and call "
        "`accuracy(...)` on it.",
    ),
)
