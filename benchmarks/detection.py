"""Time the detection code against plain scipy loops and river, and print a table.

Run: ``python benchmarks/detection.py`` (needs river, a test dependency). Each timing is the best
of ``REPEATS`` runs in CPU seconds of this process (``time.process_time``: steadier than wall time
on a busy machine; everything timed is single-threaded); all rows come from one run of this script,
so the ratios are comparable.
Not a pass/fail check: the targets are printed next to the measured ratios.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from river import drift as river_drift
from scipy import stats
from scipy.spatial import distance

from mlsys_helpers import detect

REPEATS = 5


def best_time(fn):
    best, out = np.inf, None
    for _ in range(REPEATS):
        start = time.process_time()
        out = fn()
        best = min(best, time.process_time() - start)
    return best, out


def frames(n=100_000, rng=None):
    rng = np.random.default_rng(rng)

    def frame(shift):
        data = {f"x{i}": rng.normal(shift * i / 8, 1 + 0.1 * i, n) for i in range(8)}
        data["region"] = rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])
        data["channel"] = rng.choice([f"c{i}" for i in range(12)], n)
        return pd.DataFrame(data)

    return frame(0.0), frame(0.05)


def scipy_loop(ref, cur, *, numeric_test, categorical_test):
    """What a learner would write: one scipy call per column."""
    out = {}
    for col in ref.columns:
        if pd.api.types.is_numeric_dtype(ref[col]):
            out[col] = numeric_test(ref[col].to_numpy(), cur[col].to_numpy())
        else:
            counts = pd.concat([ref[col].value_counts(), cur[col].value_counts()], axis=1).fillna(0)
            out[col] = categorical_test(counts.to_numpy().T)
    return out


def ks_chi2(r, c):
    return stats.ks_2samp(r, c).pvalue


def chi2_table(t):
    return stats.chi2_contingency(t, correction=False).pvalue


def wasserstein_normed(r, c):
    return stats.wasserstein_distance(r, c) / np.std(r)


def js_table(t):
    return distance.jensenshannon(t[0] / t[0].sum(), t[1] / t[1].sum(), base=2)


def river_loop(detector, values):
    hits = []
    for i, x in enumerate(values):
        detector.update(x)
        if detector.drift_detected:
            hits.append(i)
    return hits


def our_loop(detector, values):
    return [i for i, x in enumerate(values) if detector.update(x).drift_detected]


def main():
    rows = []
    ref, cur = frames(rng=0)

    # compare, explicit tests (8 x ks + 2 x chi2)
    methods = {c: ("ks" if c.startswith("x") else "chi2") for c in ref.columns}
    t_ours, table = best_time(lambda: detect.compare(ref, cur, method=methods, correction=None))
    t_base, base = best_time(
        lambda: scipy_loop(ref, cur, numeric_test=ks_chi2, categorical_test=chi2_table)
    )
    same = np.allclose(
        table["p_value"].to_numpy(), [base[c] for c in ref.columns], rtol=0, atol=1e-12
    )
    rows.append(("compare ks/chi2, 100k x 10", "scipy loop", t_ours, t_base, "<= 1x", same))

    # compare, auto rule (n > 1000: normed Wasserstein + Jensen-Shannon)
    t_ours, table = best_time(lambda: detect.compare(ref, cur))
    t_base, base = best_time(
        lambda: scipy_loop(ref, cur, numeric_test=wasserstein_normed, categorical_test=js_table)
    )
    same = np.allclose(
        table["statistic"].to_numpy(), [base[c] for c in ref.columns], rtol=0, atol=1e-12
    )
    rows.append(("compare auto, 100k x 10", "scipy loop", t_ours, t_base, "<= 1x", same))

    # Page-Hinkley over 1,000,000 values: a mean that moves every 100,000 values. With noise of
    # sd 0.1 the default detector alarms at the moves only (9 alarms); with sd 1 it also raises
    # ~650 false alarms (one every ~1,500 values), the worst case for the vectorised path, which
    # restarts its block scan after every alarm.
    rng = np.random.default_rng(1)
    means = np.repeat(rng.normal(0, 1, 10), 100_000)
    noise = rng.normal(size=1_000_000)
    for label, sd in [("moves only", 0.1), ("alarm every ~1,500", 1.0)]:
        stream = means + sd * noise
        as_list = stream.tolist()
        t_vec, ours = best_time(lambda s=stream: detect.detect_changes(detect.PageHinkley(), s))
        t_river, theirs = best_time(lambda v=as_list: river_loop(river_drift.PageHinkley(), v))
        rows.append(
            (
                f"PageHinkley 1M ({label}: {len(ours)} alarms), detect_changes",
                "river loop",
                t_vec,
                t_river,
                ">= 10x faster",
                ours == theirs,
            )
        )
    t_loop, looped = best_time(lambda: our_loop(detect.PageHinkley(), as_list))
    rows.append(
        ("PageHinkley 1M, update loop", "river loop", t_loop, t_river, "-", looped == theirs)
    )

    # ADWIN over 200,000 updates (Bernoulli 0.2 -> 0.4 at 100,000)
    bits = np.r_[rng.random(100_000) < 0.2, rng.random(100_000) < 0.4].astype(float)
    bit_list = bits.tolist()
    t_river, theirs = best_time(lambda: river_loop(river_drift.ADWIN(), bit_list))
    t_loop, looped = best_time(lambda: our_loop(detect.ADWIN(), bit_list))
    t_vec, ours = best_time(lambda: detect.detect_changes(detect.ADWIN(), bits))
    rows.append(("ADWIN 200k, update loop", "river loop", t_loop, t_river, "<= 3x", looped == ours))
    rows.append(
        ("ADWIN 200k, detect_changes", "river loop", t_vec, t_river, "<= 3x", looped == ours)
    )
    print(f"ADWIN alarms: ours {ours}, river {theirs}")

    table = pd.DataFrame(
        rows, columns=["task", "baseline", "ours_s", "baseline_s", "target", "same_result"]
    )
    table["ours/baseline"] = table["ours_s"] / table["baseline_s"]
    table["baseline/ours"] = table["baseline_s"] / table["ours_s"]
    with pd.option_context("display.width", 160, "display.float_format", "{:.4f}".format):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
