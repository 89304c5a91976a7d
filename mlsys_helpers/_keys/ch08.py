"""Chapter 08 · the loop. Keys are computed from the helper API with the chapter's seed and
settings (notebooks/08_the_loop.py); each simulation is run once per process and cached."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, close_to

SEED = 8  # the chapter's seed
WEEKS, PER_WEEK = 36, 500
COSTS = {"label_cost": 0.2, "retrain_cost": 300.0, "error_cost": 10.0}
BIKE_FEATURES = [
    "hr",
    "weekday",
    "workingday",
    "holiday",
    "weathersit",
    "temp",
    "atemp",
    "hum",
    "windspeed",
]
TWO_WEEKS = 14 * 24


def _sim() -> dict:
    import pandas as pd

    start, week = pd.Timestamp("2024-01-01"), pd.Timedelta("7D")
    return {"periods": WEEKS, "period_size": PER_WEEK, "start": start, "period": week} | COSTS


def loan_drifts() -> list:
    """The chapter's two scheduled drifts: sudden at week 8, gradual over weeks 20-28."""
    import pandas as pd

    from mlsys_helpers.drift import Drift

    start, week = pd.Timestamp("2024-01-01"), pd.Timedelta("7D")
    return [
        Drift("concept", start=start + 8 * week, magnitude=1.0),
        Drift(
            "concept",
            start=start + 20 * week,
            pattern="gradual",
            width=8 * week,
            magnitude=0.8,
            column="income",
        ),
    ]


def campaign_drift():
    """The campaign: a concept flip for four weeks in every eight, from week 6."""
    import pandas as pd

    from mlsys_helpers.drift import Drift

    start, week = pd.Timestamp("2024-01-01"), pd.Timedelta("7D")
    return Drift(
        "concept", start=start + 6 * week, pattern="recurring", period=8 * week, magnitude=1.0
    )


def loan_policies() -> dict:
    from mlsys_helpers.detect import DDM
    from mlsys_helpers.loop import Never, OnDrift, OnPerformanceDrop, Periodic

    return {
        "never": Never(),
        "every 4 weeks": Periodic(4),
        "every week": Periodic(1),
        "on drift alarm": OnDrift(DDM()),
        "on performance drop": OnPerformanceDrop(0.05),
    }


@functools.cache
def _loan_last(seed: int = SEED):
    from mlsys_helpers.loop import compare_policies
    from mlsys_helpers.world import LoanWorld

    runs = compare_policies(
        LoanWorld(), None, loan_policies(), drifts=loan_drifts(), rng=seed, **_sim()
    )
    return runs.groupby("policy", sort=False).last()


@functools.cache
def _campaign_costs(delay: int, seed: int = SEED + 1):
    from mlsys_helpers.loop import compare_policies
    from mlsys_helpers.world import LoanWorld

    contenders = {
        k: v
        for k, v in loan_policies().items()
        if k in ("never", "every 4 weeks", "on performance drop")
    }
    runs = compare_policies(
        LoanWorld(),
        None,
        contenders,
        drifts=[campaign_drift()],
        label_delay=delay,
        rng=seed,
        **_sim(),
    )
    return runs.groupby("policy", sort=False)["cost"].last()


def _cheapest_loan_policy(answer) -> bool:
    return isinstance(answer, str) and answer.strip().lower() == _loan_last()["cost"].idxmin()


def _break_even_retrain_cost() -> float:
    last = _loan_last()
    weekly, trigger = last.loc["every week"], last.loc["on performance drop"]
    saved = (trigger["cost_errors"] + trigger["cost_labels"]) - (
        weekly["cost_errors"] + weekly["cost_labels"]
    )
    return float(saved / (weekly["n_retrains"] - trigger["n_retrains"]))


def _cheapest_with_delay(answer) -> bool:
    return isinstance(answer, str) and answer.strip().lower() == _campaign_costs(4).idxmin()


@functools.cache
def _never_bike_mae():
    from sklearn.tree import DecisionTreeRegressor

    from mlsys_helpers.datasets import load_bikeshare_2011
    from mlsys_helpers.loop import Never, simulate
    from mlsys_helpers.train import make_pipeline_for

    bikes = load_bikeshare_2011().astype({"bikers": float})
    winter = int((bikes["timestamp"] < "2011-03-01").sum())
    tree = make_pipeline_for(
        bikes,
        "bikers",
        features=BIKE_FEATURES,
        model=DecisionTreeRegressor(max_depth=10, min_samples_leaf=5, random_state=SEED),
    )
    run = simulate(
        bikes,
        tree,
        Never(),
        periods=(len(bikes) - winter) // TWO_WEEKS,
        period_size=TWO_WEEKS,
        train_size=winter,
        features=BIKE_FEATURES,
        target="bikers",
    )
    return run["mae"]


def _summer_factor() -> float:
    mae = _never_bike_mae()
    return float(mae.max() / mae.iloc[0])


def _trigger_errors_share_of_never() -> float:
    last = _loan_last()
    return float(last.loc["on performance drop", "cost_errors"] / last.loc["never", "cost"])


EXERCISES = (
    Exercise(
        "08.1",
        _cheapest_loan_policy,
        "A trigger retrains a few times, right when it pays off: it avoids never's mountain of "
        "errors and the weekly schedule's retraining bill.",
        "Take `costs['total $'].idxmin()`, or read the first row of the sorted table.",
    ),
    Exercise(
        "08.2",
        close_to(_break_even_retrain_cost, tol=1.0),
        "Below that price per retraining, the weekly schedule's extra accuracy is worth its "
        "retrainings; above it, retrain only when the evidence says so.",
        "Saved = (errors + labels of the trigger) - (errors + labels of every week); divide by "
        "the difference in `n_retrains`.",
    ),
    Exercise(
        "08.3",
        _cheapest_with_delay,
        "With labels half a cycle late, every retraining learns the regime that just ended: "
        "doing nothing beats chasing a change that comes and goes.",
        "Look at the column ('a campaign that comes and goes', '4 weeks') of `delay_runs`.",
    ),
    Exercise(
        "08.4",
        close_to(_summer_factor, tol=0.05),
        "A winter model has never seen a warm summer evening: its error grows several-fold "
        "without a single bug in the code.",
        "Select the rows of `bike_runs` whose policy is 'never'; divide the largest `mae` by the "
        "first one.",
    ),
    Exercise(
        "08.5",
        close_to(_trigger_errors_share_of_never, tol=0.005),
        "Even with retraining, errors stay the largest line of the bill: retraining limits the "
        "damage of drift, it does not make it free.",
        "Use `costs.loc['on performance drop', 'errors $'] / costs.loc['never', 'total $']`.",
    ),
)
