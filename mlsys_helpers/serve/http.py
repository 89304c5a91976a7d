"""The model service over HTTP, the way it is deployed at work: FastAPI, pydantic, uvicorn.

:func:`make_app` builds a FastAPI application around a :class:`~mlsys_helpers.serve.ModelService`
and :func:`serve_http` runs it with uvicorn in a background thread on a loopback address,
returning a :class:`Server` handle (``url``, ``stop()``). Three contracts, compared in chapter 05:

- ``"defensive"`` (default): any JSON value reaches the service, which repairs, falls back and
  logs. ``200`` with the :class:`~mlsys_helpers.serve.Response`; ``422`` (the same body, source
  ``"rejected"``) when nothing in the request could be read, so a caller can tell;
  ``503`` when neither the model nor the fallback could answer.
- ``"strict"``: the body must match a pydantic model generated from the schema
  (:func:`request_model`: types, ranges, categories, no extra fields); anything else gets ``422``
  with the field and the reason, and never reaches the service.
- ``"bare"``: ``model.predict(pd.DataFrame([request]))`` and nothing else (``500`` when it raises).

Every contract has ``GET /health``, ``GET /metrics`` (Prometheus text format, see
:class:`ServiceMetrics`) and the OpenAPI contract at ``/docs`` (``/openapi.json``). A body over
``max_body_bytes`` gets ``413``; malformed JSON ``400`` (defensive, bare) or ``422`` (strict);
an unknown path ``404``; a wrong method ``405``.

Hardening (chapter 05, "In production"): uvicorn's listen backlog (2,048) lets hundreds of
clients connect at once; ``max_connections`` caps open connections (more get ``503``);
``request_timeout`` cuts a connection whose request is not answered within that many seconds
(slow senders, clients that connect and send nothing); idle keep-alive connections close after
5 s; headers are limited to 16 KiB by h11.
"""

from __future__ import annotations

import asyncio
import datetime
import http.client
import ipaddress
import json
import math
import socket
import threading
import time
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

__all__ = [
    "MAX_BODY_BYTES",
    "CONTRACTS",
    "Server",
    "ServiceMetrics",
    "make_app",
    "post_json",
    "post_many",
    "request_model",
    "serve_http",
]

#: Default largest request body accepted (64 KiB).
MAX_BODY_BYTES = 64 * 1024
#: The ways :func:`make_app` can answer ``POST /predict``.
CONTRACTS = ("defensive", "strict", "bare")
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


_LOOPBACK = "a loopback address (127.0.0.1, ::1, localhost)"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_loopback(host: str) -> str:
    if not isinstance(host, str):
        raise TypeError(f"host must be a string, got {type(host).__name__}")
    if not _is_loopback(host):
        raise ValueError(f"host must be {_LOOPBACK}, got {host!r}")
    return host


def _cut(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, default=str).encode()


# ------------------------------------------------------------------------- the contract
def request_model(schema: Any, *, margin: float = 0.1, name: str = "Request") -> type:
    """A pydantic model of one request, generated from a :class:`~mlsys_helpers.quality.Schema`.

    Numeric fields are finite floats inside the training range widened by ``margin`` of its span
    clipped to the column's hard bounds (the service's range rule,
    :meth:`~mlsys_helpers.quality.ColumnSchema.allowed_range`),
    categorical fields one of the training categories, booleans ``bool``, datetimes ISO strings.
    Every field is required and unknown fields are refused.

    Parameters
    ----------
    schema : mlsys_helpers.quality.Schema
    margin : float, default 0.1
    name : str, default "Request"

    Returns
    -------
    type
        A subclass of :class:`pydantic.BaseModel`.

    Examples
    --------
    >>> from mlsys_helpers.quality import infer_schema
    >>> Applicant = request_model(infer_schema(pd.DataFrame({"income": [2e3, 90e3]})))
    >>> Applicant(income=52000.0)
    Request(income=52000.0)
    >>> try:
    ...     Applicant(income=-1.0)
    ... except ValueError as error:
    ...     print(error.errors()[0]["loc"], error.errors()[0]["msg"])
    ('income',) Input should be greater than or equal to 0
    """
    import pydantic

    if not hasattr(schema, "columns"):
        raise TypeError(f"schema must be a quality.Schema, got {type(schema).__name__}")
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not margin >= 0:
        raise ValueError(f"margin must be a number >= 0, got {margin!r}")
    fields: dict[str, Any] = {}
    for column in schema.columns:
        if column.name in schema.ignored:
            continue
        if column.kind == "numeric":
            low, high = column.allowed_range(margin=margin)
            annotation: Any = float
            info = pydantic.Field(ge=low, le=high, allow_inf_nan=False)
        elif column.kind == "boolean":
            annotation, info = bool, pydantic.Field()
        elif column.kind == "datetime":
            annotation, info = datetime.datetime, pydantic.Field()
        elif column.categories:
            annotation, info = Literal[tuple(column.categories)], pydantic.Field()
        else:
            annotation, info = str, pydantic.Field(max_length=200)
        fields[column.name] = (annotation, info)
    config = pydantic.ConfigDict(extra="forbid")
    return pydantic.create_model(name, __config__=config, **fields)


# ------------------------------------------------------------------------------ metrics
def _reason_label(reason: str) -> str:
    """A short, bounded label for a fallback reason ("over latency budget (95 ms > 90 ms)"
    -> "over latency budget")."""
    head = reason.split(";")[0].split("(")[0].split(":")[0].strip()
    return head or "none"


class ServiceMetrics:
    """Prometheus metrics of one service, in their own registry (never the global one).

    - ``mlsys_requests_total{outcome}``: requests by outcome: ``model``, ``fallback``,
      ``rejected`` (the service could not answer, or the strict contract refused the request);
    - ``mlsys_fallbacks_total{reason}``: why the model did not answer;
    - ``mlsys_request_seconds``: a histogram of the time spent answering (server side);
    - ``mlsys_drift_statistic{feature}``, ``mlsys_drift_detected{feature}`` and
      ``mlsys_monitor_alert``: the latest window of a :class:`~mlsys_helpers.monitor.Monitor`
      report, pushed with :meth:`record_monitor`.

    Examples
    --------
    >>> metrics = ServiceMetrics()
    >>> metrics.observe("fallback", 0.004, reason="out of range")
    >>> print(metrics.sample("mlsys_requests_total", outcome="fallback"))
    1.0
    """

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mlsys_requests",
            "Requests answered, by outcome (model, fallback, rejected).",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in ("model", "fallback", "rejected"):
            self.requests.labels(outcome=outcome)
        self.fallbacks = Counter(
            "mlsys_fallbacks",
            "Requests the model did not answer, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "mlsys_request_seconds",
            "Time spent answering one request (server side).",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.drift = Gauge(
            "mlsys_drift_statistic",
            "Drift statistic of each monitored feature in the latest window.",
            ["feature"],
            registry=self.registry,
        )
        self.drifted = Gauge(
            "mlsys_drift_detected",
            "1 when the feature drifted in the latest window, else 0.",
            ["feature"],
            registry=self.registry,
        )
        self.alert = Gauge(
            "mlsys_monitor_alert",
            "1 when the monitor raised an alert in the latest window, else 0.",
            registry=self.registry,
        )
        self._lock = threading.Lock()

    def observe(self, outcome: str, seconds: float, *, reason: str = "") -> None:
        """Count one answered request."""
        if outcome not in ("model", "fallback", "rejected"):
            raise ValueError(
                f"outcome must be one of ('model', 'fallback', 'rejected'), got {outcome!r}"
            )
        self.requests.labels(outcome=outcome).inc()
        if outcome != "model":
            self.fallbacks.labels(reason=_reason_label(reason)).inc()
        self.seconds.observe(max(float(seconds), 0.0))

    def record_monitor(self, report: pd.DataFrame) -> pd.DataFrame:
        """Push the latest window of a ``Monitor.run`` report into the drift gauges.

        Returns the values pushed, one row per feature (``feature, statistic, drifted``);
        a NaN statistic (a feature the monitor did not test) is not pushed.

        Examples
        --------
        >>> report = pd.DataFrame({"income_statistic": [0.02, 0.31], "income_drifted": [False, True],
        ...                        "alert": [False, True]})
        >>> ServiceMetrics().record_monitor(report)
          feature  statistic  drifted
        0  income       0.31     True
        """
        if not isinstance(report, pd.DataFrame):
            raise TypeError(
                f"report must be a DataFrame from Monitor.run, got {type(report).__name__}"
            )
        if report.empty:
            raise ValueError("report must be a non-empty DataFrame from Monitor.run, got 0 rows")
        latest = report.iloc[-1]
        features = [c[: -len("_statistic")] for c in report.columns if c.endswith("_statistic")]
        if not features:
            columns = _cut(repr(list(report.columns)))
            raise ValueError(
                f"report must have <feature>_statistic columns (from Monitor.run), got {columns}"
            )
        rows = []
        with self._lock:
            for feature in features:
                statistic = float(latest[f"{feature}_statistic"])
                if math.isnan(statistic):  # not monitored (e.g. the score without a model)
                    continue
                drifted = bool(latest.get(f"{feature}_drifted", False))
                self.drift.labels(feature=feature).set(statistic)
                self.drifted.labels(feature=feature).set(int(drifted))
                rows.append({"feature": feature, "statistic": statistic, "drifted": drifted})
            if "alert" in report.columns:
                self.alert.set(int(bool(latest["alert"])))
        return pd.DataFrame(rows)

    def exposition(self) -> str:
        """The metrics in the Prometheus text format (what ``GET /metrics`` answers)."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry).decode()

    def sample(self, name: str, **labels: str) -> float | None:
        """The current value of one sample (``None`` if absent), e.g. ``mlsys_requests_total``."""
        return self.registry.get_sample_value(name, labels)


# ---------------------------------------------------------------------------- the app
class _BodyLimit:
    """ASGI middleware: answer 413 to a body over the limit before the app reads it."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def _refuse(self, send: Any, size: str) -> None:
        body = _json_bytes(
            {"error": f"body of {size} bytes is over the limit of {self.max_body_bytes}"}
        )
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._refuse(send, length.decode())
            return
        received = 0
        started = False

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, f"more than {received}")


class _TooLarge(Exception):
    pass


def _json_response(status: int, payload: Any) -> Any:
    from starlette.responses import Response as HTTPResponse

    return HTTPResponse(_json_bytes(payload), status_code=status, media_type="application/json")


def make_app(
    service: Any,
    *,
    contract: str = "defensive",
    max_body_bytes: int = MAX_BODY_BYTES,
    metrics: ServiceMetrics | None = None,
) -> Any:
    """A FastAPI app serving ``service`` under one contract (see the module docstring).

    Parameters
    ----------
    service : ModelService
    contract : {"defensive", "strict", "bare"}, default "defensive"
    max_body_bytes : int, default 65536
    metrics : ServiceMetrics, optional
        Where ``/metrics`` reads from (a new one by default; also ``app.state.metrics``).

    Returns
    -------
    fastapi.FastAPI

    Examples
    --------
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.serve import ModelService
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
    >>> app = make_app(service, contract="strict")
    >>> sorted(app.openapi()["components"]["schemas"]["Request"]["properties"]["x"])
    ['maximum', 'minimum', 'title', 'type']
    >>> with serve_http(service, contract="strict") as server:
    ...     ok = post_json(server.url + "/predict", {"x": 2.5})
    ...     refused = post_json(server.url + "/predict", {"x": "lots"})
    >>> ok[1]["prediction"], refused[0], refused[1]["detail"][0]["loc"]
    (1, 422, ['body', 'x'])
    """
    if not hasattr(service, "predict") or not hasattr(service, "n_logged"):
        raise TypeError(f"service must be a ModelService, got {type(service).__name__}")
    if contract not in CONTRACTS:
        raise ValueError(f"contract must be one of {CONTRACTS}, got {contract!r}")
    if (
        isinstance(max_body_bytes, bool)
        or not isinstance(max_body_bytes, int)
        or max_body_bytes < 1
    ):
        raise ValueError(f"max_body_bytes must be an int >= 1, got {max_body_bytes!r}")
    metrics = ServiceMetrics() if metrics is None else metrics
    app = _new_app(service, contract, metrics)
    _PREDICT_ROUTES[contract](app, service, metrics)
    _add_shared_routes(app, service, metrics)
    app.add_middleware(_BodyLimit, max_body_bytes=max_body_bytes)
    return app


# This module uses postponed annotations; FastAPI reads the endpoints' annotations, so
# endpoints declare them explicitly with _typed (their types are imported lazily).
def _typed(**annotations: Any) -> Any:
    def decorate(fn: Any) -> Any:
        fn.__annotations__ = {**annotations, "return": Any}
        return fn

    return decorate


def _new_app(service: Any, contract: str, metrics: ServiceMetrics) -> Any:
    """The FastAPI app with its error answers (404/405/... as JSON; 422 counted as rejected)."""
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    app = FastAPI(
        title="Kestrel Loans scoring service",
        version="1.0",
        description=f"The {contract} contract of a mlsys-workbook ModelService.",
    )
    app.state.metrics, app.state.service = metrics, service

    async def http_error(request: Any, error: Any) -> Any:
        messages = {404: f"unknown path {request.url.path[:100]!r}; use POST /predict"}
        return _json_response(
            error.status_code, {"error": messages.get(error.status_code, error.detail)}
        )

    app.add_exception_handler(StarletteHTTPException, http_error)

    async def invalid(request: Any, error: Any) -> Any:
        metrics.observe("rejected", 0.0, reason="invalid request")
        detail = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
        ]
        return _json_response(422, {"detail": detail})

    app.add_exception_handler(RequestValidationError, invalid)
    return app


def _answer(metrics: ServiceMetrics, response: Any, started: float) -> Any:
    """The HTTP answer for a service :class:`Response`: 200, 422 (nothing read) or 503."""
    metrics.observe(response.source, time.perf_counter() - started, reason=response.reason)
    if response.source != "rejected":
        status = 200
    else:
        status = 422 if response.reason == "nothing could be read" else 503
    return _json_response(status, response.to_dict())


async def _read_json(request: Any) -> tuple[bool, Any]:
    """``(True, payload)``, or ``(False, a 400 answer)`` for an empty or malformed body."""
    raw = await request.body()
    if not raw.strip():
        return False, _json_response(400, {"error": "malformed JSON: empty body"})
    try:
        return True, json.loads(raw)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
        return False, _json_response(400, {"error": f"malformed JSON: {str(error)[:200]}"})


def _add_strict_route(app: Any, service: Any, metrics: ServiceMetrics) -> None:
    """POST /predict: the body must match :func:`request_model` (FastAPI answers 422 if not)."""
    Request_ = request_model(service.schema, margin=getattr(service, "range_margin", 0.1))

    @_typed(request=Request_)
    def predict(request):  # noqa: ANN001 - annotated by _typed
        started = time.perf_counter()
        return _answer(metrics, service.predict(request.model_dump()), started)

    app.post("/predict", summary="Score one applicant (strict contract)")(predict)


def _add_defensive_route(app: Any, service: Any, metrics: ServiceMetrics) -> None:
    """POST /predict: any JSON value goes to the service (repaired, fallen back, logged)."""
    from fastapi import Request
    from starlette.concurrency import run_in_threadpool

    @app.post("/predict", summary="Score one applicant (any JSON; repaired, logged)")
    @_typed(request=Request)
    async def predict_defensive(request):  # noqa: ANN001 - annotated by _typed
        started = time.perf_counter()
        ok, payload = await _read_json(request)
        if not ok:
            return payload
        return _answer(metrics, await run_in_threadpool(service.predict, payload), started)


def _add_bare_route(app: Any, service: Any, metrics: ServiceMetrics) -> None:
    """POST /predict: ``model.predict(pd.DataFrame([payload]))``; 500 when it raises."""
    from fastapi import Request
    from starlette.concurrency import run_in_threadpool

    model = service.model

    def bare(payload: Any) -> Any:
        return np.asarray(model.predict(pd.DataFrame([payload]))).tolist()[0]

    @app.post("/predict", summary="Score one applicant (no validation at all)")
    @_typed(request=Request)
    async def predict_bare(request):  # noqa: ANN001 - annotated by _typed
        started = time.perf_counter()
        ok, payload = await _read_json(request)
        if not ok:
            return payload
        try:
            prediction = await run_in_threadpool(bare, payload)
        except Exception as error:  # noqa: BLE001 - the bare endpoint crashes, visibly
            metrics.observe("rejected", time.perf_counter() - started, reason="model error")
            return _json_response(500, {"error": f"{type(error).__name__}: {str(error)[:200]}"})
        metrics.observe("model", time.perf_counter() - started)
        return _json_response(200, {"prediction": prediction})


_PREDICT_ROUTES = {
    "defensive": _add_defensive_route,
    "strict": _add_strict_route,
    "bare": _add_bare_route,
}


def _add_shared_routes(app: Any, service: Any, metrics: ServiceMetrics) -> None:
    """GET /health and GET /metrics, the same under every contract."""

    @app.get("/health", summary="Liveness and the size of the request log")
    @_typed()
    def health():
        return {
            "status": "ok",
            "logged": service.n_logged,
            "dropped": getattr(service, "n_dropped", 0),
        }

    @app.get("/metrics", summary="Prometheus metrics (text format)")
    @_typed()
    def prometheus():
        from prometheus_client import CONTENT_TYPE_LATEST
        from starlette.responses import Response as HTTPResponse

        return HTTPResponse(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


# ------------------------------------------------------------------------ the server
def _deadline_protocol(request_timeout: float) -> type:
    """uvicorn's h11 protocol, with an overall deadline per request (slow senders are cut)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class DeadlineProtocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            if self._deadline is None:
                self._deadline = self.loop.call_later(request_timeout, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()  # a client that connects and sends nothing is cut too

        def data_received(self, data: bytes) -> None:
            self._arm()
            super().data_received(data)

        def on_response_complete(self) -> None:
            self._disarm()
            super().on_response_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return DeadlineProtocol


class Server:
    """A running endpoint: ``url``, ``host``, ``port``, ``app`` and :meth:`stop` (also ``with``).

    Examples
    --------
    >>> from mlsys_helpers.serve import ModelService
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
    >>> with serve_http(service) as server:
    ...     status, body = post_json(server.url + "/predict", {"x": 2.5})
    >>> status, body["prediction"], server.running
    (200, 1, False)
    """

    def __init__(self, uvicorn_server: Any, thread: threading.Thread, sock: socket.socket) -> None:
        self._server, self._thread, self._socket = uvicorn_server, thread, sock
        self.host, self.port = sock.getsockname()[:2]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{self.port}"
        self.app = uvicorn_server.config.app
        self.service, self.metrics = self.app.state.service, self.app.state.metrics

    @property
    def running(self) -> bool:
        """Whether the serving thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, close open connections and free the port (idempotent)."""
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Server(url={self.url!r}, running={self.running})"


def serve_http(
    service: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    contract: str = "defensive",
    max_body_bytes: int = MAX_BODY_BYTES,
    max_connections: int = 1_000,
    request_timeout: float = 5.0,
    backlog: int = 2_048,
) -> Server:
    """Serve a :class:`~mlsys_helpers.serve.ModelService` with uvicorn in a background thread.

    Parameters
    ----------
    service : ModelService
    host : str, default "127.0.0.1"
        A loopback address only (the workbook never listens on the network).
    port : int, default 0
        0 picks a free port (read it from ``server.port``).
    contract : {"defensive", "strict", "bare"}, default "defensive"
        See :func:`make_app`.
    max_body_bytes : int, default 65536
    max_connections : int, default 1000
        Open connections served at once; requests on more get ``503`` (uvicorn's
        ``limit_concurrency``).
    request_timeout : float, default 5.0
        Seconds from a request's first byte (or from connecting) to its answer; past it the
        connection is closed.
    backlog : int, default 2048
        Connections the kernel queues before the server accepts them.

    Returns
    -------
    Server
        Call ``stop()`` (or use ``with``) to shut it down.

    Examples
    --------
    >>> from mlsys_helpers.serve import ModelService
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
    >>> server = serve_http(service)
    >>> post_json(server.url + "/predict", b"{not json")[0], post_json(server.url + "/nope", {})[0]
    (400, 404)
    >>> server.stop()
    """
    _check_server_arguments(service, host, port, max_connections, backlog, request_timeout)
    app = make_app(service, contract=contract, max_body_bytes=max_body_bytes)
    sock = _listen(host, port, backlog)
    return _start(app, sock, max_connections, float(request_timeout), backlog)


def _check_server_arguments(
    service: Any, host: Any, port: Any, max_connections: Any, backlog: Any, request_timeout: Any
) -> None:
    if not hasattr(service, "predict") or not hasattr(service, "n_logged"):
        raise TypeError(f"service must be a ModelService, got {type(service).__name__}")
    _check_loopback(host)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port < 65536:
        raise ValueError(f"port must be an int in [0, 65535], got {port!r}")
    for name, value in (("max_connections", max_connections), ("backlog", backlog)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if (
        isinstance(request_timeout, bool)
        or not isinstance(request_timeout, int | float)
        or not (math.isfinite(request_timeout) and request_timeout > 0)
    ):
        raise ValueError(f"request_timeout must be a number > 0, got {request_timeout!r}")


def _listen(host: str, port: int, backlog: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening (closed again if that fails)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets; without it Nagle's
    # algorithm and the client's delayed ACK add ~40 ms to every keep-alive answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def _start(
    app: Any, sock: socket.socket, max_connections: int, request_timeout: float, backlog: int
) -> Server:
    """Run uvicorn on ``sock`` in a daemon thread; wait (up to 30 s) until it serves."""
    import uvicorn

    config = uvicorn.Config(
        app,
        http=_deadline_protocol(request_timeout),
        lifespan="off",
        log_config=None,  # leave the process's logging configuration alone
        log_level="warning",
        access_log=False,
        limit_concurrency=max_connections,
        backlog=backlog,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="mlsys-serve-http", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        server.should_exit = True
        thread.join(5)
        sock.close()
        raise RuntimeError("the server did not start within 30 s")
    return Server(server, thread, sock)


def _split_url(url: str) -> tuple[str, int, str]:
    if not isinstance(url, str):
        raise TypeError(f"url must be a string, got {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None or parts.port is None:
        raise ValueError(f"url must look like http://127.0.0.1:PORT/predict, got {_cut(url)!r}")
    if not _is_loopback(parts.hostname):
        raise ValueError(f"url must point to {_LOOPBACK}, got {_cut(url)!r}")
    return parts.hostname, parts.port, parts.path or "/predict"


def post_json(url: str, payload: Any, *, timeout: float = 10.0) -> tuple[int, Any]:
    """POST one JSON payload (or raw ``bytes``) to a local URL; return (status, decoded JSON).

    Examples
    --------
    >>> post_json("http://example.org:80/predict", {})
    Traceback (most recent call last):
    ...
    ValueError: url must point to a loopback address (127.0.0.1, ::1, localhost), got 'http://example.org:80/predict'
    """
    host, port, path = _split_url(url)
    body = payload if isinstance(payload, bytes) else _json_bytes(payload)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw or b"null")
        except ValueError:
            return response.status, raw.decode(errors="replace")
    finally:
        connection.close()


def post_many(url: str, payloads: Any, *, timeout: float = 10.0) -> list[tuple[int, Any]]:
    """POST payloads one after the other on one keep-alive connection; (status, JSON) each.

    A connection the server closes (after a 413, say) is reopened for the next payload.

    Examples
    --------
    >>> from mlsys_helpers.serve import ModelService
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
    >>> with serve_http(service, contract="strict") as server:
    ...     answers = post_many(server.url + "/predict", [{"x": 2.5}, {"x": -4.0}])
    >>> [status for status, _ in answers]
    [200, 422]
    """
    host, port, path = _split_url(url)
    if isinstance(payloads, dict | str | bytes):
        raise TypeError(
            f"payloads must be a sequence of payloads, got {type(payloads).__name__}; "
            "use post_json() for one"
        )
    headers = {"Content-Type": "application/json"}
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    answers = []
    try:
        for payload in payloads:
            body = payload if isinstance(payload, bytes) else _json_bytes(payload)
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            raw = response.read()
            try:
                answers.append((response.status, json.loads(raw or b"null")))
            except ValueError:
                answers.append((response.status, raw.decode(errors="replace")))
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
    finally:
        connection.close()
    return answers
