"""Chapter 01 · the system, not the model: the chapter's claims, through the helper API.

The notebook (notebooks/.sources/01_the_system_not_the_model.py) builds the whole system for the loan world
with ``SEED = 7``: 12,000 past applications (rng=SEED), a time split, a gradient-boosting pipeline,
a service with the training schema and the credit officer's rule as fallback (rng=SEED + 2), then
4,000 live applications (rng=SEED + 1) in which the online channel sends income in thousands of
dollars. The claims:

- offline the model scores >= 0.85 accuracy, and the test period passes validation;
- live, with the defect, accuracy falls by >= 15 points while the service sees nothing wrong
  (the model answers, no request has a problem);
- validating the live requests against the training schema names the broken field (income);
- a strict service (range_margin=0) falls back on the broken channel: accuracy recovers only
  partly and the money gets *worse*;
- fixing the unit brings live accuracy within 2 points of offline.

They are checked on the notebook's seed and on five more seeds. The 2-point claim compares two
different samples (3,000 test rows, 4,000 live rows): the standard error of the difference is
about 0.007, so 2 points is about 3 standard errors; the fix itself is exact (the fixed requests
get the same predictions as requests that never had the defect).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from mlsys_helpers.quality import infer_schema, validate
from mlsys_helpers.serve import ModelService
from mlsys_helpers.train import RuleClassifier, make_pipeline_for, time_split
from mlsys_helpers.world import LoanWorld

SEED = 7  # the notebook's seed
OTHER_SEEDS = (0, 1, 2, 3, 8)
N_HISTORY, N_LIVE, TEST_SIZE = 12_000, 4_000, 0.25
GAIN_REPAID, LOSS_DEFAULT = 1_500, 7_000
BROKEN_CHANNEL = "online"


def upstream(applications, features, *, broken_channel=BROKEN_CHANNEL, income_unit=1_000):
    """The notebook's upstream: one channel sends income in units of ``income_unit`` dollars."""
    requests = applications[features].copy()
    broken = requests["channel"] == broken_channel
    requests.loc[broken, "income"] = requests.loc[broken, "income"] / income_unit
    return requests


def dollars_per_application(declined, defaulted) -> float:
    declined, defaulted = np.asarray(declined, dtype=int), np.asarray(defaulted, dtype=int)
    money = np.where(declined == 1, 0, np.where(defaulted == 1, -LOSS_DEFAULT, GAIN_REPAID))
    return float(money.mean())


def run_system(seed: int) -> dict:
    """The notebook's system, end to end, for one seed."""
    world = LoanWorld()
    features = list(world.features)
    history = world.sample(N_HISTORY, rng=seed)
    train, test = time_split(history, test_size=TEST_SIZE)
    data_schema = infer_schema(train, exclude=["drift_weight", "true_proba"])
    model = make_pipeline_for(train, model=HistGradientBoostingClassifier(random_state=seed))
    with threadpool_limits(limits=1):  # the notebooks run single-threaded too (Makefile)
        model.fit(train, train["target"])
    rule = RuleClassifier(feature="debt_ratio").fit(train[["debt_ratio"]], train["target"])
    schema = infer_schema(train[features])
    live = world.sample(
        N_LIVE, start=history["timestamp"].iloc[-1] + pd.Timedelta("1h"), rng=seed + 1
    )
    y = live["target"].to_numpy()

    def serve(requests, **params):
        service = ModelService(
            model, schema=schema, fallback=rule, latency_budget_ms=100, rng=seed + 2, **params
        )
        return service.predict_frame(requests)

    requests = upstream(live, features)
    with threadpool_limits(limits=1):
        offline_pred = model.predict(test)
        launch = serve(requests)
        strict = serve(requests, range_margin=0.0)
        fixed = serve(upstream(live, features, income_unit=1))
        clean = serve(live[features])
        broker = serve(upstream(live, features, broken_channel="broker"))

    def acc(served):
        return float(np.mean(served["prediction"].astype(int).to_numpy() == y))

    return {
        "test_report": validate(test, data_schema),
        "live_report": validate(requests, schema),
        "offline": float(np.mean(offline_pred == test["target"].to_numpy())),
        "offline_value": dollars_per_application(offline_pred, test["target"]),
        "offline_approval": float(np.mean(offline_pred == 0)),
        "launch": launch,
        "launch_acc": acc(launch),
        "launch_value": dollars_per_application(launch["prediction"], y),
        "strict": strict,
        "strict_acc": acc(strict),
        "strict_value": dollars_per_application(strict["prediction"], y),
        "fixed": fixed,
        "fixed_acc": acc(fixed),
        "fixed_value": dollars_per_application(fixed["prediction"], y),
        "clean": clean,
        "broker_acc": acc(broker),
        "broker_approval": float(np.mean(broker["prediction"].astype(int).to_numpy() == 0)),
        "online_share": float(np.mean(live["channel"] == BROKEN_CHANNEL)),
    }


@pytest.fixture(scope="module")
def systems():
    return {seed: run_system(seed) for seed in (SEED, *OTHER_SEEDS)}


def test_offline_model_scores_at_least_085_and_test_period_passes_validation(systems):
    for seed, s in systems.items():
        assert s["offline"] >= 0.85, seed
        assert s["test_report"].passed, (seed, s["test_report"].summary())


def test_defect_costs_at_least_15_points_of_live_accuracy(systems):
    for seed, s in systems.items():
        assert s["offline"] - s["launch_acc"] >= 0.15, (seed, s["offline"], s["launch_acc"])
        assert s["launch_value"] < 0.6 * s["offline_value"], seed  # and more than 40 % of the money


def test_the_default_service_sees_nothing_wrong_with_the_defect(systems):
    for seed, s in systems.items():
        launch = s["launch"]
        assert (launch["source"] == "model").mean() >= 0.99, seed  # the rest: latency budget
        assert (launch["n_problems"] > 0).mean() <= 0.01, seed
        assert (launch["source"] == "rejected").sum() == 0, seed


def test_live_validation_names_income_as_the_broken_field(systems):
    for seed, s in systems.items():
        failures = s["live_report"].failures
        assert failures[["check", "column"]].values.tolist() == [["range", "income"]], seed


def test_strict_service_falls_back_on_the_broken_channel_and_is_not_a_fix(systems):
    for seed, s in systems.items():
        strict = s["strict"]
        out_of_range = (strict["reason"] == "out of range").mean()
        assert abs(out_of_range - s["online_share"]) <= 0.01, seed
        income_flagged = strict["problems"].str.contains("'income'=").mean()
        assert abs(income_flagged - s["online_share"]) <= 0.01, seed  # (strict: a few honest
        # values of other columns fall just outside the training range too)
        assert s["launch_acc"] < s["strict_acc"] < s["offline"] - 0.05, seed
        assert s["strict_value"] < s["launch_value"], seed  # the fallback approves risky loans


def test_fix_brings_live_accuracy_within_2_points_of_offline(systems):
    assert abs(systems[SEED]["fixed_acc"] - systems[SEED]["offline"]) <= 0.02
    for seed, s in systems.items():
        # tolerance: 2 points, about 3 standard errors of the difference of two samples
        assert abs(s["fixed_acc"] - s["offline"]) <= 0.02, (seed, s["fixed_acc"], s["offline"])
        assert s["fixed"]["prediction"].tolist() == s["clean"]["prediction"].tolist(), seed


def test_a_defect_on_the_smaller_broker_channel_costs_less(systems):
    # The notebook's experiment: the broker channel carries 15 % of traffic, so the drop is
    # roughly 0.15 * 0.6 = 9 points: real, but under the 15-point bar (tolerance: 4 to 14 points).
    for seed, s in systems.items():
        assert 0.04 <= s["offline"] - s["broker_acc"] <= 0.14, (seed, s["broker_acc"])


def test_the_numbers_the_prose_quotes(systems):
    for seed, s in systems.items():
        assert 0.88 <= s["offline"] <= 0.92, seed  # "90 % accuracy", "nine applications in ten"
        assert 0.25 <= s["offline"] - s["launch_acc"] <= 0.35, seed  # "thirty points ... gone"
        assert 0.45 <= s["online_share"] <= 0.55, seed  # "half the incomes" are the online ones
        # the broker experiment: "drop by only 5 to 10 points instead of 30"
        assert 0.05 <= s["offline"] - s["broker_acc"] <= 0.10, (seed, s["broker_acc"])
        # "... and the approval rate by less than 10 points"
        assert 0 <= s["offline_approval"] - s["broker_approval"] < 0.10, seed
    # the notebook's run: 0.902 offline, 0.604 at launch: "lost 30 points of live accuracy"
    assert round(100 * (systems[SEED]["offline"] - systems[SEED]["launch_acc"])) == 30


def test_the_rule_of_thumb_is_about_044_and_the_launch_week_dashboard_shows_the_halved_approvals():
    world = LoanWorld()
    history = world.sample(N_HISTORY, rng=SEED)
    train, test = time_split(history, test_size=TEST_SIZE)
    rule = RuleClassifier(feature="debt_ratio").fit(train[["debt_ratio"]], train["target"])
    assert round(rule.threshold_, 2) == 0.44  # "above about 0.44"
    s = run_system(SEED)
    live = world.sample(
        N_LIVE, start=history["timestamp"].iloc[-1] + pd.Timedelta("1h"), rng=SEED + 1
    )
    # live starts on 15 May and runs to the end of October ("from 15 May to the end of October")
    assert live["timestamp"].min() == pd.Timestamp("2025-05-15")
    assert live["timestamp"].max().month == 10
    week = (live["timestamp"] < live["timestamp"].min() + pd.Timedelta("7D")).to_numpy()
    assert week.sum() == 168
    launch_week = s["launch"][week]
    approvals_week = float((launch_week["prediction"] == 0).mean())
    assert approvals_week < 0.6 * s["offline_approval"]  # "the approval rate halved"
    assert (launch_week["n_problems"] > 0).sum() == 0
