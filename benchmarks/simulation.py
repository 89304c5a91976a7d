"""Time the simulation core: sampling 1,000,000 rows from each world and injecting drift.

Run with ``python benchmarks/simulation.py``. Prints one row per operation with the best and
the median wall-clock seconds of a few repeats (the target is under 1 s each). Not a test:
timings depend on the machine and its load.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import pandas as pd

from mlsys_helpers.drift import Drift, inject
from mlsys_helpers.world import BikeWorld, LoanWorld

N = 1_000_000
REPEATS = 3
MID = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=N // 2)


def _time(fn) -> tuple[float, float]:
    seconds = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def main() -> None:
    loan, bike = LoanWorld(), BikeWorld()
    loan._reference(), bike._reference()  # one-off reference statistics, cached per world
    loan_frame = loan.sample(N, rng=0)
    bike_frame = bike.sample(N, rng=0)
    gradual = Drift(
        "covariate", start=MID, pattern="gradual", width="30D", magnitude=1.0, column="income"
    )
    cases = {
        "LoanWorld.sample": lambda: loan.sample(N, rng=1),
        "LoanWorld.sample + covariate (gradual)": lambda: loan.sample(N, drifts=gradual, rng=1),
        "LoanWorld.sample + concept (incremental)": lambda: loan.sample(
            N,
            drifts=Drift("concept", start=MID, pattern="incremental", width="30D", magnitude=1.0),
            rng=1,
        ),
        "LoanWorld.sample + prior (sudden, 0.6)": lambda: loan.sample(
            N, drifts=Drift("prior", start=MID, magnitude=0.6), rng=1
        ),
        "BikeWorld.sample": lambda: bike.sample(N, rng=1),
        "BikeWorld.sample + concept (recurring)": lambda: bike.sample(
            N,
            drifts=Drift("concept", start=MID, pattern="recurring", period="14D", magnitude=0.5),
            rng=1,
        ),
        "inject covariate numeric (loan)": lambda: inject(loan_frame, gradual, rng=1),
        "inject covariate category (loan)": lambda: inject(
            loan_frame, Drift("covariate", start=MID, magnitude=0.3, column="channel"), rng=1
        ),
        "inject prior resample (loan)": lambda: inject(
            loan_frame, Drift("prior", start=MID, magnitude=0.6), rng=1
        ),
        "inject prior drop (loan)": lambda: inject(
            loan_frame, Drift("prior", start=MID, magnitude=0.6), rng=1, method="drop"
        ),
        "inject concept relabel (loan)": lambda: inject(
            loan_frame, Drift("concept", start=MID, magnitude=1.0), relabel={0: 1, 1: 0}, rng=1
        ),
        "inject covariate numeric (bike)": lambda: inject(
            bike_frame, Drift("covariate", start=MID, magnitude=-1.0, column="temperature"), rng=1
        ),
    }
    rows = []
    for name, fn in cases.items():
        best, median = _time(fn)
        rows.append({"operation": name, "best_s": round(best, 3), "median_s": round(median, 3)})
    table = pd.DataFrame(rows)
    print(
        f"{N:,} rows, best and median of {REPEATS} runs "
        f"(python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__})"
    )
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
