"""Drift as data: describe a change with :class:`Drift`, put it into a frame with :func:`inject`.

A drift has a *kind* (what changes), a *pattern* (how it unfolds in time), a *magnitude*
(how severe it is) and a *fraction* (the share of rows it touches). This is the
shift-type x severity x fraction framing of Rabanser, Guennemann and Lipton, "Failing Loudly:
An Empirical Study of Methods for Detecting Dataset Shift" (NeurIPS 2019).

Kinds and what ``magnitude`` means
----------------------------------
covariate
    P(X) changes. Numeric ``column``: ``x -> mean + (x - mean) * scale + magnitude * std`` at
    full weight, so ``magnitude`` is a shift in standard deviations of the column (population
    std, ``ddof=0``, of the input column; a world uses its own reference std) and ``scale``
    (default 1) stretches the spread. Integer columns are rounded back to integers.
    Categorical or boolean ``column``: each affected row is moved to ``category`` with
    probability ``magnitude``, so ``magnitude`` in [0, 1] is the share of the category mix moved
    to ``category`` (default: the least frequent value).
prior
    P(y) changes, P(X | y) stays. ``magnitude`` in [0, 1] is the new share of class
    ``category`` (default 1 for a 0/1 or boolean label) in the label ``column``
    (default ``"target"``).
concept
    P(y | X) changes, P(X) stays. In a world, ``column`` names a feature whose contribution to
    the concept is multiplied by ``1 - 2 * magnitude``: 0.5 makes it irrelevant, 1 reverses it.
    On any other frame, :func:`inject` needs an explicit ``relabel`` rule and ``magnitude`` in
    [0, 1] is the probability that an affected row takes the new label (float labels move that
    share of the way instead).

Patterns and the ground truth ``drift_weight``
----------------------------------------------
Each row gets a ``drift_weight`` in [0, 1], how much of the new regime it carries. A row is
affected with probability ``fraction``; unaffected rows keep weight 0. For affected rows:
*sudden* gives 1 from ``start`` on; *gradual* makes each row either old (0) or new (1), the
probability of new rising linearly from 0 at ``start`` to 1 at ``start + width``;
*incremental* gives every row the weight ``clip((t - start) / width, 0, 1)`` and the parameters
move by that share; *recurring* gives 1 during the first half of every ``period`` after
``start`` and 0 during the second half. Several drifts combine by the maximum of their weights.

``start`` is a timestamp (string, ``datetime`` or ``pandas.Timestamp``) with ``width`` and
``period`` as ``Timedelta`` or strings such as ``"7D"``; or ``start`` is an integer row position
with integer ``width`` and ``period`` counted in rows (for frames without timestamps).
"""

from __future__ import annotations

import datetime as _dt
import numbers
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["KINDS", "PATTERNS", "DRIFT_WEIGHT", "Drift", "inject"]

KINDS = ("covariate", "prior", "concept")
PATTERNS = ("sudden", "gradual", "incremental", "recurring")
DRIFT_WEIGHT = "drift_weight"


def _check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _as_duration(name: str, value: Any, positional: bool) -> pd.Timedelta | int:
    if positional:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(
                f"{name} must be an int (rows) when start is a row position, "
                f"got {type(value).__name__}"
            )
        value = int(value)
    else:
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == 0:
            value = pd.Timedelta(0)
        elif isinstance(value, str | _dt.timedelta | np.timedelta64):
            try:
                value = pd.Timedelta(value)
            except ValueError as err:
                raise ValueError(f"{name} must be a duration like '7D', got {value!r}") from err
        else:
            raise TypeError(
                f"{name} must be a Timedelta or a string like '7D' when start is a timestamp, "
                f"got {type(value).__name__}"
            )
        if pd.isna(value):
            raise ValueError(f"{name} must be a duration, got NaT")
    if value < (0 if positional else pd.Timedelta(0)):
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _check_start(start: Any) -> tuple[pd.Timestamp | int, bool]:
    """``Drift.start`` as a Timestamp or an int row position, and whether it is a position."""
    if isinstance(start, bool):
        raise TypeError("start must be a timestamp or an int row position, got bool")
    if isinstance(start, numbers.Integral):
        if start < 0:
            raise ValueError(f"start must be >= 0 as a row position, got {start}")
        return int(start), True
    if isinstance(start, str | _dt.date | np.datetime64):
        try:
            ts = pd.Timestamp(start)
        except ValueError as err:
            raise ValueError(f"start must be a parseable timestamp, got {start!r}") from err
        if pd.isna(ts):
            raise ValueError("start must be a timestamp, got NaT")
        return ts, False
    raise TypeError(f"start must be a timestamp or an int row position, got {type(start).__name__}")


def _check_timing(pattern: str, width: Any, period: Any, positional: bool) -> tuple:
    """``Drift.width`` and ``Drift.period`` as durations (rows when ``positional``), checked
    against the pattern."""
    width = _as_duration("width", width, positional)
    zero = 0 if positional else pd.Timedelta(0)
    if pattern in ("sudden", "recurring") and width != zero:
        raise ValueError(f"width must be 0 for pattern {pattern!r}, got {width}")
    if pattern in ("gradual", "incremental") and width == zero:
        raise ValueError(f"width must be > 0 for pattern {pattern!r}, got {width}")
    if pattern == "recurring":
        if period is None:
            raise ValueError("period must be given for pattern 'recurring', got None")
        period = _as_duration("period", period, positional)
        if period == zero:
            raise ValueError(f"period must be > 0, got {period}")
    elif period is not None:
        raise ValueError(f"period must be None unless pattern is 'recurring', got {period!r}")
    return width, period


def _check_amounts(kind: str, magnitude: Any, fraction: Any, scale: Any) -> tuple:
    """``Drift.magnitude``, ``fraction`` and ``scale`` as floats in their ranges."""
    magnitude = _check_real("magnitude", magnitude)
    if kind == "prior" and not 0.0 <= magnitude <= 1.0:
        raise ValueError(f"magnitude must be in [0, 1] for prior drift, got {magnitude}")
    fraction = _check_real("fraction", fraction)
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    scale = _check_real("scale", scale)
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    if scale != 1.0 and kind != "covariate":
        raise ValueError(f"scale must be 1.0 unless kind is 'covariate', got {scale}")
    return magnitude, fraction, scale


def _check_target(kind: str, column: Any, category: Any) -> None:
    """``Drift.column`` and ``Drift.category`` against the kind."""
    if column is not None and not isinstance(column, str):
        raise TypeError(f"column must be a str or None, got {type(column).__name__}")
    if kind == "covariate" and column is None:
        raise ValueError("column must be given for covariate drift, got None")
    if category is not None and kind == "concept":
        raise ValueError(
            f"category must be None for concept drift (pass column instead), got {category!r}"
        )


@dataclass(frozen=True)
class Drift:
    """A change in the data-generating process, described as data.

    Parameters
    ----------
    kind : {"covariate", "prior", "concept"}
        What changes: P(X), P(y) or P(y | X) (see the module docstring).
    start : str, datetime, pandas.Timestamp or int
        When the change begins: a timestamp, or an integer row position.
    width : Timedelta, str or int, default 0
        Duration of the transition for "gradual" and "incremental" (must be > 0 there and 0
        for "sudden" and "recurring"). Rows when ``start`` is an int.
    pattern : {"sudden", "gradual", "incremental", "recurring"}, default "sudden"
    magnitude : float
        Severity; its meaning depends on ``kind`` (see the module docstring).
    column : str, optional
        Feature to move (covariate, required), label column (prior, concept on a frame; default
        "target") or feature whose effect changes (concept in a world; default: the world's).
    fraction : float, default 1.0
        Share of rows affected, in (0, 1].
    period : Timedelta, str or int, optional
        Length of one old/new cycle; required for "recurring" only.
    scale : float, default 1.0
        Covariate drift on a numeric column: factor applied to the spread around the mean.
    category : optional
        Covariate drift on a categorical column: the category that gains share. Prior drift:
        the class whose share becomes ``magnitude``.

    Examples
    --------
    >>> d = Drift("covariate", start="2024-03-01", pattern="gradual", width="7D",
    ...           magnitude=1.5, column="income")
    >>> d.width
    Timedelta('7 days 00:00:00')
    >>> import pandas as pd
    >>> d.schedule(pd.to_datetime(["2024-02-01 00:00", "2024-03-04 12:00", "2024-04-01 00:00"]))
    array([0. , 0.5, 1. ])
    """

    kind: str
    _: KW_ONLY
    start: pd.Timestamp | int
    width: pd.Timedelta | int = 0
    pattern: str = "sudden"
    magnitude: float
    column: str | None = None
    fraction: float = 1.0
    period: pd.Timedelta | int | None = None
    scale: float = 1.0
    category: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.pattern, str) or self.pattern not in PATTERNS:
            raise ValueError(f"pattern must be one of {PATTERNS}, got {self.pattern!r}")
        start, positional = _check_start(self.start)
        width, period = _check_timing(self.pattern, self.width, self.period, positional)
        magnitude, fraction, scale = _check_amounts(
            self.kind, self.magnitude, self.fraction, self.scale
        )
        _check_target(self.kind, self.column, self.category)
        for name, value in [
            ("start", start),
            ("width", width),
            ("period", period),
            ("magnitude", magnitude),
            ("fraction", fraction),
            ("scale", scale),
        ]:
            object.__setattr__(self, name, value)

    @property
    def positional(self) -> bool:
        """True when ``start``, ``width`` and ``period`` count rows instead of time.

        Examples
        --------
        >>> Drift("prior", start=100, magnitude=0.5).positional
        True
        """
        return isinstance(self.start, int)

    def _elapsed(self, when: Any) -> tuple[np.ndarray, float, float]:
        """Elapsed time since start (float, NaN for NaT), width and period in the same unit."""
        if self.positional:
            elapsed = np.asarray(when, dtype=float) - self.start
            width, period = float(self.width), float(self.period or 0)
        else:
            when = pd.DatetimeIndex(when)
            if (when.tz is None) != (self.start.tz is None):
                raise ValueError(
                    f"when must be tz-{'naive' if self.start.tz is None else 'aware'} like "
                    f"start={self.start}, got timestamps with tz={when.tz}"
                )
            delta = when - self.start
            elapsed = delta.to_numpy().astype("timedelta64[ns]").astype(np.int64).astype(float)
            elapsed[np.asarray(delta.isna())] = np.nan
            width = float(self.width.value)
            period = float(self.period.value) if self.period is not None else 0.0
        return elapsed, width, period

    def schedule(self, when: Any) -> np.ndarray:
        """Intensity of the new regime at each time, before ``fraction`` and row randomness.

        For "gradual" this is the probability that a row comes from the new regime; for the
        other patterns it is the weight every affected row carries.

        Parameters
        ----------
        when : array-like of timestamps, or of int row positions if ``start`` is an int

        Returns
        -------
        numpy.ndarray of float in [0, 1]

        Examples
        --------
        >>> Drift("prior", start=4, pattern="recurring", period=4, magnitude=0.5).schedule(
        ...     range(12))
        array([0., 0., 0., 0., 1., 1., 0., 0., 1., 1., 0., 0.])
        """
        elapsed, width, period = self._elapsed(when)
        with np.errstate(invalid="ignore"):
            if self.pattern in ("gradual", "incremental"):
                out = np.clip(elapsed / width, 0.0, 1.0)
            elif self.pattern == "recurring":
                out = ((elapsed >= 0) & (np.mod(elapsed, period) < period / 2)).astype(float)
            else:
                out = (elapsed >= 0).astype(float)
        return np.nan_to_num(out, nan=0.0)

    def on_probability(self, when: Any) -> tuple[np.ndarray, np.ndarray]:
        """Per-row probability of carrying the drift and the weight it then carries.

        Returns
        -------
        (probability, weight) : tuple of numpy.ndarray
            ``row_weights`` equals ``weight`` with probability ``probability`` and 0 otherwise.

        Examples
        --------
        >>> d = Drift("concept", start=0, pattern="gradual", width=4, magnitude=1.0,
        ...           fraction=0.5)
        >>> d.on_probability([0, 2, 4])
        (array([0.  , 0.25, 0.5 ]), array([1., 1., 1.]))
        """
        s = self.schedule(when)
        if self.pattern == "gradual":
            return self.fraction * s, np.ones_like(s)
        return np.full_like(s, self.fraction), s

    def row_weights(self, when: Any, *, rng: Any = None) -> np.ndarray:
        """Draw the realised ``drift_weight`` of each row (see the module docstring).

        Always draws two uniforms per row, so the random stream does not depend on the pattern.

        Examples
        --------
        >>> d = Drift("covariate", start=2, magnitude=1.0, column="x")
        >>> d.row_weights(range(5), rng=0)
        array([0., 0., 1., 1., 1.])
        """
        rng = np.random.default_rng(rng)
        s = self.schedule(when)
        affected = rng.random(s.shape[0]) < self.fraction
        u = rng.random(s.shape[0])
        if self.pattern == "gradual":
            return (affected & (u < s)).astype(float)
        return np.where(affected, s, 0.0)


# -- applying covariate drift (shared with world.py) -----------------------------------------


def _is_categorical(values: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _default_category(values: pd.Series) -> Any:
    counts = values.value_counts(dropna=True)
    if counts.empty:
        raise ValueError("category must be given when the column has no values, got None")
    return counts.sort_index(kind="stable").sort_values(kind="stable").index[0]


def _move_values(
    values: pd.Series,
    drift: Drift,
    weight: np.ndarray,
    rng: np.random.Generator,
    *,
    mean: float | None = None,
    std: float | None = None,
    category: Any = None,
) -> pd.Series:
    """Covariate drift on one column; ``mean``/``std``/``category`` default to the column's."""
    if _is_categorical(values):
        if not 0.0 <= drift.magnitude <= 1.0:
            raise ValueError(
                f"magnitude must be in [0, 1] for covariate drift on categorical column "
                f"{drift.column!r}, got {drift.magnitude}"
            )
        if category is None:
            category = drift.category if drift.category is not None else _default_category(values)
        move = rng.random(len(values)) < drift.magnitude * weight
        if isinstance(values.dtype, pd.CategoricalDtype):
            if category not in values.cat.categories:
                values = values.cat.add_categories([category])
            return values.mask(move, category)
        if pd.api.types.is_bool_dtype(values) and not isinstance(category, bool | np.bool_):
            raise ValueError(f"category must be a bool for boolean column, got {category!r}")
        return values.mask(move, category)
    x = values.to_numpy(dtype=float, na_value=np.nan)
    if mean is None:
        mean = float(np.nanmean(x)) if np.isfinite(x).any() else 0.0
    if std is None:
        std = float(np.nanstd(x)) if np.isfinite(x).any() else 0.0
    factor = 1.0 + weight * (drift.scale - 1.0)
    moved = mean + (x - mean) * factor + weight * drift.magnitude * std
    if pd.api.types.is_integer_dtype(values):
        moved = np.round(moved)
        if np.isnan(moved).any():
            return pd.Series(moved, index=values.index, name=values.name).astype("Int64")
    return pd.Series(moved, index=values.index, name=values.name).astype(values.dtype)


# -- inject ----------------------------------------------------------------------------------


def _when(frame: pd.DataFrame, drift: Drift, time_column: str) -> Any:
    if drift.positional:
        return np.arange(len(frame))
    if time_column in frame.columns:
        col = frame[time_column]
        if not pd.api.types.is_datetime64_any_dtype(col):
            raise TypeError(f"frame[{time_column!r}] must hold datetimes, got {col.dtype}")
        return col
    if isinstance(frame.index, pd.DatetimeIndex):
        return frame.index
    raise ValueError(
        f"frame must have a {time_column!r} column or a DatetimeIndex (or pass time_column=, or "
        "give the drift an int start, a row position), got neither"
    )


def _class_mask(labels: pd.Series, drift: Drift) -> tuple[np.ndarray, Any]:
    category = drift.category
    if category is None:
        uniq = set(labels.dropna().unique().tolist())
        if uniq <= {0, 1}:
            category = True if pd.api.types.is_bool_dtype(labels) else 1
        else:
            raise ValueError(
                f"category must be given for prior drift on a label with values other than 0/1, "
                f"got values such as {sorted(map(str, uniq))[:5]}"
            )
    return (labels == category).fillna(False).to_numpy(dtype=bool), category


def _inject_prior(frame, drift, weight, rng, time_column, method):
    label = drift.column or "target"
    if label not in frame.columns:
        raise ValueError(f"frame must have the columns {[label]} (the label), missing {[label]}")
    is_c, category = _class_mask(frame[label], drift)
    ref = weight == 0
    pi = is_c[ref].mean() if ref.any() else is_c.mean()
    if not 0.0 < pi < 1.0:
        raise ValueError(
            f"frame[{label!r}] must have rows both in and out of class {category!r} for prior "
            f"drift, got a share of {pi}"
        )
    rate = pi + weight * (drift.magnitude - pi)
    u = rng.random(len(frame))
    n = len(frame)
    if method == "drop":
        with np.errstate(divide="ignore", invalid="ignore"):
            keep_other = np.where(rate > pi, pi * (1 - rate) / (rate * (1 - pi)), 1.0)
            keep_c = np.where(rate < pi, rate * (1 - pi) / (pi * (1 - rate)), 1.0)
        keep = u < np.where(is_c, keep_c, keep_other)
        out = frame.loc[keep].copy()
        out[DRIFT_WEIGHT] = np.maximum(_old_weight(frame)[keep], weight[keep])
        return out
    # "resample": swap just enough rows for the desired share, donors drawn from the frame
    to_c = ~is_c & (u < (rate - pi) / (1 - pi))
    to_other = is_c & (u < (pi - rate) / pi)
    src = np.arange(n)
    src[to_c] = rng.choice(np.flatnonzero(is_c), size=int(to_c.sum()))
    src[to_other] = rng.choice(np.flatnonzero(~is_c), size=int(to_other.sum()))
    out = frame.take(src)
    out.index = frame.index
    if time_column in frame.columns:
        out[time_column] = frame[time_column].to_numpy()
    out[DRIFT_WEIGHT] = np.maximum(_old_weight(frame), weight)
    return out


def _inject_concept(frame, drift, weight, rng, relabel):
    label = drift.column or "target"
    if label not in frame.columns:
        raise ValueError(f"frame must have the columns {[label]} (the label), missing {[label]}")
    if relabel is None:
        raise ValueError(
            "relabel must be given for concept drift on a frame (a mapping old -> new label or a "
            "callable frame -> labels; worlds apply concept drift in world.sample(drifts=...)), "
            "got None"
        )
    if not 0.0 <= drift.magnitude <= 1.0:
        raise ValueError(f"magnitude must be in [0, 1] for concept drift, got {drift.magnitude}")
    old = frame[label]
    if isinstance(relabel, Mapping):
        new = old.map(lambda v: relabel.get(v, v))
    elif callable(relabel):
        new = pd.Series(np.asarray(relabel(frame.copy())), index=frame.index)
        if len(new) != len(frame):
            raise ValueError(f"relabel must return {len(frame)} labels, got {len(new)}")
    else:
        raise TypeError(f"relabel must be a mapping or a callable, got {type(relabel).__name__}")
    share = drift.magnitude * weight
    out = frame.copy()
    if pd.api.types.is_float_dtype(old):
        moved = old.to_numpy() + share * (new.to_numpy(dtype=float) - old.to_numpy())
        out[label] = pd.Series(moved, index=frame.index, dtype=old.dtype)
    else:
        take = rng.random(len(frame)) < share
        out[label] = old.mask(take, new.astype(old.dtype) if new.dtype != old.dtype else new)
    out[DRIFT_WEIGHT] = np.maximum(_old_weight(frame), weight)
    return out


def _old_weight(frame: pd.DataFrame) -> np.ndarray:
    if DRIFT_WEIGHT in frame.columns:
        return frame[DRIFT_WEIGHT].to_numpy(dtype=float)
    return np.zeros(len(frame))


def inject(
    frame: pd.DataFrame,
    drift: Drift,
    *,
    rng: Any = None,
    time_column: str = "timestamp",
    relabel: Mapping | Callable[[pd.DataFrame], Any] | None = None,
    method: str = "resample",
) -> pd.DataFrame:
    """Return a copy of ``frame`` with ``drift`` applied and ``drift_weight`` recorded.

    Works on any DataFrame, real data included. Rows are placed in time by ``time_column`` (or
    a DatetimeIndex), or by position when ``drift.start`` is an int. An existing
    ``drift_weight`` column is combined with the new weights by the maximum, so drifts can be
    chained.

    Parameters
    ----------
    frame : pandas.DataFrame
    drift : Drift
    rng : None, int or numpy.random.Generator
    time_column : str, default "timestamp"
    relabel : mapping or callable, optional
        Concept drift only (required there): the new labelling rule, either a mapping
        ``{old label: new label}`` (unmapped labels stay) or ``relabel(frame) -> labels``.
    method : {"resample", "drop"}, default "resample"
        Prior drift only. "resample" keeps the number of rows and the timestamps and replaces
        just enough rows of the over-represented class by rows of the other class drawn with
        replacement from the whole frame (P(X | y) is kept; copies become duplicates). "drop"
        removes rows of the over-represented class instead (no duplicates, fewer rows).
        Either way the class share of affected rows moves from its share among rows with
        weight 0 towards ``magnitude`` by the row's weight. Covariate drift applied to a
        sampled world frame leaves its labels as they are: use ``world.sample(drifts=...)`` to
        draw labels from the concept after the features moved.

    Returns
    -------
    pandas.DataFrame
        A new frame with the same columns plus ``drift_weight``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "target": [0, 1, 0, 1]})
    >>> out = inject(frame, Drift("covariate", start=2, magnitude=2.0, column="x"), rng=0)
    >>> out["x"].tolist(), out["drift_weight"].tolist()
    ([1.0, 2.0, 5.23..., 6.23...], [0.0, 0.0, 1.0, 1.0])
    >>> flipped = inject(frame, Drift("concept", start=2, magnitude=1.0), relabel={0: 1, 1: 0})
    >>> flipped["target"].tolist()
    [0, 1, 1, 0]
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(drift, Drift):
        raise TypeError(f"drift must be a Drift, got {type(drift).__name__}")
    if method not in ("resample", "drop"):
        raise ValueError(f"method must be 'resample' or 'drop', got {method!r}")
    if relabel is not None and drift.kind != "concept":
        raise ValueError(
            f"relabel must be None unless drift.kind is 'concept', got kind {drift.kind!r}"
        )
    rng = np.random.default_rng(rng)
    weight = drift.row_weights(_when(frame, drift, time_column), rng=rng)
    if drift.kind == "prior":
        return _inject_prior(frame, drift, weight, rng, time_column, method)
    if drift.kind == "concept":
        return _inject_concept(frame, drift, weight, rng, relabel)
    if drift.column not in frame.columns:
        raise ValueError(f"frame must have the columns {[drift.column]}, missing {[drift.column]}")
    out = frame.copy()
    out[drift.column] = _move_values(frame[drift.column], drift, weight, rng)
    out[DRIFT_WEIGHT] = np.maximum(_old_weight(frame), weight)
    return out
