"""Training/serving differences: noisy requests and training/serving skew (chapter 05).

* :func:`corrupt_requests` turns clean rows into the requests a real service receives (see
  :data:`CORRUPTIONS` for the taxonomy).
* :func:`training_serving_skew` / :func:`measure_skew` compute a feature one way offline and
  another way online, and measure what that costs.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlsys_helpers.train import TRUTH_COLUMNS, _check_frame, infer_task, score

__all__ = [
    "CORRUPTIONS",
    "SKEW_KINDS",
    "SkewResult",
    "corrupt_requests",
    "measure_skew",
    "training_serving_skew",
]

#: The serving-noise taxonomy used by :func:`corrupt_requests`.
CORRUPTIONS = (
    "missing_field",
    "nan",
    "inf",
    "string_number",
    "unit_change",
    "unseen_category",
    "outlier",
    "renamed_field",
    "extra_field",
    "reordered_fields",
)
_NUMERIC_KINDS = {"nan", "inf", "string_number", "unit_change", "outlier"}
_CATEGORICAL_KINDS = {"unseen_category"}


def _default_columns(frame: pd.DataFrame, target: str | None = "target") -> list[str]:
    skip = {target, "timestamp", *TRUTH_COLUMNS}
    return [c for c in frame.columns if c not in skip]


# ----------------------------------------------------------------------------- corruptions
def corrupt_requests(
    frame: pd.DataFrame,
    *,
    rate: float = 0.2,
    kinds: Sequence[str] = CORRUPTIONS,
    columns: Sequence[str] | None = None,
    unit_factor: float = 0.001,
    rng: object = None,
) -> pd.DataFrame:
    """Turn rows into JSON-like requests, a share of them corrupted the way production does.

    Each row becomes a dict of its ``columns``; with probability ``rate`` one corruption kind,
    drawn uniformly from ``kinds`` among those that apply (numeric kinds need a numeric column,
    ``unseen_category`` a categorical one), hits one random field:

    - ``missing_field``: the key is absent; ``nan``: the value is NaN; ``inf``: +/-inf;
    - ``string_number``: a number sent as text, ``"52000.0"``;
    - ``unit_change``: the number times ``unit_factor`` (default 0.001: dollars sent in thousands);
    - ``outlier``: the value moved by 10 standard deviations of its column;
    - ``unseen_category``: a category the training data never had (``"new_region"``);
    - ``renamed_field``: ``debt_ratio`` sent as ``DebtRatio``; ``extra_field``: an unexpected key
      ``debug_id`` is added; ``reordered_fields``: the keys arrive in another order.

    Parameters
    ----------
    frame : DataFrame
    rate : float in [0, 1], default 0.2
    kinds : sequence of str, default :data:`CORRUPTIONS`
    columns : sequence of str, optional
        Request fields; default every column except ``target``, ``timestamp`` and truth columns.
    unit_factor : float, default 0.001
    rng : None, int or Generator

    Returns
    -------
    DataFrame
        Indexed like ``frame``: ``request`` (dict), ``corruption`` (a kind or ``"none"``) and
        ``field`` (the field hit, or None).

    Examples
    --------
    >>> frame = pd.DataFrame({"income": [52000.0, 61000.0], "region": ["north", "south"]})
    >>> out = corrupt_requests(frame, rate=1.0, kinds=["string_number"], rng=0)
    >>> out["request"].tolist()
    [{'income': '52000.0', 'region': 'north'}, {'income': '61000.0', 'region': 'south'}]
    """
    _check_frame(frame)
    kinds, columns = _check_corrupt_arguments(frame, rate, kinds, columns)
    rng = np.random.default_rng(rng)
    numeric = [
        c
        for c in columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    categorical = [c for c in columns if c not in numeric]
    pools = {"numeric": numeric, "categorical": categorical, "any": columns}
    usable = [k for k in kinds if pools[_FIELD_KIND[k]]]
    if not usable:
        raise ValueError(
            f"kinds must include one that applies to the columns {columns} (numeric kinds need "
            f"a numeric column, unseen_category a categorical one), got {kinds}"
        )
    requests = frame[columns].to_dict("records")
    n = len(requests)
    hit = np.flatnonzero(rng.random(n) < rate)
    chosen = rng.choice(usable, size=len(hit)) if len(hit) else np.array([], dtype=str)
    spread = {c: float(np.nanstd(frame[c].to_numpy(dtype=float))) or 1.0 for c in numeric}
    corruption, where = np.full(n, "none", dtype=object), np.full(n, None, dtype=object)
    for i, kind in zip(hit, chosen, strict=True):
        pool = pools[_FIELD_KIND[kind]]
        name = pool[rng.integers(len(pool))]
        corrupt = _CORRUPT[kind]
        requests[i], where[i] = corrupt(
            requests[i], name, rng, spread=spread, unit_factor=unit_factor
        )
        corruption[i] = kind
    return pd.DataFrame(
        {"request": requests, "corruption": corruption, "field": where}, index=frame.index
    )


def _check_corrupt_arguments(
    frame: pd.DataFrame, rate: Any, kinds: Any, columns: Any
) -> tuple[list[str], list[str]]:
    """The kinds and columns to use, as lists; raise on a bad argument."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
        raise ValueError(f"rate must be a number in [0, 1], got {rate!r}")
    if isinstance(kinds, str):
        raise TypeError(f"kinds must be a sequence of corruption names, got str {kinds!r}")
    kinds = list(kinds)
    unknown = [k for k in kinds if k not in CORRUPTIONS]
    if unknown or not kinds:
        raise ValueError(f"kinds must be a non-empty subset of {CORRUPTIONS}, got {kinds}")
    columns = _default_columns(frame) if columns is None else list(columns)
    if not columns:
        raise ValueError("columns must name at least one column of frame, got []")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"frame must have the columns {columns}, missing {missing}")
    return kinds, columns


# One function per corruption kind: (request, field, rng) -> (request, field hit or None).
# Each may change ``request`` in place; the draws from ``rng`` are part of the seeded output.
def _missing_field(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    del request[name]
    return request, name


def _nan(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    request[name] = float("nan")
    return request, name


def _inf(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    request[name] = float(rng.choice([np.inf, -np.inf]))
    return request, name


def _string_number(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    request[name] = str(request.get(name))
    return request, name


def _unit_change(
    request: dict, name: str, rng: Any, *, unit_factor: float, **_: Any
) -> tuple[dict, str | None]:
    request[name] = request.get(name) * unit_factor
    return request, name


def _outlier(
    request: dict, name: str, rng: Any, *, spread: dict[str, float], **_: Any
) -> tuple[dict, str | None]:
    request[name] = request.get(name) + float(rng.choice([-10.0, 10.0])) * spread[name]
    return request, name


def _unseen_category(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    request[name] = f"new_{name}"
    return request, name


def _renamed_field(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    request[_camel(name)] = request.pop(name)
    return request, name


def _extra_field(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    request["debug_id"] = int(rng.integers(1_000_000))
    return request, "debug_id"


def _reordered_fields(request: dict, name: str, rng: Any, **_: Any) -> tuple[dict, str | None]:
    keys = list(request)
    return {k: request[k] for k in (keys[j] for j in rng.permutation(len(keys)))}, None


_CORRUPT = {
    "missing_field": _missing_field,
    "nan": _nan,
    "inf": _inf,
    "string_number": _string_number,
    "unit_change": _unit_change,
    "outlier": _outlier,
    "unseen_category": _unseen_category,
    "renamed_field": _renamed_field,
    "extra_field": _extra_field,
    "reordered_fields": _reordered_fields,
}
#: Which fields a kind can hit: numeric columns, categorical ones, or any request field.
_FIELD_KIND = {
    k: "numeric" if k in _NUMERIC_KINDS else "categorical" if k in _CATEGORICAL_KINDS else "any"
    for k in CORRUPTIONS
}


def _camel(name: str) -> str:
    renamed = "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\s-]+", name))
    return renamed if renamed != name else name.upper()


# ------------------------------------------------------------------------------------ skew
SKEW_KINDS = ("missing_default", "scaling", "window")


@dataclass(frozen=True)
class SkewResult:
    """What a training/serving skew costs: ``loss`` is how much worse online is (>0 = worse)."""

    kind: str
    column: str
    metric: str
    offline: float
    online: float
    loss: float


def training_serving_skew(
    frame: pd.DataFrame,
    *,
    column: str,
    kind: str,
    fraction: float = 0.3,
    default: float = 0.0,
    factor: float = 100.0,
    window: int = 24,
    time_column: str = "timestamp",
    rng: object = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same rows with ``column`` computed the offline way and the online way.

    - ``"missing_default"``: a ``fraction`` of rows lack the value. Offline it is NaN (the
      training pipeline imputes the median); online the client sends ``default`` instead.
    - ``"scaling"``: online sends the value times ``factor`` (a percentage instead of a ratio).
    - ``"window"``: offline the value at the row; online a trailing mean over the last
      ``window`` rows in time order (a feature store aggregating over another window).

    Returns
    -------
    offline, online : DataFrame
        New frames, same index and columns as ``frame``.

    Examples
    --------
    >>> frame = pd.DataFrame({"debt_ratio": [0.2, 0.4]})
    >>> offline, online = training_serving_skew(frame, column="debt_ratio", kind="scaling")
    >>> online["debt_ratio"].tolist()
    [20.0, 40.0]
    """
    _check_frame(frame)
    if column not in frame.columns or not pd.api.types.is_numeric_dtype(frame[column]):
        raise ValueError(f"column must be a numeric column of frame, got {column!r}")
    if kind not in SKEW_KINDS:
        raise ValueError(f"kind must be one of {SKEW_KINDS}, got {kind!r}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    if isinstance(window, bool) or not isinstance(window, numbers.Integral) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    offline, online = frame.copy(), frame.copy()
    values = frame[column].to_numpy(dtype=float)
    if kind == "missing_default":
        lost = np.random.default_rng(rng).random(len(frame)) < fraction
        offline[column] = np.where(lost, np.nan, values)
        online[column] = np.where(lost, default, values)
    elif kind == "scaling":
        online[column] = values * factor
    else:
        order = (
            np.argsort(frame[time_column].to_numpy(), kind="stable")
            if time_column in frame.columns
            else np.arange(len(frame))
        )
        rolled = pd.Series(values[order]).rolling(window, min_periods=1).mean().to_numpy()
        trailing = np.empty_like(values)
        trailing[order] = rolled
        online[column] = trailing
    return offline, online


def measure_skew(
    model: Any,
    frame: pd.DataFrame,
    *,
    column: str,
    kind: str,
    target: str = "target",
    rng: object = None,
    **params: Any,
) -> SkewResult:
    """Score a fitted model on the offline and the online version of a frame.

    Accuracy for classification, mean absolute error for regression (see
    :func:`mlsys_helpers.train.score`). ``params`` go to :func:`training_serving_skew`.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> gen = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"debt_ratio": gen.uniform(0, 1, 500)})
    >>> frame["target"] = (frame["debt_ratio"] > 0.5).astype(int)
    >>> model = LogisticRegression().fit(frame[["debt_ratio"]], frame["target"])
    >>> result = measure_skew(model, frame[["debt_ratio", "target"]], column="debt_ratio",
    ...                       kind="scaling")
    >>> result.offline > 0.9, round(result.online, 2)
    (True, 0.5)
    """
    _check_frame(frame)
    if target not in frame.columns:
        raise ValueError(f"target must be a column of frame, got {target!r}")
    offline, online = training_serving_skew(frame, column=column, kind=kind, rng=rng, **params)
    task = infer_task(frame[target])
    features = [c for c in frame.columns if c != target]
    y = frame[target]
    a = score(y, model.predict(offline[features]), task=task)
    b = score(y, model.predict(online[features]), task=task)
    metric = "accuracy" if task == "classification" else "mae"
    return SkewResult(kind, column, metric, a, b, a - b if metric == "accuracy" else b - a)
