"""A real local JSON-over-HTTP endpoint for a :class:`~mlsys_helpers.serve.ModelService`.

:func:`serve_http` starts a standard-library :class:`http.server.ThreadingHTTPServer` in a
background thread (one thread per connection, HTTP/1.1 keep-alive) on a loopback address and
returns a :class:`Server` handle with a clean :meth:`Server.stop`. :func:`load_test` sends
requests from several client threads and reports latency percentiles and throughput.

Endpoints:

- ``POST /predict`` with a JSON body: ``200`` and the :class:`~mlsys_helpers.serve.Response` as
  JSON (any JSON value is passed to the service, which answers garbage with its fallback and
  logs it); malformed JSON (or an empty body): ``400`` with a message; a body over
  ``max_body_bytes``: ``413`` (the body is not read; the connection is closed).
- ``GET /health``: ``200`` ``{"status": "ok", "logged": <requests logged>}``.
- any other path: ``404``; a known path with the wrong method: ``405``.

Only 400/404/405/411/413 answers skip the service, so they are not in its log.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import numpy as np

__all__ = ["MAX_BODY_BYTES", "LoadTestResult", "Server", "load_test", "post_json", "serve_http"]

#: Default largest request body accepted by :func:`serve_http` (64 KiB).
MAX_BODY_BYTES = 64 * 1024


def _check_loopback(host: str, name: str = "host") -> str:
    if not isinstance(host, str):
        raise TypeError(f"{name} must be a string, got {type(host).__name__}")
    if host == "localhost":
        return host
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"{name} must be a loopback address (127.0.0.1, ::1, localhost), got {host!r}"
        )
    return host


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, default=str).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections close after this many seconds
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log (the service keeps its own log)."""

    def _send(self, status: int, payload: Any, *, close: bool = False) -> None:
        body = _json_bytes(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self.path == "/health":
            self._send(200, {"status": "ok", "logged": self.server.service.n_logged})
        elif self.path == "/predict":
            self._send(405, {"error": "use POST for /predict"})
        else:
            self._send(404, {"error": f"unknown path {self.path[:100]!r}; use POST /predict"})

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        if self.path != "/predict":
            self._send(
                404, {"error": f"unknown path {self.path[:100]!r}; use POST /predict"}, close=True
            )
            return
        if self.headers.get("Transfer-Encoding"):
            self._send(
                411,
                {"error": "send a Content-Length; chunked bodies are not supported"},
                close=True,
            )
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if length < 0:
                raise ValueError
        except ValueError:
            self._send(400, {"error": "invalid Content-Length header"}, close=True)
            return
        if length > self.server.max_body_bytes:
            self._send(
                413,
                {
                    "error": f"body of {length} bytes is over the limit of {self.server.max_body_bytes}"
                },
                close=True,
            )
            return
        raw = self.rfile.read(length)
        try:
            if not raw.strip():
                raise ValueError("empty body")
            request = json.loads(raw)
        except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
            self._send(400, {"error": f"malformed JSON: {str(error)[:200]}"})
            return
        try:
            response = self.server.service.predict(request)
        except Exception as error:  # noqa: BLE001 - the service should never raise; if it does, say so
            self._send(500, {"error": f"service error: {type(error).__name__}: {str(error)[:200]}"})
            return
        self._send(200, response.to_dict())


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple, service: Any, max_body_bytes: int) -> None:
        self.service = service
        self.max_body_bytes = max_body_bytes
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _HTTPServerV6(_HTTPServer):
    address_family = socket.AF_INET6


class Server:
    """A running endpoint: ``url``, ``host``, ``port`` and :meth:`stop` (also a context manager).

    Examples
    --------
    >>> import pandas as pd
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

    def __init__(self, httpd: _HTTPServer, thread: threading.Thread) -> None:
        self._httpd, self._thread = httpd, thread
        self.host, self.port = httpd.server_address[:2]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{self.port}"
        self.service = httpd.service

    @property
    def running(self) -> bool:
        """Whether the serving thread is alive."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, close open connections and free the port (idempotent)."""
        if self._thread.is_alive():
            self._httpd.shutdown()
        with self._httpd.connections_lock:
            open_connections = list(self._httpd.connections)
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        self._thread.join(timeout)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Server(url={self.url!r}, running={self.running})"


def serve_http(
    service: Any, host: str = "127.0.0.1", port: int = 0, *, max_body_bytes: int = MAX_BODY_BYTES
) -> Server:
    """Serve a :class:`~mlsys_helpers.serve.ModelService` over HTTP in a background thread.

    Parameters
    ----------
    service : ModelService
        Anything with ``predict(request) -> Response`` and ``n_logged``.
    host : str, default "127.0.0.1"
        A loopback address only (the workbook never listens on the network).
    port : int, default 0
        0 picks a free port (read it from ``server.port``).
    max_body_bytes : int, default 65536

    Returns
    -------
    Server
        Call ``stop()`` (or use ``with``) to shut it down.

    Examples
    --------
    >>> import pandas as pd
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
    if not hasattr(service, "predict") or not hasattr(service, "n_logged"):
        raise TypeError(f"service must be a ModelService, got {type(service).__name__}")
    _check_loopback(host)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port < 65536:
        raise ValueError(f"port must be an int in [0, 65535], got {port!r}")
    if (
        isinstance(max_body_bytes, bool)
        or not isinstance(max_body_bytes, int)
        or max_body_bytes < 1
    ):
        raise ValueError(f"max_body_bytes must be an int >= 1, got {max_body_bytes!r}")
    cls = _HTTPServerV6 if ":" in host else _HTTPServer
    httpd = cls((host, port), service, max_body_bytes)
    thread = threading.Thread(
        target=httpd.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="mlsys-serve-http",
        daemon=True,
    )
    thread.start()
    return Server(httpd, thread)


def _split_url(url: str) -> tuple[str, int, str]:
    if not isinstance(url, str):
        raise TypeError(f"url must be a string, got {type(url).__name__}")
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None or parts.port is None:
        raise ValueError(f"url must look like http://127.0.0.1:PORT/predict, got {url!r}")
    _check_loopback(parts.hostname, "url host")
    return parts.hostname, parts.port, parts.path or "/predict"


def post_json(url: str, payload: Any, *, timeout: float = 10.0) -> tuple[int, Any]:
    """POST one JSON payload (or raw ``bytes``) to a local URL; return (status, decoded JSON).

    Examples
    --------
    >>> post_json("http://example.org:80/predict", {})
    Traceback (most recent call last):
    ...
    ValueError: url host must be a loopback address (127.0.0.1, ::1, localhost), got 'example.org'
    """
    host, port, path = _split_url(url)
    body = payload if isinstance(payload, bytes) else _json_bytes(payload)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


@dataclass(frozen=True)
class LoadTestResult:
    """Latency percentiles (ms, client side, linear interpolation) and throughput (requests/s)."""

    n_requests: int
    n_errors: int
    concurrency: int
    duration_s: float
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def load_test(
    url: str, requests: Sequence[Any], *, concurrency: int = 8, timeout: float = 10.0
) -> LoadTestResult:
    """Send requests from ``concurrency`` client threads, each on one keep-alive connection.

    Requests are dealt round-robin to the clients; every request is timed from sending to the
    end of the response. An error is a non-200 answer or a connection failure (the client then
    reconnects). Percentiles use :func:`numpy.percentile` (linear interpolation).

    Parameters
    ----------
    url : str
        ``http://127.0.0.1:PORT/predict`` (loopback only).
    requests : sequence
        JSON-able payloads (or raw ``bytes`` bodies).
    concurrency : int, default 8
    timeout : float, default 10.0
        Socket timeout in seconds.

    Returns
    -------
    LoadTestResult

    Examples
    --------
    >>> import pandas as pd
    >>> from mlsys_helpers.serve import ModelService
    >>> from mlsys_helpers.quality import infer_schema
    >>> from mlsys_helpers.train import RuleClassifier
    >>> train = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    >>> service = ModelService(RuleClassifier().fit(train, [0, 0, 1, 1]), schema=infer_schema(train))
    >>> with serve_http(service) as server:
    ...     result = load_test(server.url + "/predict", [{"x": 1.0}] * 40, concurrency=4)
    >>> result.n_requests, result.n_errors, service.n_logged
    (40, 0, 40)
    """
    host, port, path = _split_url(url)
    if isinstance(requests, dict | str | bytes):
        raise TypeError("requests must be a sequence of payloads")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    bodies = [r if isinstance(r, bytes) else _json_bytes(r) for r in requests]
    if not bodies:
        raise ValueError("requests must not be empty")
    concurrency = min(concurrency, len(bodies))
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    barrier = threading.Barrier(concurrency + 1)
    headers = {"Content-Type": "application/json"}

    def client(k: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        barrier.wait()
        for body in bodies[k::concurrency]:
            start = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[k] += 1
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors[k] += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            latencies[k].append((time.perf_counter() - start) * 1000)
        connection.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - start
    all_ms = np.concatenate([np.asarray(x, dtype=float) for x in latencies])
    p50, p95, p99 = np.percentile(all_ms, [50, 95, 99])
    return LoadTestResult(
        n_requests=len(bodies),
        n_errors=int(sum(errors)),
        concurrency=concurrency,
        duration_s=float(duration),
        throughput_rps=float(len(bodies) / duration) if duration > 0 else float("inf"),
        p50_ms=float(p50),
        p95_ms=float(p95),
        p99_ms=float(p99),
    )
