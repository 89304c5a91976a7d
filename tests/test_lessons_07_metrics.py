"""Chapter 07 §9 · monitor verdicts as Prometheus metrics (the section the serving work added).

The notebook shifts debt_ratio by one standard deviation from 15 March (rng=SEED + 40), runs a
Monitor in 5-day windows against the chapter's reference (rng=SEED + 1) and pushes each window
with ``ServiceMetrics.record_monitor``. Claims: the debt_ratio gauge is 0 (not drifted) in every
window that ends before the change and 1 in every window that starts after it; no other feature
is flagged after the change; the exposition carries the latest statistic.
"""

from __future__ import annotations

import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

import mlsys_helpers as mh

SEED = 7
WORLD = mh.world.LoanWorld()
FEATURES = list(WORLD.features)
CHANGE = pd.Timestamp("2024-03-15")


@pytest.mark.parametrize("k", [40, 41, 42, 43])  # the notebook's draw and three others
def test_the_drift_gauge_follows_the_change(k):
    reference = WORLD.sample(2000, start="2024-02-15", rng=SEED + 1)
    shift = mh.drift.Drift(
        "covariate", start=str(CHANGE.date()), magnitude=1.0, column="debt_ratio"
    )
    shifted = WORLD.sample(3000, start="2024-03-01", freq="15min", rng=SEED + k, drifts=shift)
    verdicts = mh.monitor.Monitor(reference, features=FEATURES, window="5D").run(shifted)
    metrics = mh.serve.ServiceMetrics()
    for i in range(len(verdicts)):
        metrics.record_monitor(verdicts.iloc[: i + 1])
        flag = metrics.sample("mlsys_drift_detected", feature="debt_ratio")
        if verdicts["end"].iloc[i] < CHANGE:
            assert flag == 0, (k, i)
        if verdicts["start"].iloc[i] >= CHANGE:
            assert flag == 1, (k, i)
            assert verdicts["n_drifted"].iloc[i] == 1, (k, i)  # debt_ratio only
    exposed = {
        sample.labels["feature"]: sample.value
        for family in text_string_to_metric_families(metrics.exposition())
        for sample in family.samples
        if sample.name == "mlsys_drift_statistic"
    }
    assert exposed["debt_ratio"] == verdicts["debt_ratio_statistic"].iloc[-1]
    assert set(exposed) == set(FEATURES)
