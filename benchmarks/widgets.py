"""Time each panel's full update (compute + redraw + figure output) over a sweep of controls.

Run: ``python benchmarks/widgets.py``. A panel is built headlessly, then every control is moved
through a range of values, one change at a time, the way a learner explores; each change is timed
from setting ``control.value`` until the callback has recomputed the result, redrawn the one
figure and written the PNG into the Output widget (what the kernel does before the browser gets
the update). Wall time (``time.perf_counter``) is what a learner waits; CPU time of this process
(``time.process_time``) is steadier on a busy machine. Both are printed, never asserted.

A *cold* update misses a cache: the drift lab trains the model once per new ``rng`` (the box labelled "seed"); the
dashboard draws its data once per ``drift_kind`` and runs each column's tests once per data,
``window`` and ``method``. Everything else reuses them. Targets (issue 15, on a quiet 2-core
machine): warm updates median under 60 ms and p95 under 150 ms, every cold update under 250 ms.
On a busy machine wall time grows with the load average (printed); CPU time much less.

Then (unless ``--no-browser``) the browser side: each panel served as its app notebook by
JupyterLab and by Voila, driven by headless chromium; the time from the key press that moves a
slider to the frame after the new figure is painted (``_browser_latency.py``).

Where the time went before issue 15 (cProfile, CPU per update): drift lab 15 ms compute (9 of
them Page-Hinkley's Python loop), 13 ms rebuilding artists, 52 ms writing the SVG (an Agg PNG
of the whole figure took ~100 ms, over half of it rasterising text); dashboard 11 ms compute
(pandas MultiIndex look-ups), 11 ms artists, 47 ms SVG; cold dashboard updates were whole
Monitor runs (80-230 ms). Now: ~6 ms compute, ~5 ms artists updated in place, ~8 ms drawing
data + title + blending the cached text layers, ~4 ms PNG; text layers re-rasterised (15-25 ms
per axes) only when an axis' limits, titles or legend change.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from mlsys_helpers import _panels
from mlsys_helpers.widgets import make_drift_lab, make_monitoring_dashboard

LAB_SWEEP = [
    ("magnitude", [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 1.0]),
    ("kind", ["prior", "concept", "covariate"]),
    ("pattern", ["gradual", "incremental", "recurring", "sudden"]),
    ("column", ["income", "age", "loan_amount", "debt_ratio"]),
    ("start", [0.2, 0.35, 0.65, 0.8, 0.5]),
    ("width", [0.1, 0.3, 0.4, 0.2]),
    ("fraction", [0.25, 0.5, 0.75, 1.0]),
    ("rng", [1, 2, 0, 1]),  # the box labelled "seed"
]
DASHBOARD_SWEEP = [
    ("consecutive", [2, 3, 4, 5, 1]),
    ("alpha", [0.01, 0.001, 0.1, 0.05]),
    ("correction", ["fdr", "none", "bonferroni"]),
    (
        "features",
        [
            ("income",),
            ("income", "debt_ratio", "age"),
            ("income", "debt_ratio", "age", "region", "channel"),
            ("income", "debt_ratio"),
        ],
    ),
    ("method", ["psi"]),
    ("threshold", [0.05, 0.1, 0.3, 0.0]),
    ("method", ["wasserstein", "distance", "test", "ks"]),
    ("window", [250, 1000, 500]),
    ("drift_kind", ["concept", "prior", "covariate"]),
]


def _misses() -> int:
    """Cache misses so far: a model trained, data drawn or a column's tests run."""
    caches = (_panels._system, _panels._dashboard_data, _panels._column_tests,
              _panels._window_performance)  # fmt: skip
    return sum(cache.cache_info().misses for cache in caches)


def sweep(panel, plan) -> list[tuple[str, object, float, float, bool]]:
    rows = []
    for name, values in plan:
        for value in values:
            misses = _misses()
            wall, cpu = time.perf_counter(), time.process_time()
            panel.controls[name].value = value
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            cold = _misses() > misses
            rows.append((name, value, wall, cpu, cold))
            if panel.result is None:
                raise RuntimeError(f"{name}={value!r} gave no result: {panel.summary.value}")
    return rows


def line(label: str, times: np.ndarray) -> str:
    if times.size == 0:
        return f"  {label:<22} {'-':>4}"
    ms = 1000 * times
    return (
        f"  {label:<22} {times.size:>4} {np.median(ms):>9.0f} {np.percentile(ms, 95):>9.0f} "
        f"{ms.max():>9.0f}"
    )


def report(title: str, rows) -> None:
    wall = np.array([r[2] for r in rows])
    cpu = np.array([r[3] for r in rows])
    cold = np.array([r[4] for r in rows])
    print(f"\n{title}: {len(rows)} updates ({cold.sum()} cold)")
    print(f"  {'':<22} {'n':>4} {'median ms':>9} {'p95 ms':>9} {'max ms':>9}")
    print(line("wall, all updates", wall))
    print(line("wall, warm updates", wall[~cold]))
    print(line("wall, cold updates", wall[cold]))
    print(line("cpu, warm updates", cpu[~cold]))
    print(line("cpu, cold updates", cpu[cold]))
    warm = wall[~cold]
    verdict = (
        np.median(warm) < 0.060 and np.percentile(warm, 95) < 0.150 and (wall[cold] < 0.250).all()
    )
    print(
        "  target warm median < 60 ms, warm p95 < 150 ms, every cold < 250 ms (wall): "
        f"{'met' if verdict else 'MISSED'}"
    )


def browser_part(repeats: int) -> None:
    """Slider change -> new figure painted, in JupyterLab and in Voila (see _browser_latency)."""
    try:
        import playwright  # noqa: F401
        from _browser_latency import CHROMIUM, browser_latency, report
    except ImportError as err:
        print(f"\nbrowser timing not run: {err}")
        return
    if not os.path.exists(CHROMIUM):
        print("\nbrowser timing not run: Debian's chromium is not installed")
        return
    report(browser_latency(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-browser", action="store_true", help="kernel-side timings only")
    parser.add_argument("--browser-repeats", type=int, default=12, metavar="N")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    start = time.perf_counter()
    lab = make_drift_lab()  # builds, trains the rng=0 model, draws once
    board = make_monitoring_dashboard()
    print(
        f"building both panels (first model, first Monitor run): {time.perf_counter() - start:.1f} s"
    )
    report("drift lab", sweep(lab, LAB_SWEEP))
    report("monitoring dashboard", sweep(board, DASHBOARD_SWEEP))
    print(f"\nload average after the kernel-side sweeps: {os.getloadavg()[0]:.1f}")
    if not args.no_browser:
        browser_part(args.browser_repeats)
        print(f"\nload average after the browser part: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
