"""How many learners fit on one machine: the classroom hub under a whole class at once.

Run: ``python benchmarks/classroom.py [N ...] [--chapter 03]`` (default N = 5 and 10). For each N
it starts the real hub (classroom/jupyterhub_config.py, with the test overrides of
tests/classroom/hubtools.py: shared spawner, loopback, free ports), creates N learners through
the REST API, starts all their servers at once, then has every learner run the whole student
version of one chapter in a fresh kernel at the same moment. Printed per N:

- spawn time per learner (request to ready), median and slowest;
- memory per learner after the chapter ran: its single-user server plus its kernel, as RSS
  (counts shared libraries in every process) and PSS (shares them out: what the machine pays);
- the wall time of the slowest learner's chapter, against the same chapter run alone.

Not a pass/fail check: the numbers feed the sizing table in notebooks/TEACHING.md. They depend
on the machine and its load: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
import psutil  # noqa: E402

from mlsys_helpers import _classroom  # noqa: E402
from tests.classroom import hubtools  # noqa: E402

MB = 1024 * 1024


def chapter_code(student: Path) -> str:
    """The code cells of one student notebook, as one block a kernel runs top to bottom."""
    nb = nbformat.read(next(student.glob("*.ipynb")), as_version=4)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")


def learner_memory(hub: hubtools.Hub) -> dict[str, tuple[float, float]]:
    """RSS and PSS in MB of each learner's server and its kernels, by learner name."""
    found: dict[str, tuple[float, float]] = {}
    for proc in psutil.Process(hub.process.pid).children(recursive=True):
        try:
            if "jupyterhub-singleuser" not in " ".join(proc.cmdline()):
                continue
            name = Path(proc.cwd()).name  # the learner's home folder
            rss = pss = 0.0
            for p in [proc, *proc.children(recursive=True)]:
                info = p.memory_full_info()
                rss, pss = rss + info.rss / MB, pss + info.pss / MB
            found[name] = (rss, pss)
        except psutil.Error:
            continue
    return found


def run_class(n: int, student: Path, code: str, folder: Path) -> dict:
    hub = hubtools.start_hub(folder, student)
    try:
        names = [f"learner{k:02d}" for k in range(1, n + 1)]
        answer = hub.create_users(names)
        answer.raise_for_status()
        spawn: dict[str, float] = {}

        def start(name):
            t0 = time.monotonic()
            hub.start_server(name)
            hub.wait_ready(name, timeout=300)
            spawn[name] = time.monotonic() - t0

        threads = [threading.Thread(target=start, args=(name,)) for name in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        tokens = {name: hub.user_token(name) for name in names}
        barrier = threading.Barrier(n)
        wall: dict[str, float] = {}
        errors: dict[str, str] = {}

        def run(name):
            barrier.wait()
            t0 = time.monotonic()
            out = hub.execute(name, tokens[name], code, timeout=900, shutdown=False)
            wall[name] = time.monotonic() - t0
            if "ERROR " in out:
                errors[name] = out[out.index("ERROR ") :][:200]

        threads = [threading.Thread(target=run, args=(name,)) for name in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        memory = learner_memory(hub)
        if sorted(memory) != sorted(names):
            raise RuntimeError(f"measured {sorted(memory)}, expected one entry per learner")
        return {"spawn": spawn, "wall": wall, "memory": memory, "errors": errors}
    finally:
        hubtools.stop_hub(hub)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[5, 10])
    parser.add_argument("--chapter", default="03")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mlsys-classroom-bench-") as tmp:
        tmp = Path(tmp)
        student = tmp / "student"
        if not _classroom.write_students(student, names=(args.chapter,)):
            print(f"no executed chapter {args.chapter!r}", file=sys.stderr)
            return 1
        code = chapter_code(student)
        print(
            f"chapter {args.chapter}; {os.cpu_count()} cores; "
            f"{psutil.virtual_memory().total / 1024**3:.0f} GB memory"
        )
        alone = run_class(1, student, code, tmp / "alone")
        base = next(iter(alone["wall"].values()))
        print(
            f"one learner alone: chapter {base:.1f} s; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        header = (
            "learners",
            "spawn median s",
            "spawn max s",
            "RSS/learner MB",
            "PSS/learner MB",
            "slowest chapter s",
            "x alone",
            "errors",
            "load avg 1m",
        )
        print(" | ".join(header))
        for n in args.sizes:
            result = run_class(n, student, code, tmp / f"class{n}")
            spawn = list(result["spawn"].values())
            rss = [m[0] for m in result["memory"].values()]
            pss = [m[1] for m in result["memory"].values()]
            slowest = max(result["wall"].values())
            row = (
                n,
                f"{statistics.median(spawn):.1f}",
                f"{max(spawn):.1f}",
                f"{statistics.mean(rss):.0f} (max {max(rss):.0f})",
                f"{statistics.mean(pss):.0f} (max {max(pss):.0f})",
                f"{slowest:.1f}",
                f"{slowest / base:.1f}",
                len(result["errors"]),
                f"{os.getloadavg()[0]:.2f}",
            )
            print(" | ".join(map(str, row)))
            for name, error in result["errors"].items():
                print(f"  {name}: {error}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
