"""Load-test a local endpoint with locust, run headless in its own process.

:func:`load_test` writes the request bodies to a temporary file, runs ``locust --headless``
(:data:`LOCUSTFILE`) against the URL for a few seconds with ``users`` concurrent
clients, and reads locust's JSON statistics back into a :class:`LoadTestResult`. Locust runs
in a subprocess because it monkey-patches the standard library with gevent at import, which
would break the threads and sockets of the calling process (a test session, a notebook kernel).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlsys_helpers.serve.http import _json_bytes, _split_url

__all__ = ["LOCUSTFILE", "LoadTestResult", "load_test"]

#: The locustfile :func:`load_test` writes next to the request bodies and runs. It is kept as
#: text, never imported here: importing locust monkey-patches the standard library with gevent.
LOCUSTFILE = '''\
"""The locustfile :func:`mlsys_helpers.serve.load_test` runs (``locust --headless -f``).

Each simulated user posts the request bodies of the JSON-lines file named by the environment
variable ``MLSYS_LOAD_BODIES`` to ``MLSYS_LOAD_PATH``, in turn (user k starts at body k), with
no wait between requests (a closed loop). A request fails when no HTTP answer arrives or the
answer is a 5xx; a 4xx is the contract answering, not a failure of the server.
Locust runs under gevent, which patches the standard library: that is why it runs in its own
process, never inside the test session or a notebook kernel.
"""

from __future__ import annotations

import itertools
import os

from locust import FastHttpUser, constant, task

with open(os.environ["MLSYS_LOAD_BODIES"], "rb") as _file:
    BODIES = [line.rstrip(b"\\n") for line in _file if line.strip()]
PATH = os.environ.get("MLSYS_LOAD_PATH", "/predict")
_users = itertools.count()


class Client(FastHttpUser):
    """One client on one keep-alive connection."""

    wait_time = constant(0)

    def on_start(self) -> None:
        start = next(_users) % len(BODIES)
        self.bodies = itertools.cycle(BODIES[start:] + BODIES[:start])

    @task
    def predict(self) -> None:
        headers = {"Content-Type": "application/json"}
        with self.client.post(
            PATH, data=next(self.bodies), headers=headers, catch_response=True, name=PATH
        ) as response:
            if not response.status_code or response.status_code >= 500:
                response.failure(f"status {response.status_code}")
            else:
                response.success()
'''


@dataclass(frozen=True)
class LoadTestResult:
    """What a load run measured (client side, by locust).

    ``n_errors`` counts requests with no HTTP answer (refused, reset, timed out) or a 5xx
    answer; ``throughput_rps`` is requests over the run time ``duration_s``; percentiles (ms) come from locust's response-time histogram (times rounded to 2
    significant digits above 100 ms); ``histogram`` is that histogram as (ms, count) pairs.
    """

    n_requests: int
    n_errors: int
    users: int
    duration_s: float
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    histogram: tuple[tuple[float, int], ...] = ()

    def row(self) -> dict[str, Any]:
        """The headline figures as a dict (one table row).

        Examples
        --------
        >>> LoadTestResult(10, 0, 2, 1.0, 10.0, 1.0, 2.0, 3.0).row()["requests/s"]
        10.0
        """
        return {
            "users": self.users,
            "requests": self.n_requests,
            "errors": self.n_errors,
            "requests/s": self.throughput_rps,
            "p50 ms": self.p50_ms,
            "p95 ms": self.p95_ms,
            "p99 ms": self.p99_ms,
        }


def _percentile(histogram: Sequence[tuple[float, int]], q: float) -> float:
    values = np.array([v for v, _ in histogram], dtype=float)
    counts = np.array([c for _, c in histogram], dtype=float)
    if counts.sum() == 0:
        return float("nan")
    cumulative = np.cumsum(counts) / counts.sum()
    return float(values[np.searchsorted(cumulative, q / 100, side="left")])


def _checked_bodies(requests: Any, users: Any, seconds: Any) -> list[bytes]:
    """The request bodies (one JSON line each); raise on a bad argument of :func:`load_test`."""
    if isinstance(requests, dict | str | bytes):
        raise TypeError(f"requests must be a sequence of payloads, got {type(requests).__name__}")
    if isinstance(users, bool) or not isinstance(users, int) or not 1 <= users <= 1_000:
        raise ValueError(f"users must be an int in [1, 1000], got {users!r}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 1:
        raise ValueError(f"seconds must be a number >= 1, got {seconds!r}")
    bodies = [r if isinstance(r, bytes) else _json_bytes(r) for r in requests]
    if not bodies:
        raise ValueError("requests must be a non-empty sequence of payloads, got an empty one")
    bad = [i for i, body in enumerate(bodies) if b"\n" in body]
    if bad:
        raise ValueError(
            f"requests must be payloads without newlines in their JSON, got one in requests[{bad[0]}]"
        )
    return bodies


def load_test(
    url: str,
    requests: Sequence[Any],
    *,
    users: int = 4,
    seconds: float = 3.0,
    timeout: float = 120.0,
) -> LoadTestResult:
    """Run locust headless against ``url`` for ``seconds`` with ``users`` concurrent clients.

    Each user sends the requests in turn (user k starts at request k), one after the other
    on one keep-alive connection, with no wait: a closed loop, as many requests as the server
    can take. All users start at once.

    Parameters
    ----------
    url : str
        ``http://127.0.0.1:PORT/predict`` (loopback only).
    requests : sequence
        JSON-able payloads (or raw ``bytes`` bodies, one line each).
    users : int, default 4
    seconds : float, default 3.0
        Length of the run (locust's ``--run-time``, whole seconds, at least 1).
    timeout : float, default 120.0
        Seconds to wait for locust to finish before giving up.

    Returns
    -------
    LoadTestResult

    Examples
    --------
    >>> import pandas as pd
    >>> from mlsys_helpers.serve import ModelService, serve_http
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
    >>> with serve_http(service) as server:
    ...     result = load_test(server.url + "/predict", [{"x": 1.0}, {"x": 2.5}], users=2, seconds=1)
    >>> result.n_errors, result.n_requests == service.n_logged > 0
    (0, True)
    """
    _, _, path = _split_url(url)
    bodies = _checked_bodies(requests, users, seconds)
    host = url[: len(url) - len(path)] if url.endswith(path) else url
    with tempfile.TemporaryDirectory(prefix="mlsys-locust-") as folder:
        body_file = Path(folder) / "bodies.jsonl"
        body_file.write_bytes(b"\n".join(bodies) + b"\n")
        locustfile = Path(folder) / "locustfile.py"
        locustfile.write_text(LOCUSTFILE)
        env = {**os.environ, "MLSYS_LOAD_BODIES": str(body_file), "MLSYS_LOAD_PATH": path}
        command = [
            sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
            "--host", host, "--users", str(users), "--spawn-rate", str(users),
            "--run-time", f"{max(1, round(seconds))}s", "--stop-timeout", "5",
            "--json", "--only-summary", "--loglevel", "ERROR", "--exit-code-on-error", "0",
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=folder, timeout=timeout
        )
    if done.returncode != 0:
        raise RuntimeError(f"locust failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    start = done.stdout.index("[")
    stats, _ = json.JSONDecoder().raw_decode(done.stdout[start:])
    entries = [s for s in stats if s["num_requests"] or s["num_failures"]]
    n = sum(s["num_requests"] for s in entries)
    errors = sum(s["num_failures"] for s in entries)
    merged: dict[float, int] = {}
    for entry in entries:
        for ms, count in entry["response_times"].items():
            merged[float(ms)] = merged.get(float(ms), 0) + int(count)
    histogram = tuple(sorted(merged.items()))
    # locust's own requests/s: every request over the run time (all users start at once)
    duration = float(max(1, round(seconds)))
    return LoadTestResult(
        n_requests=int(n),
        n_errors=int(errors),
        users=users,
        duration_s=float(duration),
        throughput_rps=float(n / duration),
        p50_ms=_percentile(histogram, 50),
        p95_ms=_percentile(histogram, 95),
        p99_ms=_percentile(histogram, 99),
        histogram=histogram,
    )
