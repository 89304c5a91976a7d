"""Chapter 05 · training vs serving. Keys are computed from the helper API with the chapter's
seeds (notebooks/05_training_vs_serving.py: ``SEED`` and the offsets documented there)."""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any

from mlsys_helpers._keys import Exercise, close_to, text_is

SEED = 5  # the chapter's seed
N_HISTORY, TEST_SIZE = 12_000, 0.25
SKEWS = {"missing_default": "income", "scaling": "debt_ratio", "window": "income"}
TIMEOUT_MS, MEDIAN_MS, SIGMA = 90.0, 40.0, 0.5


@functools.cache
def _setup() -> tuple:
    """The chapter's test period, boosting pipeline, fallback rule and schema."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    from mlsys_helpers.quality import infer_schema
    from mlsys_helpers.train import RuleClassifier, make_pipeline_for, time_split
    from mlsys_helpers.world import LoanWorld

    world = LoanWorld()
    features = list(world.features)
    train, test = time_split(world.sample(N_HISTORY, rng=SEED), test_size=TEST_SIZE)
    boosting = make_pipeline_for(train, model=HistGradientBoostingClassifier(random_state=SEED))
    with threadpool_limits(limits=1):  # the notebook runs single-threaded
        boosting.fit(train, train["target"])
    rule = RuleClassifier(feature="debt_ratio").fit(train[["debt_ratio"]], train["target"])
    return test, features, boosting, rule, infer_schema(train[features])


def _accuracy(predictions, y) -> float:
    return sum(p is not None and p == t for p, t in zip(predictions, y, strict=True)) / len(y)


def _loud_kinds() -> int:
    """Corruption kinds on which the bare endpoint errors on more than half of the requests."""
    from mlsys_helpers.serve import CORRUPTIONS, bare_predict, corrupt_requests

    test, features, boosting, _, schema = _setup()
    count = 0
    for kind in CORRUPTIONS:
        requests = corrupt_requests(test, rate=1.0, kinds=[kind], columns=features, rng=SEED + 1)
        errors = bare_predict(boosting, requests["request"], schema=schema)["error"] != ""
        count += bool(errors.mean() > 0.5)
    return count


def _caught_skew() -> str:
    """The skew on which the service falls back on more than half of the requests."""
    from mlsys_helpers.serve import ModelService, training_serving_skew

    test, features, boosting, rule, schema = _setup()
    frame = test[["timestamp", *features, "target"]]
    caught = []
    for kind, column in SKEWS.items():
        _, skewed = training_serving_skew(frame, column=column, kind=kind, rng=SEED + 2)
        service = ModelService(boosting, schema=schema, fallback=rule, rng=SEED + 3)
        sources = service.predict_frame(skewed[features])["source"]
        if (sources != "model").mean() > 0.5:
            caught.append(kind)
    return caught[0] if len(caught) == 1 else ", ".join(caught)


def _recovered_share(rate: float = 0.5) -> float:
    """(service - bare) / (clean - bare) accuracy on a stream with ``rate`` corrupted requests."""
    from mlsys_helpers.serve import ModelService, bare_predict, corrupt_requests

    test, features, boosting, rule, schema = _setup()
    y = test["target"].tolist()
    clean = ModelService(boosting, schema=schema, fallback=rule, rng=SEED + 3)
    clean_acc = _accuracy(clean.predict_frame(test[features])["prediction"].tolist(), y)
    stream = corrupt_requests(test, rate=rate, columns=features, rng=SEED + 1)
    bare_acc = _accuracy(
        bare_predict(boosting, stream["request"], schema=schema)["prediction"].tolist(), y
    )
    service = ModelService(boosting, schema=schema, fallback=rule, rng=SEED + 3)
    service_acc = _accuracy([a.prediction for a in service.predict_many(stream["request"])], y)
    return (service_acc - bare_acc) / (clean_acc - bare_acc)


def _share_over_timeout() -> float:
    """P(latency > timeout) for a log-normal latency: log-latency ~ Normal(log median, sigma)."""
    z = math.log(TIMEOUT_MS / MEDIAN_MS) / SIGMA
    return 0.5 * math.erfc(z / math.sqrt(2))


def _is_loud_count(answer: Any) -> bool:
    integral = isinstance(answer, numbers.Integral) and not isinstance(answer, bool)
    return integral and int(answer) == _loud_kinds()


def _is_caught_skew(answer: Any) -> bool:
    return text_is(_caught_skew())(answer)


EXERCISES = (
    Exercise(
        "05.1",
        _is_loud_count,
        "Missing fields, renamed fields and infinities crash a naive endpoint: loud, and so the "
        "easiest to notice. The other seven are answered, some of them wrongly and silently.",
        "`taxonomy['bare: errors'] > 0.5` is a boolean Series; count its True values (an int).",
    ),
    Exercise(
        "05.2",
        _is_caught_skew,
        "Only a skew that pushes values outside the training range trips request validation; "
        "a default of 0 or a trailing mean look like normal values.",
        "Filter `skew` on the column 'service falls back on' and read the index.",
    ),
    Exercise(
        "05.3",
        close_to(_recovered_share, tol=0.01),
        "Still most of the loss: defence scales with the noise, because each repair or fallback "
        "acts per request.",
        "Rebuild the stream with rate=0.5 and rng=SEED + 1, score the bare endpoint and a fresh "
        "service (rng=SEED + 3), then (service - bare) / (clean - bare).",
    ),
    Exercise(
        "05.4",
        close_to(_share_over_timeout, tol=0.003),
        "About one request in twenty: a long tail makes a timeout at twice the median bite "
        "more often than intuition says, and the measured share in the table agrees.",
        "P(latency > 90) = P(Z > log(90 / 40) / 0.5) for a standard normal Z: `norm.sf(...)`.",
    ),
)
