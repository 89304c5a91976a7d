"""A defensive model service: validate, repair, fall back, log (chapters 01 and 05).

:class:`ModelService` validates every request against a :class:`~mlsys_helpers.quality.Schema`,
repairs what it safely can, falls back when it cannot, models latency and cost, and logs
exactly one record per request. :func:`~mlsys_helpers.serve.serve_http` puts it behind a real
local HTTP endpoint and :func:`~mlsys_helpers.serve.load_test` measures it. :func:`bare_predict`
is the endpoint without any of that, for comparison.

How it is built, one file per concern: reading a request and the repairs it makes (the table
of what is repaired and what is refused, one small function each) in
:mod:`~mlsys_helpers.serve.repairs`; who answers (model, fallback or nobody) and the modelled
latency and cost in :mod:`~mlsys_helpers.serve.fallback`; the bounded request log in
:mod:`~mlsys_helpers.serve.log`.
"""

from __future__ import annotations

import math
import numbers
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsys_helpers.serve.fallback import _decide, _model_latencies, _request_cost
from mlsys_helpers.serve.log import MAX_LOG, MAX_REQUEST_CHARS, LogRecord, _log_frame, _RequestLog
from mlsys_helpers.serve.repairs import _norm, _read_request, _short
from mlsys_helpers.train import _check_frame

__all__ = ["ModelService", "Response", "SOURCES", "bare_predict"]

SOURCES = ("model", "fallback", "rejected")


@dataclass(frozen=True)
class Response:
    """One answer of :class:`ModelService`.

    ``source`` is ``"model"``, ``"fallback"`` or ``"rejected"`` (nothing could answer: no
    fallback, or it failed); ``reason`` says why the model did not answer (empty when it did);
    ``latency_ms`` is modelled, not measured.
    """

    prediction: Any
    source: str
    latency_ms: float
    problems: tuple[str, ...]
    request_id: int
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict.

        Examples
        --------
        >>> Response(1, "model", 20.0, (), 0).to_dict()
        {'prediction': 1, 'source': 'model', 'latency_ms': 20.0, 'problems': [], 'request_id': 0, 'reason': ''}
        """
        out = asdict(self)
        out["problems"] = list(self.problems)
        return out


def _check_arguments(
    model: Any,
    schema: Any,
    *,
    numbers_ge_0: dict[str, Any],
    ints_ge_1: dict[str, Any],
    latency_budget_ms: Any,
) -> None:
    if not hasattr(model, "predict"):
        raise TypeError(f"model must have a predict method, got {type(model).__name__}")
    if not hasattr(schema, "columns") or not hasattr(schema, "names"):
        raise TypeError(f"schema must be a quality.Schema, got {type(schema).__name__}")
    for name, value in numbers_ge_0.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    for name, value in ints_ge_1.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if latency_budget_ms is not None and not (
        isinstance(latency_budget_ms, numbers.Real) and latency_budget_ms > 0
    ):
        raise ValueError(
            f"latency_budget_ms must be a number > 0 or None, got {latency_budget_ms!r}"
        )


class ModelService:
    """A defensive prediction service around a fitted model.

    Parameters
    ----------
    model : fitted estimator
        Called with a DataFrame of the schema's fields (restricted to ``feature_names_in_``
        when the model has it). A pipeline from :func:`~mlsys_helpers.train.make_pipeline_for`
        imputes missing values and ignores unseen categories.
    schema : mlsys_helpers.quality.Schema
        The request fields: build it from the training *features*, e.g.
        ``infer_schema(train[world.features])``.
    fallback : fitted estimator, constant or None, default None
        Answers when the model cannot (see the table in :mod:`~mlsys_helpers.serve.repairs`).
        An estimator gets the same frame with unreadable fields set to missing; anything
        without ``predict`` is returned as is.
    latency_budget_ms : float or None, default None
        Requests whose modelled model latency exceeds it are answered by the fallback, at
        ``latency_budget_ms + fallback_latency_ms``.
    cost_per_1k : float, default 0.0
        Cost of 1,000 model calls (timed-out calls are paid too; the fallback is free).
    model_latency_ms, latency_sigma : float, default 20.0 and 0.5
        Modelled model latency: log-normal with this median and log-scale spread.
    fallback_latency_ms : float, default 1.0
    range_margin : float, default 0.1
        Numbers beyond the training range by more than this share of its span are refused
        (the same rule as :meth:`~mlsys_helpers.quality.ColumnSchema.check_value`).
    max_missing : float, default 0.5
        Largest share of missing fields the model is trusted with.
    max_log : int, default :data:`MAX_LOG` (10,000)
        The log keeps the newest ``max_log`` records; older ones are dropped and counted in
        :attr:`n_dropped`, so memory stays bounded however long the service runs.
    max_request_chars : int, default :data:`MAX_REQUEST_CHARS` (2,000)
        A request whose JSON text is longer is stored as that text cut to this length. The
        log's memory is then bounded by about ``max_log * (max_request_chars + 1 KB)``: some
        30 MB at the defaults, whatever the traffic.
    rng : None, int or Generator
        Draws the modelled latencies.

    Examples
    --------
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"debt_ratio": [0.1, 0.2, 0.6, 0.8], "target": [0, 0, 1, 1]})
    >>> rule = RuleClassifier().fit(train[["debt_ratio"]], train["target"])
    >>> service = ModelService(rule, schema=infer_schema(train[["debt_ratio"]]),
    ...                        fallback=0, latency_budget_ms=100, rng=0)
    >>> service.predict({"DebtRatio": "0.7"})
    Response(prediction=1, source='model', latency_ms=..., problems=("renamed field 'DebtRatio' -> 'debt_ratio'", "parsed 'debt_ratio' from string '0.7'"), request_id=0, reason='')
    >>> service.predict({"debt_ratio": 7.0}).source
    'fallback'
    >>> len(service.log_frame())
    2
    """

    def __init__(
        self,
        model: Any,
        *,
        schema: Any,
        fallback: Any = None,
        latency_budget_ms: float | None = None,
        cost_per_1k: float = 0.0,
        model_latency_ms: float = 20.0,
        latency_sigma: float = 0.5,
        fallback_latency_ms: float = 1.0,
        range_margin: float = 0.1,
        max_missing: float = 0.5,
        max_log: int = MAX_LOG,
        max_request_chars: int = MAX_REQUEST_CHARS,
        rng: object = None,
    ) -> None:
        _check_arguments(
            model,
            schema,
            numbers_ge_0={
                "cost_per_1k": cost_per_1k,
                "model_latency_ms": model_latency_ms,
                "latency_sigma": latency_sigma,
                "fallback_latency_ms": fallback_latency_ms,
                "range_margin": range_margin,
                "max_missing": max_missing,
            },
            ints_ge_1={"max_log": max_log, "max_request_chars": max_request_chars},
            latency_budget_ms=latency_budget_ms,
        )
        self.model, self.schema, self.fallback = model, schema, fallback
        self.latency_budget_ms, self.cost_per_1k = latency_budget_ms, float(cost_per_1k)
        self.model_latency_ms, self.latency_sigma = float(model_latency_ms), float(latency_sigma)
        self.fallback_latency_ms = float(fallback_latency_ms)
        self.range_margin, self.max_missing = float(range_margin), float(max_missing)
        self.max_log, self.max_request_chars = int(max_log), int(max_request_chars)
        self._rng, self._rng_lock = np.random.default_rng(rng), threading.Lock()
        self._columns = {c.name: c for c in schema.columns if c.name not in schema.ignored}
        self._by_norm: dict[str, list[str]] = {}
        for name in self._columns:
            self._by_norm.setdefault(_norm(name), []).append(name)
        self._log = _RequestLog(max_log=self.max_log, max_request_chars=self.max_request_chars)

    def _serve(self, requests: list[Any]) -> list[Response]:
        """Read, decide, log: one :class:`Response` per request, in order."""
        start = time.perf_counter()
        n = len(requests)
        parsed = [
            _read_request(
                r,
                self._columns,
                self._by_norm,
                margin=self.range_margin,
                max_missing=self.max_missing,
            )
            for r in requests
        ]
        with self._rng_lock:
            model_ms = _model_latencies(self._rng, self.model_latency_ms, self.latency_sigma, n)
        answers = _decide(
            parsed,
            model_ms,
            model=self.model,
            fallback=self.fallback,
            columns=self._columns,
            budget=self.latency_budget_ms,
            fallback_ms=self.fallback_latency_ms,
        )
        costs = [_request_cost(not p.fatal, self.cost_per_1k) for p in parsed]
        compute_ms = (time.perf_counter() - start) * 1000 / max(n, 1)

        def respond(first: int) -> list[Response]:
            return [
                Response(
                    answers.prediction[i],
                    answers.source[i],
                    float(answers.latency_ms[i]),
                    tuple(parsed[i].problems),
                    first + i,
                    answers.reason[i],
                )
                for i in range(n)
            ]

        received = time.time()
        return self._log.append(
            requests, respond, received=received, compute_ms=compute_ms, costs=costs
        )

    def predict(self, request: Any) -> Response:
        """Answer one request (a dict of field -> value); never raises, always logs once.

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
        >>> response = service.predict(["not", "a", "dict"])
        >>> response.source, response.reason
        ('rejected', 'nothing could be read')
        """
        return self._serve([request])[0]

    def predict_many(self, requests: Iterable[Any]) -> list[Response]:
        """Batch path: each request is read and logged on its own, the model is called once.

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
        >>> [r.source for r in service.predict_many([{"x": 1.0}, {"x": "oops"}])]
        ['model', 'rejected']
        """
        if isinstance(requests, dict | str | bytes):
            raise TypeError(
                f"requests must be an iterable of requests, got {type(requests).__name__}; "
                "use predict() for one"
            )
        return self._serve(list(requests))

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Serve every row of a frame (one logged request per row).

        Returns
        -------
        DataFrame
            Indexed like ``frame``: ``request_id, prediction, source, reason, latency_ms,
            n_problems, problems``.

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
        >>> service.predict_frame(pd.DataFrame({"x": [0.5, 2.5, 99.0]}))[["prediction", "source"]]
           prediction    source
        0           0     model
        1           1     model
        2        None  rejected
        """
        _check_frame(frame)
        responses = self._serve(frame.to_dict("records"))
        out = pd.DataFrame(
            {
                "request_id": [r.request_id for r in responses],
                "prediction": pd.array([r.prediction for r in responses], dtype=object),
                "source": [r.source for r in responses],
                "reason": [r.reason for r in responses],
                "latency_ms": [r.latency_ms for r in responses],
                "n_problems": [len(r.problems) for r in responses],
                "problems": ["; ".join(r.problems) for r in responses],
            },
            index=frame.index,
        )
        return out

    # ---------------------------------------------------------------- the log
    @property
    def n_logged(self) -> int:
        """Number of records in the log (at most ``max_log``; see :attr:`n_dropped`).

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> rule = RuleClassifier().fit(train, [0, 0, 1, 1])
        >>> service = ModelService(rule, schema=infer_schema(train))
        >>> _ = service.predict_many([{"x": 1.0}, "junk"])
        >>> service.n_logged, len(service.log), service.log[1].source
        (2, 2, 'rejected')
        """
        return len(self._log)

    @property
    def n_dropped(self) -> int:
        """Number of records dropped from the full log (the log keeps the newest ``max_log``).

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> rule = RuleClassifier().fit(train, [0, 0, 1, 1])
        >>> service = ModelService(rule, schema=infer_schema(train), max_log=100)
        >>> _ = service.predict_many([{"x": 1.0}] * 250)
        >>> service.n_logged, service.n_dropped, service.log[0].request_id
        (100, 150, 150)
        """
        return self._log.dropped()

    @property
    def log(self) -> tuple[LogRecord, ...]:
        """A snapshot of the log records (a tuple of :class:`LogRecord`); see :attr:`n_logged`."""
        return self._log.records()

    @property
    def total_cost(self) -> float:
        """Cost of all logged requests so far (model calls times ``cost_per_1k / 1000``).

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> rule = RuleClassifier().fit(train, [0, 0, 1, 1])
        >>> service = ModelService(rule, schema=infer_schema(train), cost_per_1k=5.0)
        >>> _ = service.predict_many([{"x": 1.0}] * 200)
        >>> service.total_cost
        1.0
        """
        return float(sum(r.cost for r in self._log.records()))

    def log_frame(self) -> pd.DataFrame:
        """The log as a tidy DataFrame, one row per request.

        Columns: ``request_id, received`` (UTC timestamp), ``source, prediction, reason,
        n_problems, problems`` (joined with "; "), ``latency_ms`` (modelled), ``compute_ms``
        (measured time spent in Python), ``cost``, ``request`` (the object received, not a copy,
        or its JSON text cut to ``max_request_chars`` when longer).

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
        >>> _ = service.predict({"x": 1.0})
        >>> service.log_frame().columns.tolist()[:4]
        ['request_id', 'received', 'source', 'prediction']
        """
        return _log_frame(self.log)

    def clear_log(self) -> None:
        """Forget the log and the dropped count (request ids keep counting).

        Examples
        --------
        >>> from mlsys_helpers.quality import infer_schema
        >>> from mlsys_helpers.train import RuleClassifier
        >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
        >>> rule = RuleClassifier().fit(train, [0, 0, 1, 1])
        >>> service = ModelService(rule, schema=infer_schema(train))
        >>> _ = service.predict({"x": 1.0})
        >>> service.clear_log()
        >>> service.n_logged, service.predict({"x": 1.0}).request_id
        (0, 1)
        """
        self._log.clear()


# ------------------------------------------------------------------ the bare endpoint (ch05)
def bare_predict(model: Any, requests: Iterable[Any], *, schema: Any) -> pd.DataFrame:
    """What an endpoint without defences answers: ``model.predict(pd.DataFrame([request]))``.

    The first version of every endpoint: no validation, no repair, no fallback. For a
    scikit-learn pipeline that selects its columns by name and refuses non-finite numbers (such
    as :func:`~mlsys_helpers.train.make_pipeline_for`), that call raises when a field of
    ``schema`` is absent (a missing or renamed field), when a numeric field is not a finite
    number or a numeric string (``inf``, ``"n/a"``), or when the request is not a dict; every
    other request gets the model's answer, whatever nonsense it holds (NaN is imputed, an unseen
    category ignored, an outlier or a changed unit believed). This function gives those answers
    for many requests at once: errors are found by those rules and the rest is predicted in one
    batch, which gives the same predictions as one call per request (``schema`` is used only for
    the field names and kinds, never for ranges or categories).

    Parameters
    ----------
    model : fitted estimator
    requests : iterable of dict
    schema : mlsys_helpers.quality.Schema
        The request fields (build it from the training features).

    Returns
    -------
    DataFrame
        One row per request: ``prediction`` (None on error) and ``error`` ("" when answered).

    Examples
    --------
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> rule = RuleClassifier().fit(train, [0, 0, 1, 1])
    >>> bare_predict(rule, [{"x": 2.5}, {"x": "2.5"}, {"X": 2.5}, {"x": float("inf")}],
    ...              schema=infer_schema(train))
      prediction                  error
    0          1
    1          1
    2       None    missing field 'x'
    3       None  'x' is not finite: inf
    """
    requests = list(requests)
    columns = getattr(schema, "columns", None)
    if not columns:
        given = type(schema).__name__ if columns is None else "a Schema without columns"
        raise TypeError(f"schema must be a non-empty mlsys_helpers.quality.Schema, got {given}")
    numeric = {c.name for c in columns if c.kind in ("numeric", "boolean")}
    names = [c.name for c in columns]
    errors, rows = [], []
    for request in requests:
        error = "" if isinstance(request, dict) else f"not a dict: {type(request).__name__}"
        row: dict[str, Any] = {}
        for name in names if not error else ():
            if name not in request:
                error = f"missing field {name!r}"
                break
            value = request[name]
            if name in numeric:
                try:
                    value = np.nan if value is None else float(value)
                except (TypeError, ValueError):
                    error = f"{name!r} is not a number: {_short(value)}"
                    break
                if math.isinf(value):
                    error = f"{name!r} is not finite: {value}"
                    break
            row[name] = value
        errors.append(error)
        if not error:
            rows.append(row)
    predictions: list[Any] = [None] * len(requests)
    if rows:
        frame = pd.DataFrame(
            {
                n: np.array([r[n] for r in rows], dtype=float)
                if n in numeric
                else pd.array([r[n] for r in rows], dtype=object)
                for n in names
            }
        )
        answered = iter(np.asarray(model.predict(frame)).tolist())
        predictions = [None if e else next(answered) for e in errors]
    return pd.DataFrame({"prediction": pd.array(predictions, dtype=object), "error": errors})
