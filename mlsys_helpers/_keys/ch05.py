"""Chapter 05 · training vs serving. Keys are computed from the helper API with the chapter's
seeds (notebooks/.sources/05_training_vs_serving.py: ``SEED`` and the offsets documented there)."""

from __future__ import annotations

import functools
import math

from mlsys_helpers._keys import Exercise, Number, WholeNumber

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


SILENT_LOSS = 0.10  # exercise 05.1: "more than 10 points" less accurate than on clean requests
CAUGHT = 0.10  # exercise 05.2: "falls back on more than 10 % of the requests"
STRICT = 0.0  # exercise 05.2: the strict service's range_margin (the chapter's is 0.1)


@functools.cache
def _taxonomy() -> tuple:
    """Per corruption kind: (bare error share, bare accuracy); and the clean accuracy."""
    from mlsys_helpers.serve import CORRUPTIONS, bare_predict, corrupt_requests

    test, features, boosting, _, schema = _setup()
    y = test["target"].tolist()
    clean = bare_predict(boosting, test[features].to_dict("records"), schema=schema)
    rows = {}
    for kind in CORRUPTIONS:
        requests = corrupt_requests(test, rate=1.0, kinds=[kind], columns=features, rng=SEED + 1)
        bare = bare_predict(boosting, requests["request"], schema=schema)
        rows[kind] = (
            float((bare["error"] != "").mean()),
            _accuracy(bare["prediction"].tolist(), y),
        )
    return rows, _accuracy(clean["prediction"].tolist(), y)


def _silent_costly_kinds(loss: float = SILENT_LOSS, silent: bool = True) -> int:
    """Kinds answered without any error, yet more than ``loss`` less accurate than clean."""
    rows, clean = _taxonomy()
    return sum(
        (errors == 0 or not silent) and clean - accuracy > loss
        for errors, accuracy in rows.values()
    )


def _wrong_05_1() -> dict:
    rows, _ = _taxonomy()
    return {
        "any loss (> 0 points) instead of > 10": _silent_costly_kinds(0.0),
        "the loud kinds (errors > 50 %)": sum(e > 0.5 for e, _ in rows.values()),
        "every silent kind": sum(e == 0 for e, _ in rows.values()),
        "loud ones included": _silent_costly_kinds(silent=False),
        "> 5 points with the loud ones": _silent_costly_kinds(0.05, silent=False),
    }


@functools.cache
def _fallback_shares(range_margin: float) -> dict:
    """Share of requests the service falls back on, per skew, with ``range_margin``."""
    from mlsys_helpers.serve import ModelService, training_serving_skew

    test, features, boosting, rule, schema = _setup()
    frame = test[["timestamp", *features, "target"]]
    shares = {}
    for kind, column in SKEWS.items():
        _, skewed = training_serving_skew(frame, column=column, kind=kind, rng=SEED + 2)
        service = ModelService(
            boosting, schema=schema, fallback=rule, range_margin=range_margin, rng=SEED + 3
        )
        shares[kind] = float((service.predict_frame(skewed[features])["source"] != "model").mean())
    return shares


def _caught_by_strict_service(range_margin: float = STRICT, share: float = CAUGHT) -> int:
    return sum(s > share for s in _fallback_shares(range_margin).values())


def _wrong_05_2() -> dict:
    return {
        "the chapter's service (range_margin=0.1)": _caught_by_strict_service(0.1),
        "all three": len(SKEWS),
        "the name of the skew the chapter catches": "scaling",
        "> 50 % instead of > 10 %": _caught_by_strict_service(share=0.5),
    }


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


ASKED_TIMEOUT_MS = 120.0  # exercise 05.4 (the chapter's table measures the 90 ms timeout)


def _share_over_timeout(timeout_ms: float = ASKED_TIMEOUT_MS) -> float:
    """P(latency > timeout) for a log-normal latency: log-latency ~ Normal(log median, sigma)."""
    z = math.log(timeout_ms / MEDIAN_MS) / SIGMA
    return 0.5 * math.erfc(z / math.sqrt(2))


def _wrong_05_4() -> dict:
    z = math.log(ASKED_TIMEOUT_MS / MEDIAN_MS) / SIGMA
    return {
        "the 90 ms timeout of the table": _share_over_timeout(TIMEOUT_MS),
        "the cdf instead of the survival function": 1 - _share_over_timeout(),
        "log10 instead of the natural log": 0.5
        * math.erfc(math.log10(ASKED_TIMEOUT_MS / MEDIAN_MS) / SIGMA / math.sqrt(2)),
        "a normal latency in ms with sd 0.5 * median": 0.5
        * math.erfc((ASKED_TIMEOUT_MS - MEDIAN_MS) / (SIGMA * MEDIAN_MS) / math.sqrt(2)),
        "the z-score itself": z,
    }


def _wrong_05_3() -> dict:
    return {
        "the printed share at NOISE_RATE 0.3": _recovered_share(0.3),
        "the share not recovered": 1 - _recovered_share(0.5),
        "x100 (a percentage)": 100 * _recovered_share(0.5),
        "rate 0.5 with rate 0.3's seed offset": _recovered_share(0.4),
    }


EXERCISES = (
    Exercise(
        "05.1",
        WholeNumber(_silent_costly_kinds),
        "Two kinds are answered without a trace and cost more than ten points each: a unit "
        "change and outliers. Loud failures are the easy ones; the dangerous ones look like "
        "normal answers. (A NaN costs about five points: silent too, smaller.)",
        "In `taxonomy`, keep the kinds whose error share is zero and compare their bare accuracy "
        "with `clean_accuracy`; count those more than 0.10 below (an int).",
        wrong=_wrong_05_1,
    ),
    Exercise(
        "05.2",
        WholeNumber(_caught_by_strict_service),
        "Two: a strict range also refuses the income of 0 that the missing-field default sends "
        "(below the training minimum, but inside the 10 % margin, as in chapter 01). The "
        "trailing-mean income stays inside the range: validation cannot see skew inside it.",
        "Rebuild the skewed frames like the skew cell does and pass each to a "
        "`mh.serve.ModelService` created with range_margin=0.0 (rng=SEED + 3); count the skews "
        "whose share of answers with a 'source' other than 'model' exceeds 0.10.",
        wrong=_wrong_05_2,
    ),
    Exercise(
        "05.3",
        Number(_recovered_share, decimals=2, fraction=True),
        "Still most of the loss: defence scales with the noise, because each repair or fallback "
        "acts per request.",
        "Repeat the cells of section 3 with the new rate (a new stream, the bare endpoint and a "
        "fresh service with the same seeds), then apply the formula of `recovered`.",
        wrong=_wrong_05_3,
    ),
    Exercise(
        "05.4",
        Number(_share_over_timeout, decimals=3, fraction=True),
        "About one request in seventy: a long tail still bites at three times the median. The "
        "table's 90 ms timeout, at little more than twice the median, hits about one in twenty.",
        "Standardise the log of the timeout: subtract the log of the median and divide by the "
        "sigma; then you need the probability that a standard normal lies *above* that z "
        "(scipy.stats.norm has a function for it).",
        wrong=_wrong_05_4,
    ),
)
