"""Execute every chapter and print wall time and peak kernel memory per notebook.

Run with ``make bench`` (or ``IPYTHONDIR=tests/ipython .venv/bin/python benchmarks/notebooks.py``).
Budget: each chapter under 30 s, the whole workbook under 3 minutes on a 2-core machine, peak
kernel memory under 500 MB. Timings are printed, never asserted in tests.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

from mlsys_helpers import _notebooks

ROOT = Path(__file__).resolve().parents[1]
PEAK_RSS = (
    "import resource, sys\n"
    "scale = 1 if sys.platform == 'darwin' else 1024  # ru_maxrss: bytes on macOS, KiB on Linux\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20)"
)


def measure(source: Path) -> tuple[float, float]:
    """Wall seconds to execute the chapter and the kernel's peak resident memory in MB."""
    nb = _notebooks.notebook_from_source(source)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_RSS))
    start = time.perf_counter()
    done = _notebooks.execute(nb, cwd=_notebooks.notebook_path(source).parent)
    seconds = time.perf_counter() - start
    peak_mb = float(done.cells[-1].outputs[0]["text"])
    return seconds, peak_mb


def main(names: list[str]) -> None:
    sources = _notebooks.chapter_sources(ROOT / "notebooks")
    if names:
        sources = [s for s in sources if any(s.stem.startswith(n) for n in names)]
    rows = []
    print(f"{'notebook':<36} {'wall s':>8} {'peak MB':>8}")
    for source in sources:
        seconds, peak = measure(source)
        rows.append((source.stem, seconds, peak))
        print(f"{source.stem:<36} {seconds:8.1f} {peak:8.0f}", flush=True)
    total = sum(r[1] for r in rows)
    print(f"{'total':<36} {total:8.1f} {max(r[2] for r in rows):8.0f}")
    over = [r[0] for r in rows if r[1] > 30 or r[2] > 500]
    print(
        "budget (30 s, 500 MB per chapter; 180 s total):",
        "over: " + ", ".join(over) if over else "met" if total <= 180 else "total over 180 s",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
