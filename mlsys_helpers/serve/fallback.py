"""Who answers a request of :class:`~mlsys_helpers.serve.ModelService`, at what latency and cost.

- **The latency/cost model**: the model's latency is modelled, not measured: log-normal with
  median ``model_latency_ms`` and log-scale spread ``latency_sigma`` (:func:`_model_latencies`);
  a request the fallback answers because the model was too slow takes ``latency_budget_ms +
  fallback_latency_ms``, any other fallback answer ``fallback_latency_ms``; each model call
  costs ``cost_per_1k / 1000``, timed-out calls included, the fallback nothing
  (:func:`_request_cost`).
- **The fallback decision** (:func:`_decide`): a request whose reading found a fatal problem
  (see :mod:`~mlsys_helpers.serve.repairs`), or whose modelled latency is over the budget
  (:func:`_over_budget`), goes to the fallback, and so does one the model raised on
  (:func:`_call`); a request nothing could be read from is ``rejected``, as is one no fallback
  could answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsys_helpers.serve.repairs import NOTHING_READ, _clip, _Parsed

__all__: list[str] = []


# ------------------------------------------------------------------ latency and cost
def _model_latencies(rng: np.random.Generator, median_ms: float, sigma: float, n: int) -> Any:
    """``n`` modelled model latencies (ms): log-normal with this median and log-scale spread.

    >>> _model_latencies(np.random.default_rng(0), 20.0, 0.0, 2).tolist()
    [20.0, 20.0]
    """
    return median_ms * np.exp(sigma * rng.standard_normal(n))


def _over_budget(reason: str, model_ms: float, budget: float | None) -> bool:
    """Whether a readable request's modelled model latency is over the budget.

    >>> _over_budget("", 120.0, 100.0), _over_budget("", 120.0, None), _over_budget("x", 120.0, 100)
    (True, False, False)
    """
    return bool(not reason and budget is not None and model_ms > budget)


def _request_cost(paid: bool, cost_per_1k: float) -> float:
    """What one request costs: a model call (``paid``) costs ``cost_per_1k / 1000``.

    >>> _request_cost(True, 5.0), _request_cost(False, 5.0)
    (0.005, 0.0)
    """
    return cost_per_1k / 1000 if paid else 0.0


# ------------------------------------------------------------------ calling an estimator
def _frame(rows: list[dict], estimator: Any, columns: dict) -> pd.DataFrame:
    wanted = getattr(estimator, "feature_names_in_", None)
    names = columns if wanted is None else [c for c in wanted if c in columns]
    data = {}
    for name in names:
        values = [row[name] for row in rows]
        if columns[name].kind in ("numeric", "boolean"):
            data[name] = np.array(values, dtype=float)
        else:
            data[name] = pd.array(values, dtype=object)
    return pd.DataFrame(data)


def _call_batch(estimator: Any, rows: list[dict], columns: dict) -> list:
    out = np.asarray(estimator.predict(_frame(rows, estimator, columns)))
    if out.shape[:1] != (len(rows),):
        # the estimator broke its contract: reported as a "model error", the fallback answers
        raise ValueError(
            f"estimator.predict must return one value per row, got shape {out.shape} "
            f"for {len(rows)} rows"
        )
    return [v.item() if isinstance(v, np.generic) else v for v in out]


def _call(estimator: Any, rows: list[dict], columns: dict) -> tuple[list, list[str]]:
    """Predictions and per-row errors ("" when fine); a failing batch is retried row by row."""
    try:
        return _call_batch(estimator, rows, columns), [""] * len(rows)
    except Exception as error:  # noqa: BLE001 - a failing model must never crash the service
        if len(rows) == 1:
            return [None], [f"{type(error).__name__}: {_clip(str(error))}"]
    values, errors = [], []
    for row in rows:
        value, error = _call(estimator, [row], columns)
        values += value
        errors += error
    return values, errors


# ------------------------------------------------------------------ the decision
@dataclass
class _Answers:
    """Per request: what was answered, by whom, at what modelled latency, and why not the model."""

    prediction: list
    source: list
    latency_ms: list
    reason: list


def _ask_model(answers: _Answers, use: list[int], parsed: list[_Parsed], model_ms: Any, *,
               model: Any, columns: dict) -> None:  # fmt: skip
    out, errors = _call(model, [parsed[i].values for i in use], columns)
    for i, value, error in zip(use, out, errors, strict=True):
        if error:
            answers.reason[i] = f"model error: {error}"
        else:
            answers.prediction[i], answers.source[i] = value, "model"
            answers.latency_ms[i] = float(model_ms[i])


def _ask_fallback(answers: _Answers, need: list[int], parsed: list[_Parsed], *, fallback: Any,
                  columns: dict) -> None:  # fmt: skip
    if fallback is None:
        for i in need:
            answers.reason[i] += "; no fallback"
        return
    if hasattr(fallback, "predict"):
        out, errors = _call(fallback, [parsed[i].values for i in need], columns)
    else:
        out, errors = [fallback] * len(need), [""] * len(need)
    for i, value, error in zip(need, out, errors, strict=True):
        if error:
            answers.reason[i] += f"; fallback error: {error}"
        else:
            answers.prediction[i], answers.source[i] = value, "fallback"


def _decide(parsed: list[_Parsed], model_ms: Any, *, model: Any, fallback: Any, columns: dict,
            budget: float | None, fallback_ms: float) -> _Answers:  # fmt: skip
    """Answer every read request: the model if it may and can, else the fallback, else nobody."""
    n = len(parsed)
    answers = _Answers([None] * n, ["rejected"] * n, [fallback_ms] * n, [p.fatal for p in parsed])
    timed_out = [_over_budget(p.fatal, ms, budget) for p, ms in zip(parsed, model_ms, strict=True)]
    use = [i for i in range(n) if not parsed[i].fatal and not timed_out[i]]
    if use:
        _ask_model(answers, use, parsed, model_ms, model=model, columns=columns)
    for i in range(n):
        if timed_out[i]:
            answers.reason[i] = f"over latency budget ({model_ms[i]:.1f} ms > {budget:g} ms)"
            answers.latency_ms[i] = budget + fallback_ms
    need = [
        i for i in range(n) if answers.source[i] != "model" and answers.reason[i] != NOTHING_READ
    ]
    if need:
        _ask_fallback(answers, need, parsed, fallback=fallback, columns=columns)
    return answers
