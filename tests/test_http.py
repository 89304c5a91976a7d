"""Tests for mlsys_helpers.http: the local JSON endpoint and the load tester."""

from __future__ import annotations

import http.client
import json
import socket

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers.http import LoadTestResult, load_test, post_json, serve_http
from mlsys_helpers.quality import infer_schema
from mlsys_helpers.serve import ModelService, corrupt_requests
from mlsys_helpers.train import RuleClassifier


@pytest.fixture
def frame() -> pd.DataFrame:
    gen = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {"debt_ratio": gen.uniform(0, 0.8, n), "region": gen.choice(["north", "south"], n)}
    )
    frame["target"] = (frame["debt_ratio"] > 0.4).astype(int)
    return frame


@pytest.fixture
def service(frame) -> ModelService:
    rule = RuleClassifier(feature="debt_ratio").fit(frame[["debt_ratio"]], frame["target"])
    schema = infer_schema(frame[["debt_ratio", "region"]])
    return ModelService(rule, schema=schema, fallback=0, latency_budget_ms=60, rng=0)


@pytest.fixture
def server(service):
    server = serve_http(service)
    yield server
    server.stop()


def raw_post(server, body: bytes, *, path="/predict", headers=None):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        connection.putrequest("POST", path)
        for key, value in (headers or {"Content-Length": str(len(body))}).items():
            connection.putheader(key, value)
        connection.endheaders()
        connection.send(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_predict_returns_the_service_response(server, service):
    status, body = post_json(server.url + "/predict", {"debt_ratio": 0.7, "region": "north"})
    assert status == 200
    record = service.log[0]
    assert (body["request_id"], body["latency_ms"]) == (record.request_id, record.latency_ms)
    assert set(body) == {"prediction", "source", "latency_ms", "problems", "request_id", "reason"}
    assert body["source"] == "model" and body["prediction"] == 1


def test_garbage_json_values_are_served_and_logged(server, service):
    status, body = post_json(server.url + "/predict", [1, 2, 3])
    assert status == 200 and body["source"] == "fallback"
    assert service.n_logged == 1


def test_malformed_json_gets_400_with_a_message(server, service):
    status, body = post_json(server.url + "/predict", b'{"debt_ratio": 0.3')
    assert status == 400 and body["error"].startswith("malformed JSON")
    assert service.n_logged == 0


def test_empty_body_gets_400(server):
    status, body = post_json(server.url + "/predict", b"")
    assert status == 400 and "empty body" in body["error"]


def test_deeply_nested_json_gets_400_not_a_crash(server):
    status, _ = post_json(server.url + "/predict", b"[" * 50_000 + b"]" * 50_000)
    assert status in (400, 413)
    status, _ = post_json(server.url + "/predict", b"[" * 20_000 + b"]" * 20_000)
    assert status == 400  # 40 kB: under the size limit, over Python's recursion limit


def test_oversized_body_gets_413(service):
    with serve_http(service, max_body_bytes=1000) as server:
        status, body = post_json(server.url + "/predict", {"junk": "x" * 2000})
    assert status == 413 and "over the limit" in body["error"]
    assert service.n_logged == 0


def test_invalid_content_length_gets_400(server):
    status, body = raw_post(server, b"{}", headers={"Content-Length": "abc"})
    assert status == 400 and "Content-Length" in body["error"]


def test_unknown_path_gets_404_and_wrong_method_405(server):
    assert post_json(server.url + "/nope", {})[0] == 404
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    connection.request("GET", "/predict")
    assert connection.getresponse().status == 405
    connection.close()


def test_health_reports_the_log_size(server):
    post_json(server.url + "/predict", {"debt_ratio": 0.1, "region": "north"})
    connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
    connection.request("GET", "/health")
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read()) == {"status": "ok", "logged": 1}
    connection.close()


class TinyRule:
    """A stand-in model (no scikit-learn input checks) so the test measures the HTTP layer."""

    feature_names_in_ = np.array(["debt_ratio"], dtype=object)

    def predict(self, frame):
        return (frame["debt_ratio"].fillna(0.3).to_numpy() > 0.4).astype(int)


def test_eight_concurrent_clients_lose_no_request(frame, service):
    service = ModelService(TinyRule(), schema=service.schema, fallback=0, rng=0)
    requests = corrupt_requests(frame.sample(4000, replace=True, random_state=0), rate=0.3, rng=0)[
        "request"
    ].tolist()
    with serve_http(service) as server:
        result = load_test(server.url + "/predict", requests, concurrency=8)
    assert isinstance(result, LoadTestResult)
    assert (result.n_requests, result.n_errors, result.concurrency) == (4000, 0, 8)
    assert service.n_logged == 4000
    assert service.log_frame()["request_id"].is_unique
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
    assert result.throughput_rps > 0


def test_stop_closes_keep_alive_connections_and_frees_the_port(service):
    server = serve_http(service)
    port = server.port
    idle = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    idle.request("GET", "/health")
    idle.getresponse().read()  # a keep-alive connection stays open
    server.stop()
    assert not server.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    again = serve_http(service, port=port)  # the port is free again
    assert again.port == port
    again.stop()
    server.stop()  # idempotent
    idle.close()


def test_load_test_counts_errors():
    # Nothing listens on this port once the probe socket is closed: every request fails.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result = load_test(f"http://127.0.0.1:{port}/predict", [{}] * 6, concurrency=2, timeout=1)
    assert result.n_errors == 6


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_serve_http_listens_on_loopback_only(service, host):
    with pytest.raises(ValueError, match="host must be a loopback address"):
        serve_http(service, host=host)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"url": "http://10.0.0.1:80/predict"}, ValueError, "url host must be a loopback"),
        ({"url": "ftp://127.0.0.1:80/x"}, ValueError, "url must look like"),
        ({"concurrency": 0}, ValueError, "concurrency must be an int >= 1"),
        ({"requests": []}, ValueError, "requests must not be empty"),
        ({"requests": {"a": 1}}, TypeError, "requests must be a sequence"),
    ],
)
def test_load_test_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"url": "http://127.0.0.1:1/predict", "requests": [{}], **kwargs}
    with pytest.raises(error, match=match):
        load_test(**kwargs)


def test_serve_http_rejects_a_non_service():
    with pytest.raises(TypeError, match="service must be a ModelService"):
        serve_http(object())
