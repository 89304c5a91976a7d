"""The online side (chapters 01, 05 and 09): noisy requests, skew, a defensive model service.

- :mod:`~mlsys_helpers.serve.skew`: :func:`corrupt_requests` turns clean rows into the requests a
  real service receives (:data:`CORRUPTIONS`); :func:`training_serving_skew` /
  :func:`measure_skew` compute a feature one way offline and another way online;
- :mod:`~mlsys_helpers.serve.service`: :class:`ModelService` validates every request against a
  :class:`~mlsys_helpers.quality.Schema`, repairs what it safely can, falls back when it cannot,
  models latency and cost and logs one record per request; :func:`bare_predict` is the endpoint
  without any of that. Its parts: :mod:`~mlsys_helpers.serve.repairs` (reading a request, the
  repair table), :mod:`~mlsys_helpers.serve.fallback` (who answers; latency and cost) and
  :mod:`~mlsys_helpers.serve.log` (the bounded request log, :class:`LogRecord`);
- :mod:`~mlsys_helpers.serve.http`: :func:`make_app` / :func:`serve_http` (FastAPI + uvicorn) put
  the service behind a real local HTTP endpoint with Prometheus metrics; :func:`post_json` /
  :func:`post_many` call it;
- :mod:`~mlsys_helpers.serve.loadtest`: :func:`load_test` (locust, headless, in its own process)
  measures it.

Import every name from here (``from mlsys_helpers.serve import ModelService`` or
``mh.serve.ModelService``).

>>> from mlsys_helpers import serve
>>> serve.CONTRACTS
('defensive', 'strict', 'bare')
"""

from mlsys_helpers.serve.http import (
    CONTRACTS,
    MAX_BODY_BYTES,
    Server,
    ServiceMetrics,
    make_app,
    post_json,
    post_many,
    request_model,
    serve_http,
)
from mlsys_helpers.serve.loadtest import LOCUSTFILE, LoadTestResult, load_test
from mlsys_helpers.serve.log import MAX_LOG, MAX_REQUEST_CHARS, LogRecord
from mlsys_helpers.serve.repairs import NOTHING_READ
from mlsys_helpers.serve.service import SOURCES, ModelService, Response, bare_predict
from mlsys_helpers.serve.skew import (
    CORRUPTIONS,
    SKEW_KINDS,
    SkewResult,
    corrupt_requests,
    measure_skew,
    training_serving_skew,
)

__all__ = [
    "CONTRACTS",
    "CORRUPTIONS",
    "LOCUSTFILE",
    "LoadTestResult",
    "LogRecord",
    "MAX_BODY_BYTES",
    "MAX_LOG",
    "MAX_REQUEST_CHARS",
    "ModelService",
    "NOTHING_READ",
    "Response",
    "SKEW_KINDS",
    "SOURCES",
    "Server",
    "ServiceMetrics",
    "SkewResult",
    "bare_predict",
    "corrupt_requests",
    "load_test",
    "make_app",
    "measure_skew",
    "post_json",
    "post_many",
    "request_model",
    "serve_http",
    "training_serving_skew",
]
