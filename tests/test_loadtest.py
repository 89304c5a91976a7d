"""mlsys_helpers.serve.loadtest: locust, headless, in its own process, against a real local server."""

from __future__ import annotations

import socket
import sys

import numpy as np
import pandas as pd
import pytest

from mlsys_helpers.quality import infer_schema
from mlsys_helpers.serve import LoadTestResult, ModelService, load_test, serve_http
from mlsys_helpers.serve.loadtest import _percentile


class TinyRule:
    feature_names_in_ = np.array(["x"], dtype=object)

    def predict(self, frame):
        return (frame["x"].fillna(0).to_numpy() > 1).astype(int)


@pytest.fixture
def service():
    schema = infer_schema(pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]}))
    return ModelService(TinyRule(), schema=schema, fallback=0, rng=0)


def test_locust_measures_a_real_endpoint_and_every_request_is_logged(service):
    payloads = [{"x": 0.5}, {"x": "2.5"}, {"X": 3.0}, {"x": 99.0}]
    with serve_http(service) as server:
        result = load_test(server.url + "/predict", payloads, users=3, seconds=2)
    assert isinstance(result, LoadTestResult)
    assert result.users == 3 and result.n_errors == 0 and result.n_requests > 0
    assert result.n_requests == service.n_logged  # one log record per request, none lost
    assert set(service.log_frame()["source"]) == {"model", "fallback"}
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
    assert sum(count for _, count in result.histogram) == result.n_requests
    # locust ran in its own process: gevent never patched this one
    assert "locust" not in sys.modules and "gevent" not in sys.modules


def test_load_test_counts_transport_errors():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens here now: every request fails
    result = load_test(f"http://127.0.0.1:{port}/predict", [{}], users=2, seconds=1)
    assert result.n_requests > 0 and result.n_errors == result.n_requests


def test_percentile_reads_the_histogram():
    histogram = ((1.0, 50), (2.0, 45), (10.0, 5))
    assert [_percentile(histogram, q) for q in (50, 95, 99)] == [1.0, 2.0, 10.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"url": "http://10.0.0.1:80/predict"}, ValueError, "url must point to a loopback address"),
        ({"url": "ftp://127.0.0.1:80/x"}, ValueError, "url must look like"),
        ({"users": 0}, ValueError, "users must be an int in"),
        ({"seconds": 0.5}, ValueError, "seconds must be a number >= 1"),
        ({"requests": []}, ValueError, "requests must be a non-empty sequence"),
        ({"requests": {"a": 1}}, TypeError, "requests must be a sequence"),
    ],
)
def test_load_test_rejects_bad_arguments(kwargs, error, match):
    kwargs = {"url": "http://127.0.0.1:1/predict", "requests": [{}], **kwargs}
    with pytest.raises(error, match=match):
        load_test(**kwargs)
