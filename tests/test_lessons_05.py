"""Chapter 05 · training vs serving: the chapter's claims, through the helper API.

The notebook (notebooks/.sources/05_training_vs_serving.py) uses ``SEED = 5``: 12,000 past loan
applications (rng=SEED), a time split (the last quarter is the test period), a logistic and a
gradient-boosting pipeline, the credit officer's rule as fallback; request noise rng=SEED + 1,
skew rng=SEED + 2, modelled latencies rng=SEED + 3.
The claims:

- clean requests through the service get the offline predictions;
- the bare endpoint crashes on exactly three corruption kinds (missing field, renamed field,
  inf); unit changes and outliers cost it > 10 points silently; strings, extra and reordered
  fields cost nothing;
- on a stream with 30 % noisy requests the defensive service recovers most (>= 50 %) of the
  accuracy the bare endpoint loses, rejects nothing; on outliers and unit changes its fallback
  is worse than the trees (the guard costs accuracy);
- each skew costs >= 5 points; only the scaling skew is caught by the service, and there the
  service is *worse* than the unguarded model: the rule reads the same broken debt_ratio and
  declines everyone (accuracy = the defaulters' share); a constant fallback does better;
- the four serving options: boosting is the most accurate, breaks the latency budget; the big
  machine breaks the cost budget; the timeout option is the most accurate one within budget;
- over HTTP, the strict contract refuses a share of the noisy stream with 422 (errors seen by
  callers, lower accuracy); the defensive service answers all of it; an impossible income is
  a fallback with a problem in one, a 422 on `income` in the other; every request is logged.

Statistical claims are checked on the notebook's seed and five others (``SEEDS``), with the
tolerance stated next to each.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

import mlsys_helpers as mh

SEED = 5
SEEDS = (SEED, 0, 1, 2, 3, 8)  # the notebook's seed and five others
WORLD = mh.world.LoanWorld()
FEATURES = list(WORLD.features)
LOUD = {"missing_field", "renamed_field", "inf"}
SKEWS = {"missing_default": "income", "scaling": "debt_ratio", "window": "income"}
BUDGET_P99_MS, BUDGET_PER_1K = 100.0, 0.50
OPTIONS = {  # name -> (model key, service parameters), as in the notebook
    "logistic, small machine": ("logistic", {"model_latency_ms": 4.0, "cost_per_1k": 0.05}),
    "boosting, small machine": ("boosting", {"model_latency_ms": 40.0, "cost_per_1k": 0.40}),
    "boosting + 90 ms timeout": (
        "boosting",
        {"model_latency_ms": 40.0, "cost_per_1k": 0.40, "latency_budget_ms": 90.0},
    ),
    "boosting, big machine": ("boosting", {"model_latency_ms": 12.0, "cost_per_1k": 1.20}),
}


def accuracy(predictions, y) -> float:
    """Decision accuracy: no answer (None) counts as wrong."""
    return float(np.mean([p is not None and p == t for p, t in zip(predictions, y, strict=True)]))


@functools.cache
def system(seed: int) -> dict:
    train, test = mh.train.time_split(WORLD.sample(12_000, rng=seed), test_size=0.25)
    with threadpool_limits(limits=1):  # the notebooks run single-threaded
        boosting = mh.train.make_pipeline_for(
            train, model=HistGradientBoostingClassifier(random_state=seed)
        ).fit(train, train["target"])
        logistic = mh.train.make_pipeline_for(train).fit(train, train["target"])
    rule = mh.train.RuleClassifier(feature="debt_ratio").fit(train[["debt_ratio"]], train["target"])
    schema = mh.quality.infer_schema(train[FEATURES])
    return {
        "test": test,
        "y": test["target"].to_numpy(),
        "boosting": boosting,
        "logistic": logistic,
        "rule": rule,
        "schema": schema,
    }


def service(s: dict, seed: int, model: str = "boosting", **params) -> mh.serve.ModelService:
    return mh.serve.ModelService(
        s[model], schema=s["schema"], fallback=s["rule"], rng=seed + 3, **params
    )


@functools.cache
def clean_accuracy(seed: int) -> float:
    s = system(seed)
    served = service(s, seed).predict_frame(s["test"][FEATURES])
    return accuracy(served["prediction"].tolist(), s["y"])


@functools.cache
def taxonomy(seed: int) -> dict:
    s = system(seed)
    out = {}
    for kind in mh.serve.CORRUPTIONS:
        requests = mh.serve.corrupt_requests(
            s["test"], rate=1.0, kinds=[kind], columns=FEATURES, rng=seed + 1
        )
        bare = mh.serve.bare_predict(s["boosting"], requests["request"], schema=s["schema"])
        with threadpool_limits(limits=1):
            answers = service(s, seed).predict_many(requests["request"])
        out[kind] = {
            "errors": float(np.mean(bare["error"] != "")),
            "bare": accuracy(bare["prediction"].tolist(), s["y"]),
            "service": accuracy([a.prediction for a in answers], s["y"]),
        }
    return out


@functools.cache
def stream(seed: int, rate: float) -> dict:
    s = system(seed)
    requests = mh.serve.corrupt_requests(s["test"], rate=rate, columns=FEATURES, rng=seed + 1)
    bare = mh.serve.bare_predict(s["boosting"], requests["request"], schema=s["schema"])
    with threadpool_limits(limits=1):
        answers = service(s, seed).predict_many(requests["request"])
    clean = clean_accuracy(seed)
    bare_acc = accuracy(bare["prediction"].tolist(), s["y"])
    service_acc = accuracy([a.prediction for a in answers], s["y"])
    return {
        "clean": clean,
        "bare": bare_acc,
        "service": service_acc,
        "recovered": (service_acc - bare_acc) / (clean - bare_acc),
        "rejected": sum(a.source == "rejected" for a in answers),
    }


def test_clean_requests_get_the_offline_predictions():
    for seed in SEEDS:
        s = system(seed)
        served = service(s, seed).predict_frame(s["test"][FEATURES])
        offline = s["boosting"].predict(s["test"])
        by_model = (served["source"] == "model").to_numpy()
        assert by_model.mean() >= 0.995, seed  # the rest: honest values just outside the range
        assert (served["prediction"].to_numpy()[by_model] == offline[by_model]).all(), seed


def test_bare_endpoint_crashes_on_exactly_the_loud_kinds():
    for seed in SEEDS:
        for kind, row in taxonomy(seed).items():
            assert row["errors"] == (1.0 if kind in LOUD else 0.0), (seed, kind)


def test_silent_corruptions_cost_the_bare_endpoint_over_10_points():
    for seed in SEEDS:
        clean, rows = clean_accuracy(seed), taxonomy(seed)
        for kind in ("unit_change", "outlier"):
            assert clean - rows[kind]["bare"] > 0.10, (seed, kind, rows[kind]["bare"])
        for kind in ("string_number", "extra_field", "reordered_fields"):
            # exact up to the service's few out-of-range fallbacks in `clean` (<= 0.5 %)
            assert abs(rows[kind]["bare"] - clean) <= 0.005, (seed, kind)
        assert clean - rows["unseen_category"]["bare"] <= 0.03, seed  # tolerance: 3 points


def test_service_answers_loud_kinds_and_is_worse_than_trees_on_outliers():
    for seed in SEEDS:
        rows = taxonomy(seed)
        for kind in ("missing_field", "renamed_field"):
            assert rows[kind]["service"] >= clean_accuracy(seed) - 0.05, (seed, kind)
        assert rows["inf"]["service"] > 0.65, seed  # the fallback rule's accuracy
        assert rows["outlier"]["service"] < rows["outlier"]["bare"], seed


def test_the_guard_costs_accuracy_on_unit_changes():
    # The notebook prints 0.745 (bare) vs 0.721 (service) on its seed.
    for seed in SEEDS:
        rows = taxonomy(seed)
        assert rows["unit_change"]["service"] < rows["unit_change"]["bare"], (seed, rows)


def test_service_recovers_most_of_the_lost_accuracy():
    for seed in SEEDS:
        result = stream(seed, 0.3)
        assert result["rejected"] == 0, seed
        assert result["bare"] < result["clean"] - 0.05, seed
        assert result["recovered"] >= 0.5, (seed, result["recovered"])


def test_noisier_stream_experiment():
    # The notebook's experiment: at rate 0.5 the bare endpoint loses "about 15 points" (six
    # seeds: 14.1-15.6), the service stays above 0.85 and recovers "about three quarters"
    # (0.75-0.82); at rate 0.1 the bare endpoint loses "about 3 points" (2.7-4.0), the service
    # "one point or less" (0.4-1.0).
    for seed in SEEDS:
        noisy = stream(seed, 0.5)
        assert abs(100 * (noisy["clean"] - noisy["bare"]) - 15) <= 2, (seed, noisy)
        assert noisy["service"] > 0.85, (seed, noisy)
        assert 0.65 <= noisy["recovered"] <= 0.9, (seed, noisy)
        calm = stream(seed, 0.1)
        assert abs(100 * (calm["clean"] - calm["bare"]) - 3) <= 1.5, (seed, calm)
        assert 100 * (calm["clean"] - calm["service"]) <= 1.05, (seed, calm)  # one point or less


def test_a_unit_change_sends_an_age_of_about_0_04_which_the_guard_refuses():
    # "a value in thousands that lands outside the training range (an age of 0.04) is refused"
    for seed in SEEDS[:3]:
        s = system(seed)
        requests = mh.serve.corrupt_requests(
            s["test"], rate=1.0, kinds=["unit_change"], columns=FEATURES, rng=seed + 1
        )
        on_age = requests[requests["field"] == "age"]
        ages = np.array([request["age"] for request in on_age["request"]])
        assert abs(np.median(ages) - 0.04) <= 0.005, seed
        with threadpool_limits(limits=1):
            answers = service(s, seed).predict_many(on_age["request"])
        assert np.mean([a.source == "fallback" for a in answers]) >= 0.99, seed


def test_each_skew_costs_points_and_only_scaling_is_caught():
    for seed in SEEDS:
        s = system(seed)
        frame = s["test"][["timestamp", *FEATURES, "target"]]
        for kind, column in SKEWS.items():
            with threadpool_limits(limits=1):
                result = mh.serve.measure_skew(
                    s["boosting"], frame, column=column, kind=kind, rng=seed + 2
                )
                _, skewed = mh.serve.training_serving_skew(
                    frame, column=column, kind=kind, rng=seed + 2
                )
                sources = service(s, seed).predict_frame(skewed[FEATURES])["source"]
            assert result.loss >= 0.05, (seed, kind, result.loss)
            fallback = float(np.mean(sources != "model"))
            if kind == "scaling":
                assert fallback >= 0.99, seed
            else:
                assert fallback <= 0.01, (seed, kind)


def test_a_fallback_sharing_the_broken_input_is_no_fallback():
    for seed in SEEDS:
        s = system(seed)
        frame = s["test"][["timestamp", *FEATURES, "target"]]
        _, skewed = mh.serve.training_serving_skew(
            frame, column="debt_ratio", kind="scaling", rng=seed + 2
        )
        with threadpool_limits(limits=1):
            unguarded = accuracy(s["boosting"].predict(skewed).tolist(), s["y"])
            served = service(s, seed).predict_frame(skewed[FEATURES])
            constant = mh.serve.ModelService(
                s["boosting"], schema=s["schema"], fallback=0, rng=seed + 3
            ).predict_frame(skewed[FEATURES])
        guarded = accuracy(served["prediction"].tolist(), s["y"])
        # the rule declines (almost) everyone: accuracy is the defaulters' share (1 point)
        assert np.mean(served["prediction"] == 1) >= 0.99, seed
        assert abs(guarded - s["y"].mean()) <= 0.01, seed
        assert guarded < unguarded, (seed, guarded, unguarded)
        assert accuracy(constant["prediction"].tolist(), s["y"]) > unguarded, seed


def options_table(seed: int, **overrides) -> dict:
    s = system(seed)
    table = {}
    for name, (model, params) in OPTIONS.items():
        option = service(s, seed, model, **{**params, **overrides.get(name, {})})
        with threadpool_limits(limits=1):
            served = option.predict_frame(s["test"][FEATURES])
        table[name] = {
            "accuracy": accuracy(served["prediction"].tolist(), s["y"]),
            "p99": float(served["latency_ms"].quantile(0.99)),
            "per_1k": 1000 * option.total_cost / len(served),
            "timeouts": float(np.mean(served["reason"].str.startswith("over latency"))),
        }
    return table


def test_the_timeout_option_is_the_most_accurate_within_budget():
    for seed in SEEDS:
        table = options_table(seed)
        within = {
            n
            for n, r in table.items()
            if r["p99"] <= BUDGET_P99_MS and r["per_1k"] <= BUDGET_PER_1K
        }
        assert within == {"logistic, small machine", "boosting + 90 ms timeout"}, seed
        best = max(within, key=lambda n: table[n]["accuracy"])
        assert best == "boosting + 90 ms timeout", (seed, table)
        assert table["boosting, small machine"]["accuracy"] >= table[best]["accuracy"], seed
        # the lognormal tail: P(latency > 90 ms) = 0.052; 3,000 draws, tolerance 1.5 points
        assert abs(table[best]["timeouts"] - 0.052) <= 0.015, seed


def test_timeout_experiment():
    # At 60 ms about a fifth time out (expected 0.21) and accuracy falls below the logistic
    # model's; at 100 ms the p99 is the timeout plus the fallback's millisecond.
    for seed in SEEDS[:3]:  # three seeds: the claim is about the latency draws, not the data
        short = options_table(seed, **{"boosting + 90 ms timeout": {"latency_budget_ms": 60.0}})
        row = short["boosting + 90 ms timeout"]
        assert abs(row["timeouts"] - 0.21) <= 0.03, seed
        assert row["accuracy"] < short["logistic, small machine"]["accuracy"], seed
        long = options_table(seed, **{"boosting + 90 ms timeout": {"latency_budget_ms": 100.0}})
        assert long["boosting + 90 ms timeout"]["p99"] == pytest.approx(101.0), seed


def test_strict_contract_refuses_what_the_defensive_service_answers():
    s = system(SEED)
    requests = mh.serve.corrupt_requests(s["test"], rate=0.3, columns=FEATURES, rng=SEED + 1)
    sample, y = requests["request"].iloc[:300].tolist(), s["y"][:300]
    results = {}
    for contract in ("strict", "defensive"):
        endpoint = service(s, SEED)
        with mh.serve.serve_http(endpoint, contract=contract) as server:
            answers = mh.serve.post_many(server.url + "/predict", sample)
            impossible = {**s["test"][FEATURES].iloc[:1].to_dict("records")[0], "income": -1}
            odd = mh.serve.post_json(server.url + "/predict", impossible)
        decisions = [b.get("prediction") if st == 200 else None for st, b in answers]
        results[contract] = {
            "accuracy": accuracy(decisions, y),
            "errors": float(np.mean([st != 200 for st, _ in answers])),
            "logged": endpoint.n_logged,
            "odd": odd,
        }
    strict, defensive = results["strict"], results["defensive"]
    assert defensive["errors"] == 0 and defensive["logged"] == 301
    assert 0.1 < strict["errors"] < 0.3  # a share of the 30 % corrupted requests
    assert strict["logged"] == round(300 * (1 - strict["errors"]))  # refused ones never logged
    assert strict["accuracy"] < defensive["accuracy"] - 0.1
    status, body = defensive["odd"]
    assert status == 200 and body["source"] == "fallback"
    assert any("'income'=-1 is below the hard lower bound 0" in p for p in body["problems"])
    status, body = strict["odd"]
    assert status == 422 and body["detail"][0]["loc"] == ["body", "income"]


def test_the_strict_contract_checks_form_not_truth():
    # Refused: extra fields and unseen categories (harmless to the pipeline) and every loud kind;
    # accepted: numbers sent as strings, reordered fields and most unit changes (silent ones).
    import json

    for seed in SEEDS[:3]:
        s = system(seed)
        Request = mh.serve.request_model(s["schema"])
        requests = mh.serve.corrupt_requests(s["test"], rate=0.3, columns=FEATURES, rng=seed + 1)

        def accepted(request, Request=Request):
            try:
                Request.model_validate(json.loads(json.dumps(request)))
            except ValueError:
                return False
            return True

        share = (
            requests.assign(ok=[accepted(r) for r in requests["request"]])
            .groupby("corruption")["ok"]
            .mean()
        )
        for kind in ("extra_field", "unseen_category", "missing_field", "renamed_field", "nan"):
            assert share[kind] == 0, (seed, kind)
        for kind in ("none", "string_number", "reordered_fields"):
            # all but honest values just outside the range (as in the service, <= 0.5 %)
            assert share[kind] >= 0.995, (seed, kind)
        assert share["unit_change"] > 0.5, seed
