"""Chapter 10 · shipping and feedback loops. Keys are computed from the helper API with the
chapter's seed and settings (notebooks/.sources/10_shipping_and_feedback_loops.py); each computation runs
once per process and is cached. Every exercise asks for a value no cell of the chapter prints
(another rate, horizon, exploration rate or ``min_rows``)."""

from __future__ import annotations

import functools

from mlsys_helpers._keys import Exercise, Number, WholeNumber

SEED = 10  # the chapter's seed
AB = {"baseline": 0.10, "daily_users": 2000, "days": 15}
WEEKS, PER_WEEK = 16, 1000
LOOP = {"periods": WEEKS, "period_size": PER_WEEK, "window": 10**6, "error_cost": 10.0}


def fallback_requests() -> int:
    """10.1: requests for the canary to catch a 5 % fallback rate against a 3 % limit."""
    from mlsys_helpers.deploy import requests_to_tell

    return requests_to_tell(0.05, 0.03)


@functools.cache
def peeking_30_days() -> float:
    """10.2: false-positive rate of daily peeking over 30 days (4,000 A/A runs)."""
    from mlsys_helpers.deploy import simulate_ab

    runs = simulate_ab(4000, **(AB | {"days": 30}), rule="peek", rng=SEED + 4)
    return float(runs["significant"].mean())


def applicants(seed: int = SEED + 9):
    """The chapter's broker world: brokers default 95 % of the time, 10 % from week 4."""
    import pandas as pd

    from mlsys_helpers.deploy import redraw_segment
    from mlsys_helpers.world import LoanWorld

    start, week = pd.Timestamp("2024-01-01"), pd.Timedelta("7D")
    frame = LoanWorld().sample(
        PER_WEEK * (WEEKS + 1), start=start - week, freq=week / PER_WEEK, rng=seed
    )
    return redraw_segment(frame, column="channel", value="broker", start=start + 4 * week,
                          rate_before=0.95, rate_after=0.10, rng=seed)  # fmt: skip


@functools.cache
def feedback_run(
    explore: float = 0.0,
    ipw: bool = False,
    holdout: float = 0.0,
    *,
    all_labels: bool = False,
    seed: int = SEED,
):
    """One run of the chapter's loop with a :class:`~mlsys_helpers.loop.Feedback` (or, with
    ``all_labels``, without one: every applicant labelled)."""
    from mlsys_helpers.loop import Feedback, Periodic, simulate

    feedback = None if all_labels else Feedback(explore=explore, ipw=ipw, holdout=holdout)
    return simulate(applicants(seed + 9), None, Periodic(1), feedback=feedback, **LOOP)


def exploration_defaults() -> int:
    """10.3: defaults among the random approvals of explore 2 % + IPW over the 16 weeks."""
    return int(feedback_run(0.02, True)["explored_defaults"].iloc[-1])


@functools.cache
def slice_week():
    """The week of section 5, scored by the candidate of section 1."""
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    from mlsys_helpers.collect import sampling_bias
    from mlsys_helpers.train import make_pipeline_for
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    recent = world.sample(8000, start="2024-09-01", freq="30min", rng=SEED + 1)
    recent = sampling_bias(recent, column="channel", keep={"broker": 0.01}, rng=SEED + 2)
    train = recent.iloc[:6000]
    boosting = HistGradientBoostingClassifier(max_iter=100, random_state=SEED)
    candidate = make_pipeline_for(train, model=boosting).fit(train, train["target"])
    week = world.sample(3000, start=pd.Timestamp("2025-02-03"), freq="3min", rng=SEED + 11)
    week["prediction"] = candidate.predict(week)
    week["channel_region"] = week["channel"] + "/" + week["region"]
    return week


def failing_slices(min_rows: int = 90) -> int:
    """10.4: channel/region slices flagged as failing with ``min_rows``."""
    from mlsys_helpers.deploy import slice_report

    report = slice_report(slice_week(), by="channel_region", min_rows=min_rows)
    return int(report["failing"].sum())


def _wrong_10_1() -> dict:
    from mlsys_helpers.deploy import requests_to_tell

    return {
        "the printed case (3 % against 1 %)": requests_to_tell(0.03, 0.01),
        "5 % against a 1 % limit": requests_to_tell(0.05, 0.01),
        "the arguments swapped round the limit (1.5 % against 1 %)": requests_to_tell(0.015, 0.01),
        "alpha 0.05 instead of the chapter's 0.01": requests_to_tell(0.05, 0.03, alpha=0.05),
    }


def _wrong_10_2() -> dict:
    from mlsys_helpers.deploy import simulate_ab

    fixed = simulate_ab(4000, **(AB | {"days": 30}), rule="fixed", rng=SEED + 4)
    return {
        "the chapter's 15-day peeking rate": peeking_15_days(),
        "a fixed horizon of 30 days": float(fixed["significant"].mean()),
        "alpha itself": 0.05,
    }


def _wrong_10_3() -> dict:
    return {
        "explore 2 % without the weights": int(
            feedback_run(0.02, False)["explored_defaults"].iloc[-1]
        ),
        "the chapter's 5 % with weights": int(
            feedback_run(0.05, True)["explored_defaults"].iloc[-1]
        ),
        "no exploration": 0,
    }


def _wrong_10_4() -> dict:
    from mlsys_helpers.deploy import slice_report

    by_channel = slice_report(slice_week(), by="channel", min_rows=90)
    return {
        "by channel, not channel/region": int(by_channel["failing"].sum()),
        "the chapter's min_rows=200": failing_slices(200),
        "the number of channel/region slices": int(slice_week()["channel_region"].nunique()),
    }


@functools.cache
def peeking_15_days() -> float:
    """The chapter's printed peeking rate (15 days), a named wrong answer for 10.2."""
    from mlsys_helpers.deploy import simulate_ab

    runs = simulate_ab(4000, **AB, rule="peek", rng=SEED + 6)  # as the chapter's table
    return float(runs["significant"].mean())


EXERCISES = (
    Exercise(
        "10.1",
        WholeNumber(fallback_requests),
        "Two points above a 3 % limit takes over a thousand requests to see: at 1 % of a "
        "day's traffic this candidate would pass the first step unnoticed.",
        "The function that turned '3 % errors against a 1 % limit' into a number of requests "
        "takes the true rate first and the limit second; keep the chapter's alpha and power.",
        wrong=_wrong_10_1,
    ),
    Exercise(
        "10.2",
        Number(peeking_30_days, decimals=2, fraction=True),
        "Twice as many looks, even more false winners: with daily peeking the error rate "
        "keeps growing with the length of the test, while a fixed horizon stays at alpha.",
        "Rerun the A/A simulation of the peeking rule with a copy of the design whose horizon "
        "is 30 days; the answer is the share of runs marked significant, between 0 and 1.",
        wrong=_wrong_10_2,
    ),
    Exercise(
        "10.3",
        WholeNumber(exploration_defaults),
        "Fewer random approvals, fewer defaults paid; with the weights the model still learns "
        "that brokers became safe. Exploration is a budget: set its rate from what a blind "
        "spot would cost.",
        "Run `mh.loop.simulate` once more with the new Feedback (weighted, 2 %) and the same "
        "world and settings; read the cumulative defaults column in the last week.",
        wrong=_wrong_10_3,
    ),
    Exercise(
        "10.4",
        WholeNumber(failing_slices),
        "Lowering the row threshold lets smaller slices be judged: three broker slices are now "
        "flagged, each flag resting on a wider interval than the channel report's.",
        "Call the slice report on `week` with the finer slice column and the new threshold, "
        "then count the rows flagged as failing (the 'all' row never fails).",
        wrong=_wrong_10_4,
    ),
)
