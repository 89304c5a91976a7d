"""A defensive model service: validate, repair, fall back, log (chapters 01 and 05).

:class:`ModelService` validates every request against a :class:`~mlsys_helpers.quality.Schema`,
repairs what it safely can, falls back when it cannot, models latency and cost, and logs
exactly one record per request. :func:`~mlsys_helpers.serve.serve_http` puts it behind a real
local HTTP endpoint and :func:`~mlsys_helpers.serve.load_test` measures it. :func:`bare_predict`
is the endpoint without any of that, for comparison.

Repairs :class:`ModelService` makes (each is reported in ``Response.problems``):

=========================  ===========================================================  =========
request                    what the service does                                        served by
=========================  ===========================================================  =========
renamed field              ``DebtRatio`` / ``debt-ratio`` matched to ``debt_ratio``     model
                           (case, ``_``, ``-`` and spaces ignored; unambiguous only)
extra field                ignored                                                      model
reordered fields           nothing to do: fields are read by name                      model
number sent as a string    ``"52000"`` parsed with ``float``                            model
category case / spaces     ``" North"`` matched to ``"north"``                          model
missing field, null, NaN   left missing: the model's imputer fills it                   model
unseen category            kept: the pipeline's one-hot encoder ignores it              model
too many missing fields    more than ``max_missing`` of the schema's fields             fallback
wrong type, inf, garbage   field cannot be read (the fallback sees it as missing)      fallback
out of range               beyond the training range by more than ``range_margin``      fallback
                           times its span (units changed? an outlier?), outside the
                           column's hard bounds (a negative income; see
                           ``infer_schema``), or a number too large for a float
not a JSON object, or no   nothing can be read: answered as ``rejected`` with reason    rejected
field readable             ``"nothing could be read"`` (never a decision)
model too slow             modelled latency over ``latency_budget_ms``                   fallback
model raises               the error is reported                                        fallback
=========================  ===========================================================  =========
"""

from __future__ import annotations

import datetime
import json
import math
import numbers
import re
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlsys_helpers.train import _check_frame

__all__ = [
    "LogRecord",
    "MAX_LOG",
    "MAX_REQUEST_CHARS",
    "ModelService",
    "NOTHING_READ",
    "Response",
    "SOURCES",
    "bare_predict",
]

SOURCES = ("model", "fallback", "rejected")
#: Reason of a request the service could not read at all (answered ``rejected``).
NOTHING_READ = "nothing could be read"
#: Default number of records the request log keeps (the newest; older ones are dropped).
MAX_LOG = 10_000
#: Default largest stored request (characters of its JSON text); larger ones are truncated.
MAX_REQUEST_CHARS = 2_000


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


@dataclass
class _Parsed:
    values: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    fatal: str = ""


def _short(value: Any, limit: int = 40) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


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


def _norm(key: str) -> str:
    return re.sub(r"[\s_\-]+", "", key).casefold()


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


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
        Answers when the model cannot (see the module table). An estimator gets the same frame
        with unreadable fields set to missing; anything without ``predict`` is returned as is.
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
        if not hasattr(model, "predict"):
            raise TypeError(f"model must have a predict method, got {type(model).__name__}")
        if not hasattr(schema, "columns") or not hasattr(schema, "names"):
            raise TypeError(f"schema must be a quality.Schema, got {type(schema).__name__}")
        for name, value in (
            ("cost_per_1k", cost_per_1k),
            ("model_latency_ms", model_latency_ms),
            ("latency_sigma", latency_sigma),
            ("fallback_latency_ms", fallback_latency_ms),
            ("range_margin", range_margin),
            ("max_missing", max_missing),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
        for name, value in (("max_log", max_log), ("max_request_chars", max_request_chars)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        if latency_budget_ms is not None and not (
            isinstance(latency_budget_ms, numbers.Real) and latency_budget_ms > 0
        ):
            raise ValueError(
                f"latency_budget_ms must be a number > 0 or None, got {latency_budget_ms!r}"
            )
        self.model, self.schema, self.fallback = model, schema, fallback
        self.latency_budget_ms, self.cost_per_1k = latency_budget_ms, float(cost_per_1k)
        self.model_latency_ms, self.latency_sigma = float(model_latency_ms), float(latency_sigma)
        self.fallback_latency_ms, self.range_margin = (
            float(fallback_latency_ms),
            float(range_margin),
        )
        self.max_missing = float(max_missing)
        self._rng = np.random.default_rng(rng)
        self._columns = {c.name: c for c in schema.columns if c.name not in schema.ignored}
        self._by_norm: dict[str, list[str]] = {}
        for name in self._columns:
            self._by_norm.setdefault(_norm(name), []).append(name)
        self._lock = threading.Lock()
        self.max_log, self.max_request_chars = int(max_log), int(max_request_chars)
        self._log: deque[LogRecord] = deque(maxlen=self.max_log)
        self._n_dropped = 0
        self._next_id = 0

    # ---------------------------------------------------------------- reading one request
    def _read_value(self, column: Any, value: Any, parsed: _Parsed) -> Any:
        """Clean one field; record problems; return the value the model sees (NaN if unusable)."""
        name = column.name
        if _is_missing(value):
            parsed.problems.append(f"missing {name!r} (left to the model's imputer)")
            return np.nan
        if column.kind in ("numeric", "boolean"):
            if isinstance(value, bool | np.bool_):
                if column.kind == "boolean":
                    return float(value)
                parsed.problems.append(f"unreadable {name!r}: expected a number, got bool")
                parsed.fatal = parsed.fatal or "unreadable field"
                return np.nan
            if isinstance(value, str) and len(value) <= 64:
                try:
                    number = float(value.strip())
                except ValueError:
                    number = None
                if number is not None and math.isfinite(number):
                    parsed.problems.append(f"parsed {name!r} from string {_short(value)}")
                    value = number
            if not isinstance(value, numbers.Real) or isinstance(value, bool | np.bool_):
                parsed.problems.append(
                    f"unreadable {name!r}: expected a number, got {type(value).__name__} {_short(value)}"
                )
                parsed.fatal = parsed.fatal or "unreadable field"
                return np.nan
            try:
                number = float(value)
            except OverflowError:  # an int with hundreds of digits
                parsed.problems.append(f"{name!r} is out of range: a number too large for a float")
                parsed.fatal = parsed.fatal or "out of range"
                return np.nan
            if math.isnan(number):
                parsed.problems.append(f"missing {name!r} (left to the model's imputer)")
                return np.nan
            if not math.isfinite(number):
                parsed.problems.append(f"unreadable {name!r}: non-finite {number}")
                parsed.fatal = parsed.fatal or "unreadable field"
                return np.nan
            side = column.out_of_bounds(number) if column.kind == "numeric" else None
            if side is not None:
                bound = column.lower_bound if side == "lower" else column.upper_bound
                parsed.problems.append(
                    f"{name!r}={number:g} is {'below' if side == 'lower' else 'above'} "
                    f"the hard {side} bound {bound:g}, impossible here"
                )
                parsed.fatal = parsed.fatal or "out of range"
            elif column.kind == "numeric" and not column.within_range(
                number, margin=self.range_margin
            ):
                parsed.problems.append(
                    f"{name!r}={number:g} outside training range [{column.min:g}, {column.max:g}]"
                )
                parsed.fatal = parsed.fatal or "out of range"
            if column.kind == "boolean" and number not in (0.0, 1.0):
                parsed.problems.append(f"unreadable {name!r}: expected a boolean, got {number:g}")
                parsed.fatal = parsed.fatal or "unreadable field"
                return np.nan
            return number
        if column.kind == "datetime":
            if isinstance(value, (pd.Timestamp, datetime.datetime, np.datetime64)):
                stamp = pd.Timestamp(value)
                if not pd.isna(stamp):
                    return stamp
            elif isinstance(value, str) and len(value) <= 64:
                try:
                    return pd.Timestamp(value)
                except (ValueError, TypeError):
                    pass
            parsed.problems.append(f"unreadable {name!r}: not a datetime {_short(value)}")
            parsed.fatal = parsed.fatal or "unreadable field"
            return pd.NaT
        # categorical
        if isinstance(value, numbers.Real) and not isinstance(value, str):
            text = _short(value, 64)
            if column.categories is not None and text in column.categories:
                parsed.problems.append(
                    f"converted {name!r} from {type(value).__name__} to {text!r}"
                )
                return text
            parsed.problems.append(
                f"unreadable {name!r}: expected a string, got {type(value).__name__} {_short(value)}"
            )
            parsed.fatal = parsed.fatal or "unreadable field"
            return np.nan
        if not isinstance(value, str):
            parsed.problems.append(
                f"unreadable {name!r}: expected a string, got {type(value).__name__} {_short(value)}"
            )
            parsed.fatal = parsed.fatal or "unreadable field"
            return np.nan
        if column.categories is None or value in column.categories:
            return value
        matches = [c for c in column.categories if c.strip().casefold() == value.strip().casefold()]
        if len(matches) == 1:
            parsed.problems.append(f"matched {name!r} {_short(value)} to {matches[0]!r}")
            return matches[0]
        parsed.problems.append(
            f"unseen category {_short(value)} for {name!r} (the model ignores it)"
        )
        return value

    def _parse(self, request: Any) -> _Parsed:
        parsed = _Parsed()
        if not isinstance(request, dict):
            parsed.problems.append(f"request must be a JSON object, got {type(request).__name__}")
            parsed.fatal = NOTHING_READ
            parsed.values = dict.fromkeys(self._columns, np.nan)
            return parsed
        given: dict[str, Any] = {}
        for key, value in request.items():
            if isinstance(key, str) and key in self._columns:
                given[key] = value
        for key, value in request.items():
            if isinstance(key, str) and key in self._columns:
                continue
            names = self._by_norm.get(_norm(key), []) if isinstance(key, str) else []
            if len(names) == 1 and names[0] not in given:
                parsed.problems.append(f"renamed field {_short(key)} -> {names[0]!r}")
                given[names[0]] = value
            else:
                parsed.problems.append(f"extra field {_short(key)} ignored")
        n_missing = 0
        for name, column in self._columns.items():
            if name not in given:
                parsed.problems.append(f"missing field {name!r} (left to the model's imputer)")
                value = np.nan
            else:
                try:
                    value = self._read_value(column, given[name], parsed)
                except Exception as error:  # noqa: BLE001 - report on the field, keep the others
                    parsed.problems.append(
                        f"unreadable {name!r}: {type(error).__name__}: {_clip(str(error), 80)}"
                    )
                    parsed.fatal = parsed.fatal or "unreadable field"
                    value = np.nan
            n_missing += value is np.nan or (isinstance(value, float) and math.isnan(value))
            parsed.values[name] = value
        if self._columns and n_missing == len(self._columns):
            parsed.problems.append("no field of the schema could be read")
            parsed.fatal = NOTHING_READ
        elif self._columns and n_missing > self.max_missing * len(self._columns):
            parsed.problems.append(f"too many missing fields ({n_missing} of {len(self._columns)})")
            parsed.fatal = parsed.fatal or "too many missing fields"
        return parsed

    # ---------------------------------------------------------------- answering
    def _frame(self, rows: list[dict], estimator: Any) -> pd.DataFrame:
        wanted = getattr(estimator, "feature_names_in_", None)
        names = self._columns if wanted is None else [c for c in wanted if c in self._columns]
        data = {}
        for name in names:
            values = [row[name] for row in rows]
            if self._columns[name].kind in ("numeric", "boolean"):
                data[name] = np.array(values, dtype=float)
            else:
                data[name] = pd.array(values, dtype=object)
        return pd.DataFrame(data)

    def _call_batch(self, estimator: Any, rows: list[dict]) -> list:
        out = np.asarray(estimator.predict(self._frame(rows, estimator)))
        if out.shape[:1] != (len(rows),):
            raise ValueError(f"predict returned shape {out.shape} for {len(rows)} rows")
        return [v.item() if isinstance(v, np.generic) else v for v in out]

    def _call(self, estimator: Any, rows: list[dict]) -> tuple[list, list[str]]:
        """Predictions and per-row errors ("" when fine); a failing batch is retried row by row."""
        try:
            return self._call_batch(estimator, rows), [""] * len(rows)
        except Exception as error:  # noqa: BLE001 - a failing model must never crash the service
            if len(rows) == 1:
                return [None], [f"{type(error).__name__}: {_clip(str(error))}"]
        values, errors = [], []
        for row in rows:
            value, error = self._call(estimator, [row])
            values += value
            errors += error
        return values, errors

    def _serve(self, requests: list[Any]) -> list[Response]:
        start = time.perf_counter()
        n = len(requests)
        parsed = []
        for request in requests:
            try:
                parsed.append(self._parse(request))
            except Exception as error:  # noqa: BLE001 - report, never crash
                bad = _Parsed(values=dict.fromkeys(self._columns, np.nan))
                bad.problems.append(
                    f"internal error while reading the request: {_clip(repr(error))}"
                )
                bad.fatal = "internal error"
                parsed.append(bad)
        with self._lock:
            model_ms = self.model_latency_ms * np.exp(
                self.latency_sigma * self._rng.standard_normal(n)
            )
        reason = [p.fatal for p in parsed]
        budget = self.latency_budget_ms
        timed_out = [
            not r and budget is not None and ms > budget
            for r, ms in zip(reason, model_ms, strict=True)
        ]
        use_model = [i for i in range(n) if not reason[i] and not timed_out[i]]
        predictions: list[Any] = [None] * n
        source = ["rejected"] * n
        latency = [self.fallback_latency_ms] * n
        if use_model:
            out, errors = self._call(self.model, [parsed[i].values for i in use_model])
            for i, value, error in zip(use_model, out, errors, strict=True):
                if error:
                    reason[i] = f"model error: {error}"
                else:
                    predictions[i], source[i], latency[i] = value, "model", float(model_ms[i])
        for i in range(n):
            if timed_out[i]:
                reason[i] = f"over latency budget ({model_ms[i]:.1f} ms > {budget:g} ms)"
                latency[i] = budget + self.fallback_latency_ms
        need = [i for i in range(n) if source[i] != "model" and reason[i] != NOTHING_READ]
        if need and self.fallback is not None:
            if hasattr(self.fallback, "predict"):
                out, errors = self._call(self.fallback, [parsed[i].values for i in need])
            else:
                out, errors = [self.fallback] * len(need), [""] * len(need)
            for i, value, error in zip(need, out, errors, strict=True):
                if error:
                    reason[i] += f"; fallback error: {error}"
                else:
                    predictions[i], source[i] = value, "fallback"
        elif need:
            for i in need:
                reason[i] += "; no fallback"
        paid = [not parsed[i].fatal for i in range(n)]
        compute_ms = (time.perf_counter() - start) * 1000 / max(n, 1)
        received = time.time()
        with self._lock:
            first = self._next_id
            self._next_id += n
            self._n_dropped += max(0, len(self._log) + n - self.max_log)
            responses = [
                Response(
                    predictions[i],
                    source[i],
                    float(latency[i]),
                    tuple(parsed[i].problems),
                    first + i,
                    reason[i],
                )
                for i in range(n)
            ]
            self._log.extend(
                LogRecord(
                    r.request_id,
                    received,
                    _stored(requests[i], self.max_request_chars),
                    r.prediction,
                    r.source,
                    r.reason,
                    r.problems,
                    r.latency_ms,
                    compute_ms,
                    self.cost_per_1k / 1000 if paid[i] else 0.0,
                )
                for i, r in enumerate(responses)
            )
        return responses

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
            raise TypeError("requests must be an iterable of requests; use predict() for one")
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
        with self._lock:
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
        with self._lock:
            return self._n_dropped

    @property
    def log(self) -> tuple[LogRecord, ...]:
        """A snapshot of the log records (a tuple of :class:`LogRecord`); see :attr:`n_logged`."""
        with self._lock:
            return tuple(self._log)

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
        with self._lock:
            return float(sum(r.cost for r in self._log))

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
        records = self.log
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
        with self._lock:
            self._log.clear()
            self._n_dropped = 0


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
        raise TypeError("schema must be a non-empty mlsys_helpers.quality.Schema")
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
