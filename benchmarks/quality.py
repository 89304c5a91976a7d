"""Time frame validation (``quality.validate``: the pandera contract plus the reference-aware
checks) and print a table.

Run: ``python benchmarks/quality.py``. Each timing is the best of ``REPEATS`` runs in CPU seconds
of this process (``time.process_time``: steadier than wall time on a busy machine). Columns:
rows validated; the pandera contract alone (``Schema.to_pandera(reference_range=True)`` run
lazily, the part ``validate`` delegates); the whole ``validate``; and chapter 09's runbook step
(``incidents.daily_failures``: one ``validate`` per day of requests). Not a pass/fail check.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pandera.errors

from mlsys_helpers import incidents, world
from mlsys_helpers.quality import infer_schema, validate

REPEATS = 5


def best_time(fn) -> float:
    best = np.inf
    for _ in range(REPEATS):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def contract_only(contract, frame) -> None:
    try:
        contract.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors:
        pass


def main() -> None:
    loans = world.LoanWorld()
    schema = infer_schema(loans.sample(3000, rng=0), exclude=("drift_weight", "true_proba"))
    contract = schema.to_pandera(reference_range=True)
    rows = []
    for n in (100, 1_000, 10_000, 100_000):
        frame = loans.sample(n, rng=1)
        validate(frame, schema)  # warm-up (pandera's first call imports its backends)
        pandera_s = best_time(lambda frame=frame: contract_only(contract, frame))
        validate_s = best_time(lambda frame=frame: validate(frame, schema))
        rows.append(
            {
                "rows": n,
                "pandera contract (ms)": 1000 * pandera_s,
                "validate (ms)": 1000 * validate_s,
                "pandera share": pandera_s / validate_s,
            }
        )
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    case = incidents.open_case(1, rng=0)
    days = case.requests["timestamp"].dt.floor("D").nunique()
    seconds = best_time(lambda: incidents.daily_failures(case))
    print(f"\nincidents.daily_failures(case 1): {days} validations, {seconds:.2f} s CPU")


if __name__ == "__main__":
    main()
