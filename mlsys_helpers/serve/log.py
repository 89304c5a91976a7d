"""The request log of :class:`~mlsys_helpers.serve.ModelService`: one record per request.

The log is bounded: it keeps the newest ``max_log`` records (older ones are dropped and
counted) and stores a request whose JSON text is longer than ``max_request_chars`` as that
text cut, so its memory stays bounded however long the service runs. Request ids are given
here, in the order requests are logged, under one lock (the service is called from threads).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlsys_helpers.serve.repairs import _short

__all__ = ["LogRecord", "MAX_LOG", "MAX_REQUEST_CHARS"]

#: Default number of records the request log keeps (the newest; older ones are dropped).
MAX_LOG = 10_000
#: Default largest stored request (characters of its JSON text); larger ones are truncated.
MAX_REQUEST_CHARS = 2_000


@dataclass(frozen=True)
class LogRecord:
    """One logged request: what came in, what went out, how long (modelled and real), cost."""

    request_id: int
    received: float
    request: Any
    prediction: Any
    source: str
    reason: str
    problems: tuple[str, ...]
    latency_ms: float
    compute_ms: float
    cost: float


def _stored(request: Any, limit: int) -> Any:
    """The request as the log keeps it: itself when its JSON text is short, else that text cut.

    >>> _stored({"x": 1.0}, 100), _stored({"x": "a" * 50}, 20)
    ({'x': 1.0}, '{"x": "aaaaaaaaaaaa... (truncated from 59 characters)')
    """
    if isinstance(request, int | float | bool) or request is None:
        return request
    try:
        text = json.dumps(request, default=str)
    except (ValueError, TypeError, RecursionError):
        text = _short(request, limit)
    if len(text) <= limit:
        return request
    return f"{text[:limit]}... (truncated from {len(text)} characters)"


class _RequestLog:
    """The newest ``max_log`` records, the count of dropped ones and the next request id.

    >>> from mlsys_helpers.serve import Response
    >>> log = _RequestLog(max_log=2, max_request_chars=100)
    >>> def respond(first):
    ...     return [Response(0, "model", 20.0, (), first + i) for i in range(3)]
    >>> answers = log.append(["a", "b", "c"], respond, received=0.0, compute_ms=1.0, costs=[0.0] * 3)
    >>> [r.request_id for r in answers], [r.request for r in log.records()], log.dropped()
    ([0, 1, 2], ['b', 'c'], 1)
    """

    def __init__(self, *, max_log: int, max_request_chars: int) -> None:
        self.max_log, self.max_request_chars = max_log, max_request_chars
        self._lock = threading.Lock()
        self._records: deque = deque(maxlen=max_log)
        self._n_dropped = 0
        self._next_id = 0

    def append(
        self,
        requests: Sequence[Any],
        respond: Callable[[int], list],
        *,
        received: float,
        compute_ms: float,
        costs: Sequence[float],
    ) -> list:
        """Give ids to ``len(requests)`` answers (``respond(first_id)``) and log each one."""
        n = len(requests)
        with self._lock:
            first = self._next_id
            self._next_id += n
            self._n_dropped += max(0, len(self._records) + n - self.max_log)
            responses = respond(first)
            self._records.extend(
                LogRecord(
                    r.request_id,
                    received,
                    _stored(request, self.max_request_chars),
                    r.prediction,
                    r.source,
                    r.reason,
                    r.problems,
                    r.latency_ms,
                    compute_ms,
                    cost,
                )
                for r, request, cost in zip(responses, requests, costs, strict=True)
            )
        return responses

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def records(self) -> tuple:
        """A snapshot of the records."""
        with self._lock:
            return tuple(self._records)

    def dropped(self) -> int:
        """Number of records dropped so far (read under the lock)."""
        with self._lock:
            return self._n_dropped

    def clear(self) -> None:
        """Forget the records and the dropped count (ids keep counting)."""
        with self._lock:
            self._records.clear()
            self._n_dropped = 0


def _log_frame(records: Sequence[LogRecord]) -> pd.DataFrame:
    """The records as a tidy DataFrame, one row per request (see ``ModelService.log_frame``)."""
    return pd.DataFrame(
        {
            "request_id": pd.Series([r.request_id for r in records], dtype="int64"),
            "received": pd.to_datetime([r.received for r in records], unit="s", utc=True),
            "source": pd.Series([r.source for r in records], dtype=object),
            "prediction": pd.Series([r.prediction for r in records], dtype=object),
            "reason": pd.Series([r.reason for r in records], dtype=object),
            "n_problems": pd.Series([len(r.problems) for r in records], dtype="int64"),
            "problems": pd.Series(["; ".join(r.problems) for r in records], dtype=object),
            "latency_ms": pd.Series([r.latency_ms for r in records], dtype=float),
            "compute_ms": pd.Series([r.compute_ms for r in records], dtype=float),
            "cost": pd.Series([r.cost for r in records], dtype=float),
            "request": pd.Series([r.request for r in records], dtype=object),
        }
    )
