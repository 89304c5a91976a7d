"""Time the serving and loop code and print a table.

Run: ``python benchmarks/serving.py``. Rows:

- per-request cost of ``ModelService.predict`` over calling the bare model on a one-row frame
  (default LoanWorld pipeline, a rule fallback), clean and 30% corrupted requests, and the batch
  path ``predict_frame`` per row;
- requests per second over HTTP with ``load_test`` (8 clients, keep-alive), with the same
  pipeline and with a trivial model (the HTTP layer alone);
- ``simulate`` for 52 weekly periods x 2,000 rows (target: under 5 s) with three policies.

Each timing is the best of ``REPEATS`` runs. Not a pass/fail check: targets are printed next to
the measurements. Timings depend on the machine and its load (2-core CI machine here).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from mlsys_helpers.detect import DDM
from mlsys_helpers.drift import Drift
from mlsys_helpers.http import load_test, serve_http
from mlsys_helpers.loop import Never, OnDrift, Periodic, simulate
from mlsys_helpers.quality import infer_schema
from mlsys_helpers.serve import ModelService, corrupt_requests
from mlsys_helpers.train import RuleClassifier, make_pipeline_for, time_split
from mlsys_helpers.world import LoanWorld

REPEATS = 3


def best_time(fn):
    best, out = np.inf, None
    for _ in range(REPEATS):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


class Trivial:
    """A model that costs nothing, so the HTTP row measures the endpoint itself."""

    feature_names_in_ = np.array(["debt_ratio"], dtype=object)

    def predict(self, frame):
        return (frame["debt_ratio"].to_numpy() > 0.4).astype(int)


def main() -> None:
    world = LoanWorld()
    frame = world.sample(6000, rng=0)
    train, test = time_split(frame, test_size=2000)
    features = list(world.features)
    pipe = make_pipeline_for(train, "target").fit(train, train["target"])
    rule = RuleClassifier().fit(train[list(world.numeric_features)], train["target"])
    schema = infer_schema(train[features])
    rows = []

    n = 300
    records = test[features].head(n).to_dict("records")
    one_row = [test[features].iloc[[i]] for i in range(n)]
    bare, _ = best_time(lambda: [pipe.predict(x) for x in one_row])
    rows.append(("bare pipeline.predict, 1-row frame", bare / n * 1e3, "ms/request", ""))

    def serve(requests):
        service = ModelService(pipe, schema=schema, fallback=rule, latency_budget_ms=100, rng=0)
        return [service.predict(r) for r in requests]

    clean, _ = best_time(lambda: serve(records))
    rows.append(("ModelService.predict, clean", clean / n * 1e3, "ms/request", ""))
    rows.append(("  overhead over the bare model", (clean - bare) / n * 1e3, "ms/request", ""))
    noisy = corrupt_requests(test.head(n), rate=0.3, rng=1)["request"].tolist()
    dirty, _ = best_time(lambda: serve(noisy))
    rows.append(("ModelService.predict, 30% corrupted", dirty / n * 1e3, "ms/request", ""))
    service = ModelService(pipe, schema=schema, fallback=rule, rng=0)
    batch, _ = best_time(lambda: service.predict_frame(test[features]))
    rows.append(("ModelService.predict_frame (2,000 rows)", batch / len(test) * 1e3, "ms/row", ""))

    requests = corrupt_requests(test, rate=0.3, rng=2)["request"].tolist()
    for name, model in (("pipeline", pipe), ("trivial model", Trivial())):
        service = ModelService(model, schema=schema, fallback=rule, rng=0)
        with serve_http(service) as server:
            result = load_test(server.url + "/predict", requests, concurrency=8)
        assert result.n_errors == 0 and service.n_logged == len(requests)
        rows.append((f"HTTP, 8 clients, {name}", result.throughput_rps, "requests/s", ""))
        rows.append(
            (f"  latency p50 / p99, {name}", result.p50_ms, "ms", f"p99 {result.p99_ms:.1f} ms")
        )

    start = pd.Timestamp("2024-01-01")
    drift = Drift("concept", start=start + 26 * pd.Timedelta("7D"), magnitude=1.0)
    for name, policy in (
        ("Never", Never()),
        ("Periodic(1)", Periodic(1)),
        ("OnDrift(DDM)", OnDrift(DDM())),
    ):
        seconds, out = best_time(
            lambda policy=policy: simulate(
                world, None, policy, periods=52, period_size=2000, drifts=[drift], rng=0
            )
        )
        rows.append(
            (
                f"simulate 52 x 2,000 rows, {name}",
                seconds,
                "s",
                f"target < 5 s; {out['n_retrains'].iloc[-1]} retrains",
            )
        )

    print(f"load average before the table: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    table = pd.DataFrame(rows, columns=["what", "value", "unit", "note"])
    with pd.option_context("display.width", 140, "display.max_colwidth", 60):
        print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))


if __name__ == "__main__":
    main()
