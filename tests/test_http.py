"""The HTTP endpoint (FastAPI + uvicorn) on real sockets on 127.0.0.1, and its hardening."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import numpy as np
import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

from mlsys_helpers.quality import infer_schema
from mlsys_helpers.serve import (
    ModelService,
    ServiceMetrics,
    corrupt_requests,
    make_app,
    post_json,
    request_model,
    serve_http,
)
from mlsys_helpers.train import RuleClassifier


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    gen = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {
            "debt_ratio": gen.uniform(0, 0.8, n),
            "income": gen.uniform(20_000, 90_000, n),
            "region": gen.choice(["north", "south"], n),
        }
    )
    frame["target"] = (frame["debt_ratio"] > 0.4).astype(int)
    return frame


FIELDS = ["debt_ratio", "income", "region"]
CLEAN = {"debt_ratio": 0.7, "income": 50_000.0, "region": "north"}


class TinyRule:
    """A stand-in model (no scikit-learn input checks) so the tests exercise the HTTP layer."""

    feature_names_in_ = np.array(["debt_ratio"], dtype=object)

    def predict(self, frame):
        return (frame["debt_ratio"].fillna(0.3).to_numpy() > 0.4).astype(int)


@pytest.fixture
def service(frame) -> ModelService:
    rule = RuleClassifier(feature="debt_ratio").fit(frame[["debt_ratio"]], frame["target"])
    return ModelService(rule, schema=infer_schema(frame[FIELDS]), fallback=0, rng=0)


@pytest.fixture
def server(service):
    server = serve_http(service)
    yield server
    server.stop()


def request(server, method, path, body=b"", headers=None, timeout=10):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        connection.request(method, path, body, headers or {"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
        return response.status, raw
    finally:
        connection.close()


def metric_samples(text: str) -> dict:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


# ----------------------------------------------------------------------- the defensive app
def test_predict_returns_the_service_response(server, service):
    status, body = post_json(server.url + "/predict", CLEAN)
    assert status == 200
    record = service.log[0]
    assert (body["request_id"], body["latency_ms"]) == (record.request_id, record.latency_ms)
    assert set(body) == {"prediction", "source", "latency_ms", "problems", "request_id", "reason"}
    assert body["source"] == "model" and body["prediction"] == 1


@pytest.mark.parametrize("payload", [[1, 2, 3], None, "hello", {}])
def test_nothing_readable_gets_422_and_a_rejected_answer(server, service, payload):
    status, body = post_json(server.url + "/predict", payload)
    assert status == 422
    assert body["source"] == "rejected" and body["prediction"] is None
    assert body["reason"] == "nothing could be read"
    assert service.n_logged == 1


def test_malformed_json_gets_400_with_a_message(server, service):
    status, body = post_json(server.url + "/predict", b'{"debt_ratio": 0.3')
    assert status == 400 and body["error"].startswith("malformed JSON")
    assert service.n_logged == 0


def test_empty_body_gets_400(server):
    status, body = post_json(server.url + "/predict", b"")
    assert status == 400 and "empty body" in body["error"]


def test_deeply_nested_json_gets_400_or_413_not_a_crash(server):
    status, _ = post_json(server.url + "/predict", b"[" * 50_000 + b"]" * 50_000)
    assert status == 413
    status, _ = post_json(server.url + "/predict", b"[" * 20_000 + b"]" * 20_000)
    assert status == 400  # 40 kB: under the size limit, over Python's recursion limit
    assert post_json(server.url + "/predict", CLEAN)[0] == 200  # still up


def test_oversized_body_gets_413_and_is_not_logged(service):
    with serve_http(service, max_body_bytes=1000) as server:
        status, body = post_json(server.url + "/predict", {"junk": "x" * 2000})
        # a chunked body (no Content-Length) is counted as it arrives
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("POST", "/predict", iter([b'{"junk": "', b"x" * 3000, b'"}']))
        chunked = connection.getresponse()
        chunked_status = chunked.status
        connection.close()
    assert status == 413 and "over the limit" in body["error"]
    assert chunked_status == 413
    assert service.n_logged == 0


def test_odd_but_valid_json_gets_a_clear_answer(server, service):
    cases = [
        b'{"debt_ratio": NaN, "income": Infinity, "region": "north"}',
        b'{"debt_ratio": "NaN", "income": "inf", "region": "north"}',
        json.dumps({f"field_{i}": i for i in range(10_000)}).encode(),
        json.dumps({"débt_ratio": 0.3, "收入": 50_000, "region": "north"}).encode(),
        b'{"debt_ratio": 0.9, "income": 1' + b"0" * 400 + b', "region": "north"}',
    ]
    answers = [post_json(server.url + "/predict", body) for body in cases]
    assert [status for status, _ in answers] == [200, 200, 413, 200, 200]  # 10k fields: 170 kB
    overflow = answers[-1][1]
    assert overflow["source"] == "fallback" and overflow["reason"] == "out of range"
    assert any("'income' is out of range" in p for p in overflow["problems"])
    assert not any("internal error" in p for _, body in answers for p in body.get("problems", []))
    assert service.n_logged == len(cases) - 1


def test_ten_thousand_fields_under_a_larger_limit_are_read_and_rejected(service):
    fields = {f"field_{i}": i for i in range(10_000)}
    with serve_http(service, max_body_bytes=1_000_000) as server:
        status, body = post_json(server.url + "/predict", fields)
        assert status == 422 and body["source"] == "rejected"
        assert post_json(server.url + "/predict", {**fields, **CLEAN})[1]["source"] == "model"
    stored = service.log_frame()["request"].tolist()
    assert all(isinstance(r, str) and len(r) < 2_100 for r in stored)  # truncated in the log


def test_a_negative_income_is_caught_by_the_service(server):
    status, body = post_json(server.url + "/predict", {**CLEAN, "income": -1})
    assert status == 200 and body["source"] == "fallback"
    assert any(p.startswith("'income'=-1") for p in body["problems"])


def test_unknown_path_gets_404_and_wrong_method_405(server):
    status, body = post_json(server.url + "/nope", {})
    assert status == 404 and "unknown path" in body["error"]
    assert request(server, "GET", "/predict")[0] == 405


def test_health_reports_the_log_size_and_drops(frame):
    service = ModelService(TinyRule(), schema=infer_schema(frame[FIELDS]), fallback=0, max_log=2)
    with serve_http(service) as server:
        for _ in range(3):
            post_json(server.url + "/predict", CLEAN)
        status, raw = request(server, "GET", "/health")
    assert status == 200
    assert json.loads(raw) == {"status": "ok", "logged": 2, "dropped": 1}


def test_docs_and_openapi_show_the_contract(service):
    with serve_http(service, contract="strict") as server:
        docs = request(server, "GET", "/docs")
        spec = json.loads(request(server, "GET", "/openapi.json")[1])
    assert docs[0] == 200 and b"swagger" in docs[1].lower()
    fields = spec["components"]["schemas"]["Request"]["properties"]
    assert fields["region"]["enum"] == ["north", "south"]
    assert fields["income"]["minimum"] >= 0 and fields["debt_ratio"]["minimum"] == 0


# ----------------------------------------------------------------------- the strict contract
def test_request_model_has_types_ranges_and_categories(service):
    Model = request_model(service.schema)
    assert Model(**CLEAN).region == "north"
    with pytest.raises(ValueError, match="region"):
        Model(**{**CLEAN, "region": "mars"})
    with pytest.raises(ValueError, match="extra"):
        Model(**CLEAN, debug_id=7)
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        Model(**{**CLEAN, "debt_ratio": -0.05})


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**CLEAN, "income": "fifty thousand"}, "income"),
        ({**CLEAN, "income": -500.0}, "income"),
        ({"debt_ratio": 0.3, "region": "north"}, "income"),
        ({**CLEAN, "region": "mars"}, "region"),
        ({**CLEAN, "debt_ratio": 35.0}, "debt_ratio"),
    ],
)
def test_strict_contract_answers_422_with_the_field(service, payload, field):
    with serve_http(service, contract="strict") as server:
        status, body = post_json(server.url + "/predict", payload)
        metrics = metric_samples(request(server, "GET", "/metrics")[1].decode())
    assert status == 422
    assert body["detail"][0]["loc"] == ["body", field]
    assert service.n_logged == 0  # refused at the edge, never reached the service
    assert metrics[("mlsys_requests_total", (("outcome", "rejected"),))] == 1


@pytest.mark.parametrize("body", [b"[1, 2, 3]", b"null", b'"hello"', b"{}", b"{oops"])
def test_strict_contract_refuses_unreadable_bodies_with_422(service, body):
    with serve_http(service, contract="strict") as server:
        assert post_json(server.url + "/predict", body)[0] == 422


def test_strict_contract_serves_valid_requests(service):
    with serve_http(service, contract="strict") as server:
        status, body = post_json(server.url + "/predict", CLEAN)
    assert status == 200 and body["source"] == "model" and service.n_logged == 1


def test_bare_contract_crashes_visibly(service):
    service = ModelService(TinyRule(), schema=service.schema)
    with serve_http(service, contract="bare") as server:
        ok = post_json(server.url + "/predict", CLEAN)
        crash = post_json(server.url + "/predict", {"DebtRatio": 0.3})
    assert ok == (200, {"prediction": 1})
    assert crash[0] == 500 and "KeyError" in crash[1]["error"]
    assert service.n_logged == 0  # no service, no log


# ------------------------------------------------------------------------------- metrics
def test_metrics_count_requests_by_outcome_in_prometheus_format(server):
    sent = [CLEAN, CLEAN, {**CLEAN, "debt_ratio": 35.0}, [1]]
    for payload in sent:
        post_json(server.url + "/predict", payload)
    status, raw = request(server, "GET", "/metrics")
    samples = metric_samples(raw.decode())
    assert status == 200
    assert samples[("mlsys_requests_total", (("outcome", "model"),))] == 2
    assert samples[("mlsys_requests_total", (("outcome", "fallback"),))] == 1
    assert samples[("mlsys_requests_total", (("outcome", "rejected"),))] == 1
    assert samples[("mlsys_fallbacks_total", (("reason", "out of range"),))] == 1
    assert samples[("mlsys_fallbacks_total", (("reason", "nothing could be read"),))] == 1
    assert samples[("mlsys_request_seconds_count", ())] == len(sent)


def test_monitor_verdicts_become_drift_gauges():
    metrics = ServiceMetrics()
    report = pd.DataFrame(
        {
            "income_statistic": [0.01, 0.40],
            "income_drifted": [False, True],
            "debt_ratio_statistic": [0.02, 0.03],
            "debt_ratio_drifted": [False, False],
            "prediction_statistic": [np.nan, np.nan],  # no model: nothing to push
            "alert": [False, True],
        }
    )
    pushed = metrics.record_monitor(report)
    samples = metric_samples(metrics.exposition())
    assert pushed["feature"].tolist() == ["income", "debt_ratio"]
    assert samples[("mlsys_drift_statistic", (("feature", "income"),))] == 0.40
    assert samples[("mlsys_drift_detected", (("feature", "income"),))] == 1
    assert samples[("mlsys_drift_detected", (("feature", "debt_ratio"),))] == 0
    assert samples[("mlsys_monitor_alert", ())] == 1
    assert ("mlsys_drift_statistic", (("feature", "prediction"),)) not in samples


def test_each_app_has_its_own_registry(service):
    first, second = make_app(service), make_app(service)
    first.state.metrics.observe("model", 0.001)
    assert second.state.metrics.sample("mlsys_requests_total", outcome="model") == 0


# ----------------------------------------------------------------------- concurrency (18.1)
def hammer(server, payloads, clients):
    """Send payloads from `clients` threads on keep-alive connections; count transport errors."""
    errors, statuses = [0] * clients, [[] for _ in range(clients)]
    barrier = threading.Barrier(clients)
    body = [json.dumps(p).encode() for p in payloads]

    def client(k):
        barrier.wait()
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        for payload in body[k::clients]:
            try:
                connection.request("POST", "/predict", payload)
                response = connection.getresponse()
                response.read()
                statuses[k].append(response.status)
            except (OSError, http.client.HTTPException):
                errors[k] += 1
                connection.close()
                connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(errors), [s for per in statuses for s in per]


def test_two_hundred_clients_connecting_at_once_are_all_served(frame):
    service = ModelService(TinyRule(), schema=infer_schema(frame[FIELDS]), fallback=0)
    with serve_http(service) as server:
        errors, statuses = hammer(server, [CLEAN] * 200, clients=200)
    assert errors == 0 and statuses == [200] * 200
    assert service.n_logged == 200


@pytest.mark.parametrize("clients", [8, 32, 200])
def test_clients_times_2000_requests_give_no_transport_error(frame, clients):
    service = ModelService(TinyRule(), schema=infer_schema(frame[FIELDS]), fallback=0, rng=0)
    noisy = corrupt_requests(frame.sample(2000, replace=True, random_state=0), rate=0.3, rng=0)
    with serve_http(service) as server:
        errors, statuses = hammer(server, noisy["request"].tolist(), clients=clients)
    assert errors == 0 and len(statuses) == 2000
    assert set(statuses) <= {200, 422}
    # exactly one log record per request that reached the service
    assert service.n_logged == 2000 and service.log_frame()["request_id"].is_unique


def test_open_connections_are_capped(service):
    with serve_http(service, max_connections=4) as server:
        idle = [socket.create_connection((server.host, server.port), timeout=10) for _ in range(6)]
        time.sleep(0.2)  # let the server accept them
        status, _ = request(server, "POST", "/predict", json.dumps(CLEAN).encode())
        for sock in idle:
            sock.close()
    assert status == 503


def test_a_silent_client_is_cut_and_others_are_served(service):
    with serve_http(service, request_timeout=1.0) as server:
        silent = socket.create_connection((server.host, server.port), timeout=20)
        assert post_json(server.url + "/predict", CLEAN)[0] == 200  # others keep being served
        assert silent.recv(1) == b""  # closed by the server well before the 20 s socket timeout
        silent.close()


def test_a_slow_sender_is_cut_by_the_request_deadline(service):
    with serve_http(service, request_timeout=1.0) as server:
        slow = socket.create_connection((server.host, server.port), timeout=20)
        slow.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\n")
        cut = False
        for k in range(40):  # one header line every 0.2 s: 8 s if never cut
            time.sleep(0.2)
            try:
                slow.sendall(f"X-Slow-{k}: 1\r\n".encode())
            except OSError:
                cut = True
                break
            if k == 2:
                assert post_json(server.url + "/predict", CLEAN)[0] == 200
        if not cut:
            cut = slow.recv(1) == b""
        slow.close()
    assert cut


def test_three_hundred_half_sent_requests_take_no_threads_and_block_no_one(service):
    with serve_http(service, request_timeout=3.0) as server:
        before = threading.active_count()
        half = []
        for _ in range(300):
            sock = socket.create_connection((server.host, server.port), timeout=20)
            sock.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            half.append(sock)
        assert post_json(server.url + "/predict", CLEAN)[0] == 200
        grown = threading.active_count() - before
        closed = sum(sock.recv(1) == b"" for sock in half)  # all cut by the request deadline
        for sock in half:
            sock.close()
    assert grown <= 2  # at most the worker thread of the one real request, not one per client
    assert closed == 300


# --------------------------------------------------------------------- the server's handle
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


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_serve_http_listens_on_loopback_only(service, host):
    with pytest.raises(ValueError, match="host must be a loopback address"):
        serve_http(service, host=host)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"port": -1}, "port must be an int"),
        ({"max_connections": 0}, "max_connections must be an int >= 1"),
        ({"request_timeout": 0}, "request_timeout must be a number > 0"),
        ({"max_body_bytes": 0}, "max_body_bytes must be an int >= 1"),
        ({"contract": "lenient"}, "contract must be one of"),
    ],
)
def test_serve_http_rejects_bad_arguments(service, kwargs, match):
    with pytest.raises(ValueError, match=match):
        serve_http(service, **kwargs)


def test_serve_http_rejects_a_non_service():
    with pytest.raises(TypeError, match="service must be a ModelService"):
        serve_http(object())
