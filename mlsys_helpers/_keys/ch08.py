"""Chapter 08 · the loop. Keys are computed from the helper API with the chapter's seed and
settings (notebooks/.sources/08_the_loop.py); each simulation is run once per process and cached."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, Number, Text

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


EXPENSIVE_RETRAIN = 3_000.0  # exercise 08.1 (the chapter prices a retraining at 300)
CAMPAIGN_DELAY = 1  # exercise 08.3 (the chapter's table shows delays of 0 and 4 weeks)


def _cheapest_at(retrain_cost: float = EXPENSIVE_RETRAIN) -> str:
    """The cheapest loan policy if a retraining cost ``retrain_cost`` (decisions don't change)."""
    last = _loan_last()
    total = last["cost_labels"] + last["cost_errors"] + retrain_cost * last["n_retrains"]
    return str(total.idxmin())


def _wrong_08_1() -> dict:
    return {
        "the printed cheapest (300 per retraining)": _cheapest_at(COSTS["retrain_cost"]),
        "free retraining": _cheapest_at(0.0),
        "never": "never",
        "every 4 weeks": "every 4 weeks",
    }


def _break_even(a: str = "every week", b: str = "never", *, labels: bool = True) -> float:
    """Retraining price below which policy ``a`` costs less than ``b`` over the year."""
    last = _loan_last()
    first, second = last.loc[a], last.loc[b]
    saved = second["cost_errors"] - first["cost_errors"]
    if labels:
        saved += second["cost_labels"] - first["cost_labels"]
    return float(saved / (first["n_retrains"] - second["n_retrains"]))


def _wrong_08_2() -> dict:
    last = _loan_last()
    weekly, never = last.loc["every week"], last.loc["never"]
    return {
        "without the labels every week buys": _break_even(labels=False),
        "against the trigger (the old question)": _break_even(b="on performance drop"),
        "the difference in totals per retraining": float(
            (never["cost"] - weekly["cost"]) / weekly["n_retrains"]
        ),
        "the chapter's price per retraining": COSTS["retrain_cost"],
        "errors saved in total, not per retraining": float(
            never["cost_errors"] - weekly["cost_errors"] - weekly["cost_labels"]
        ),
    }


def _trigger_extra_cost(delay: int = CAMPAIGN_DELAY, policy: str = "on performance drop") -> float:
    costs = _campaign_costs(delay)
    return float(costs[policy] - costs["never"])


def _wrong_08_3() -> dict:
    return {
        "the printed 4-week delay": _trigger_extra_cost(4),
        "no delay": _trigger_extra_cost(0),
        "never minus the trigger (sign)": -_trigger_extra_cost(),
        "every 4 weeks instead of the trigger": _trigger_extra_cost(policy="every 4 weeks"),
        "the trigger's total cost": float(_campaign_costs(CAMPAIGN_DELAY)["on performance drop"]),
        "the cheapest policy's name": "never",
    }


@functools.cache
def _bike_mae(every: int | None = None):
    """MAE per two-week period of the bike tree: never retrained, or every ``every`` periods."""
    from sklearn.tree import DecisionTreeRegressor

    from mlsys_helpers.datasets import load_bikeshare_2011
    from mlsys_helpers.loop import Never, Periodic, simulate
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
        Never() if every is None else Periodic(every),
        periods=(len(bikes) - winter) // TWO_WEEKS,
        period_size=TWO_WEEKS,
        train_size=winter,
        features=BIKE_FEATURES,
        target="bikers",
    )
    return run["mae"]


def _never_over_schedule(how: str = "mean") -> float:
    """Never's MAE over the every-2-weeks schedule's, both aggregated by ``how``."""
    never, schedule = _bike_mae(), _bike_mae(1)
    return float(getattr(never, how)() / getattr(schedule, how)())


def _wrong_08_4() -> dict:
    never = _bike_mae()
    return {
        "the worst MAEs' ratio": _never_over_schedule("max"),
        "never's worst over its first (the old question)": float(never.max() / never.iloc[0]),
        "never's mean over its first": float(never.mean() / never.iloc[0]),
        "the inverse ratio": 1 / _never_over_schedule(),
        "the difference in bikes per hour": float(never.mean() - _bike_mae(1).mean()),
    }


def _errors_share(policy: str = "on performance drop", of: str | None = None) -> float:
    last = _loan_last()
    return float(last.loc[policy, "cost_errors"] / last.loc[of or policy, "cost"])


def _wrong_08_5() -> dict:
    last = _loan_last()
    trigger = last.loc["on performance drop"]
    return {
        "over never's total (the old question)": _errors_share(of="never"),
        "never's own share (it buys nothing else)": _errors_share("never"),
        "the share of everything else": 1 - _errors_share(),
        "the retraining share": float(trigger["cost_retraining"] / trigger["cost"]),
        "every week's share": _errors_share("every week"),
    }


EXERCISES = (
    Exercise(
        "08.1",
        Text(_cheapest_at),
        "At ten times the price a retraining must pay for itself ten times over: the policy that "
        "retrains least while still reacting wins. The cheapest policy depends on the prices, "
        "not only on the accuracy.",
        "The policies' decisions do not depend on the price: in `last`, recompute each total as "
        "labels + errors + the new price times 'n_retrains', and take the policy with the "
        "smallest (its name, as in the table).",
        wrong=_wrong_08_1,
    ),
    Exercise(
        "08.2",
        Number(_break_even, decimals=0),
        "Below that price per retraining, the weekly schedule's extra accuracy is worth its "
        "retrainings and its labels; above it, doing nothing is cheaper than retraining every "
        "week (and a trigger beats both).",
        "Saved = never's errors minus every week's errors and labels (never buys no labels); "
        "divide by the number of retrainings every week needs. Read them from `last`.",
        wrong=_wrong_08_2,
    ),
    Exercise(
        "08.3",
        Number(_trigger_extra_cost, decimals=0),
        "Even a one-week delay turns the trigger into a loss against doing nothing: it retrains "
        "one week after each switch and pays for labels and retraining to have the right model "
        "for only part of each regime.",
        "Run `mh.loop.compare_policies` as the `delay_runs` cell does for the campaign world, "
        "with label_delay=1 (same rng), and subtract never's final cost from the trigger's.",
        wrong=_wrong_08_3,
    ),
    Exercise(
        "08.4",
        Number(_never_over_schedule, decimals=2),
        "The winter model's error is several times the schedule's over the year, without a "
        "single bug in the code: it has never seen a warm summer evening.",
        "Group `bike_runs` by 'policy' and average the 'mae' column; divide never's by every 2 "
        "weeks'.",
        wrong=_wrong_08_4,
    ),
    Exercise(
        "08.5",
        Number(_errors_share, decimals=3, fraction=True),
        "Even with retraining, errors stay by far the largest line of the bill: retraining limits "
        "the damage of drift, it does not make it free.",
        "In `costs`, divide the trigger's 'errors' by its own 'total' (one row, two columns).",
        wrong=_wrong_08_5,
    ),
)
