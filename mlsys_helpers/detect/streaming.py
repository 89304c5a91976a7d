"""Streaming change detectors: one value at a time, river-style.

Every detector follows the same small protocol (the one of river's ``drift`` module):

- ``update(x) -> self`` feeds one value; after a detection the *next* ``update`` starts from a
  fresh state (ADWIN instead keeps the recent part of its window, as in the paper);
- ``drift_detected`` is True right after the update that raised the alarm;
- ``statistic`` and ``threshold``: the number the detector compares and its bound
  (an alarm means ``statistic > threshold``), for plotting;
- ``reset()`` forgets everything seen.

:func:`detect_changes` runs a detector over a whole sequence and returns the alarm indices. It
works on a fresh copy (the detector passed in is not touched) and takes a vectorised path for
:class:`PageHinkley` and :class:`CUSUM` that reports the same indices as the loop (see its notes).
ADWIN, which follows the same protocol, has a module of its own: :mod:`mlsys_helpers.detect.adwin`.

>>> from mlsys_helpers.detect import PageHinkley, detect_changes
>>> detect_changes(PageHinkley(threshold=5.0), [0.0] * 100 + [1.0] * 100)
[105]
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["CUSUM", "DDM", "PageHinkley", "detect_changes", "detector_trace"]

# Relative margin below which the vectorised paths re-run a segment with the exact loop, so that a
# rounding difference between cumulative sums and the one-at-a-time recursion can never flip an alarm.
_TIE_TOLERANCE = 1e-7
_BLOCK_FACTOR = 0.75  # first block of a new segment, relative to the previous segment
_BLOCK_GROWTH = 1.5  # each further block of a segment, relative to the one before
_cumsum = np.add.accumulate  # np.cumsum without its Python wrapper (same additions)


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = value >= 0 if allow_zero else value > 0
    if not np.isfinite(value) or not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")


def _as_value(x) -> float:
    """One stream value as a finite float64 (arithmetic then matches detect_changes whatever
    numeric type came in), or a clear error."""
    if not isinstance(x, str | bytes):  # float() would parse "1.5"
        try:
            value = float(x)
        except (TypeError, ValueError):
            pass
        else:
            if math.isfinite(value):
                return value
            raise ValueError(f"x must be a finite number, got {x!r}")
    raise TypeError(f"x must be a number, got {type(x).__name__} {x!r}")


def _check_mode(mode: str) -> None:
    if mode not in ("up", "down", "both"):
        raise ValueError(f"mode must be 'up', 'down' or 'both', got {mode!r}")


class _Detector:
    """Shared plumbing: the drift flag, reset and a readable repr."""

    _params: tuple[str, ...] = ()

    def __repr__(self) -> str:
        args = ", ".join(f"{p}={getattr(self, p)!r}" for p in self._params)
        return f"{type(self).__name__}({args})"

    @property
    def drift_detected(self) -> bool:
        """Whether the last update raised an alarm."""
        return self._drift_detected

    def reset(self):
        """Forget everything seen; returns self."""
        self._reset()
        return self

    def _changes(self, x: np.ndarray) -> list[int]:
        """Alarm indices over ``x`` from a fresh state (detect_changes calls it on a copy);
        detectors with a vectorised path override it."""
        self.reset()
        return _run_loop(self, x.tolist())


class PageHinkley(_Detector):
    """Page-Hinkley test for a change in the mean (same recursion and defaults as river 0.26).

    With running mean :math:`\\bar x_t`, the two cumulative sums are
    :math:`U_t = \\alpha U_{t-1} + (x_t - \\bar x_t) - \\delta` and
    :math:`L_t = \\alpha L_{t-1} + (x_t - \\bar x_t) + \\delta`; the alarm fires when
    ``U_t - min U > threshold`` (increase) or ``max L - L_t > threshold`` (decrease), once at
    least ``min_instances`` values were seen. The detector restarts after an alarm.

    Parameters
    ----------
    min_instances : int
        Values needed before an alarm may fire.
    delta : float
        Magnitude of change tolerated (drift allowance).
    threshold : float
        Alarm threshold (lambda), in the units of the stream.
    alpha : float
        Forgetting factor in (0, 1]; ``1`` is the textbook test.
    mode : {"both", "up", "down"}
        Which direction of change to watch.

    Examples
    --------
    river's documented stream gives river's documented index:

    >>> import random
    >>> r = random.Random(12345)
    >>> stream = r.choices([0, 1], k=1000) + r.choices(range(4, 8), k=1000)
    >>> detect_changes(PageHinkley(), stream)
    [1006]
    """

    _params = ("min_instances", "delta", "threshold", "alpha", "mode")

    def __init__(
        self, min_instances=30, delta=0.005, threshold=50.0, alpha=1 - 0.0001, mode="both"
    ):
        if int(min_instances) != min_instances or min_instances < 1:
            raise ValueError(f"min_instances must be an integer >= 1, got {min_instances!r}")
        _check_positive("delta", delta, allow_zero=True)
        _check_positive("threshold", threshold)
        if not 0 < alpha <= 1:
            raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
        _check_mode(mode)
        self.min_instances = int(min_instances)
        self.delta = float(delta)
        self.threshold = float(threshold)
        self.alpha = float(alpha)
        self.mode = mode
        self._reset()

    def _changes(self, x: np.ndarray) -> list[int]:
        return _vectorised(self, x)

    def _reset(self) -> None:
        self._drift_detected = False
        self._n = 0
        self._mean = 0.0
        self._sum_increase = 0.0
        self._sum_decrease = 0.0
        self._min_increase = math.inf
        self._max_decrease = -1.0
        self.statistic = 0.0

    def update(self, x):
        """Feed one value; returns self."""
        if type(x) is not float or x - x:  # x - x: 0.0 for a finite float, NaN (truthy) if not
            x = _as_value(x)
        if self._drift_detected:
            self._reset()
        self._n += 1
        self._mean += (1.0 / self._n) * (x - self._mean)  # river's stats.Mean, same rounding
        dev = x - self._mean
        self._sum_increase = self.alpha * self._sum_increase + dev - self.delta
        self._sum_decrease = self.alpha * self._sum_decrease + dev + self.delta
        self._min_increase = min(self._min_increase, self._sum_increase)
        self._max_decrease = max(self._max_decrease, self._sum_decrease)
        if self._n >= self.min_instances:
            up = self._sum_increase - self._min_increase
            down = self._max_decrease - self._sum_decrease
            self.statistic = {"up": up, "down": down, "both": max(up, down)}[self.mode]
            self._drift_detected = self.statistic > self.threshold
        return self

    def _scan(self, x: np.ndarray, state: tuple) -> tuple[int, tuple, float]:
        """Vectorised run over ``x`` from ``state``: first alarm (or -1), end state, closest margin.

        The recursion S_k = alpha S_{k-1} + d_k is solved in closed form within the block,
        S_k = alpha^k (S_0 + sum_j alpha^-j d_j); blocks are short enough that alpha^-k stays
        below e^300.
        """
        n0, total0, up0, down0, min0, max0 = state
        k = len(x)
        grow, shrink, two_delta_g, inv_n = self._tables(n0, k)
        dev = _cumsum(x)  # (ufunc calls directly: the wrappers cost more than short blocks)
        if total0:
            dev += total0
        total = float(dev[-1])
        dev *= inv_n  # running mean
        np.subtract(x, dev, out=dev)
        dev -= self.delta
        if self.alpha == 1.0:
            up = _cumsum(dev, out=dev)
            if up0:
                up += up0
        else:
            dev *= grow
            up = _cumsum(dev, out=dev)
            if up0:
                up += up0
            up *= shrink
        # the decrease sum differs by 2 delta per step: L_k = U_k + alpha^k (L_0 - U_0) + 2 delta G_k
        down = np.add(up, two_delta_g)
        if down0 != up0:
            down += shrink * (down0 - up0)
        # running extremes including the carried ones: fold them into the first element
        first_up, first_down = up[0], down[0]
        up[0], down[0] = min(first_up, min0), max(first_down, max0)
        min_up = np.minimum.accumulate(up)
        max_down = np.maximum.accumulate(down)
        up[0], down[0] = first_up, first_down
        end = (n0 + k, total, up[-1], down[-1], min_up[-1], max_down[-1])
        if self.mode == "up":
            stat = np.subtract(up, min_up, out=min_up)
        elif self.mode == "down":
            stat = np.subtract(max_down, down, out=max_down)
        else:
            stat = np.subtract(up, min_up, out=min_up)
            np.maximum(stat, np.subtract(max_down, down, out=max_down), out=stat)
        if n0 < self.min_instances - 1:
            stat[: self.min_instances - 1 - n0] = -np.inf
        first, margin = _first_and_margin(stat, self.threshold)
        return first, end, margin

    def _start(self, x: np.ndarray, i: int) -> tuple[int, tuple] | None:
        """Where the scan of a segment starting at ``i`` begins, and its fresh state."""
        return i, (0, 0.0, 0.0, 0.0, math.inf, -1.0)

    def _tables(self, n0: int, k: int) -> tuple[np.ndarray, ...]:
        """alpha^-j, alpha^j, 2 delta G_j (G_j = sum_{i<j} alpha^i) for j = 1..k, and 1/n."""
        cache = getattr(self, "_table_cache", None)
        if cache is None or len(cache[0]) < k or len(cache[3]) < n0 + k:
            size = max(k, 1024, 0 if cache is None else len(cache[0]))
            j = np.arange(1, size + 1, dtype=float)
            if self.alpha == 1.0:
                grow = shrink = np.ones_like(j)
                geometric = j
            else:
                log_alpha = math.log(self.alpha)
                shrink = np.exp(j * log_alpha)
                grow = np.exp(-j * log_alpha)
                geometric = (1.0 - shrink) / (1.0 - self.alpha)
            inv_n = 1.0 / np.arange(1, max(2 * (n0 + k), 1024) + 1, dtype=float)
            cache = (grow, shrink, 2.0 * self.delta * geometric, inv_n)
            self._table_cache = cache
        grow, shrink, two_delta_g, inv_n = cache
        return grow[:k], shrink[:k], two_delta_g[:k], inv_n[n0 : n0 + k]

    def _max_block(self) -> int:
        # blocks stay in cache, and short enough that alpha^-k < e^300
        return (
            1 << 14
            if self.alpha == 1.0
            else max(64, min(1 << 14, int(300 / -math.log(self.alpha))))
        )


class CUSUM(_Detector):
    """Two-sided tabular CUSUM (Page 1954) on standardised values.

    The first ``warm_up`` values after a (re)start estimate the in-control mean and standard
    deviation (``np.mean`` and ``np.std(ddof=1)``; a constant warm-up gives scale 1) unless
    ``target``/``scale`` are given. Then with :math:`z_t = (x_t - \\mu)/\\sigma`:
    :math:`S^+_t = \\max(0, S^+_{t-1} + z_t - k)`, :math:`S^-_t = \\max(0, S^-_{t-1} - z_t - k)`,
    alarm when either exceeds ``h`` (so ``k`` and ``h`` are in standard deviations; the textbook
    choice k = 0.5, h = 5 detects a one-sigma shift quickly with an in-control run length ~ 900).
    The detector restarts (and re-estimates) after an alarm.

    Parameters
    ----------
    k : float
        Allowance (slack) in standard deviations.
    h : float
        Decision threshold in standard deviations.
    warm_up : int
        Values used to estimate ``target`` and ``scale`` when they are None.
    target, scale : float, optional
        Known in-control mean and standard deviation.
    mode : {"both", "up", "down"}
        Which direction of change to watch.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=400)
    >>> x[200:] += 2.0
    >>> detect_changes(CUSUM(warm_up=100), x)
    [204]
    """

    _params = ("k", "h", "warm_up", "target", "scale", "mode")

    def __init__(self, k=0.5, h=5.0, warm_up=30, target=None, scale=None, mode="both"):
        _check_positive("k", k, allow_zero=True)
        _check_positive("h", h)
        if int(warm_up) != warm_up or warm_up < 2:
            raise ValueError(f"warm_up must be an integer >= 2, got {warm_up!r}")
        if scale is not None:
            _check_positive("scale", scale)
        _check_mode(mode)
        self.k, self.h, self.warm_up = float(k), float(h), int(warm_up)
        self.target, self.scale, self.mode = target, scale, mode
        self.threshold = self.h
        self._reset()

    def _changes(self, x: np.ndarray) -> list[int]:
        return _vectorised(self, x)

    def _reset(self) -> None:
        self._drift_detected = False
        self._buffer: list[float] = []
        self._mu = self.target
        self._sigma = self.scale
        self._pos = 0.0
        self._neg = 0.0
        self.statistic = 0.0

    def _needs_warm_up(self) -> bool:
        return self._mu is None or self._sigma is None

    def _finish_warm_up(self, values) -> None:
        values = np.asarray(values, dtype=float)
        if self._mu is None:
            self._mu = float(np.mean(values))
        if self._sigma is None:
            sd = float(np.std(values, ddof=1))
            self._sigma = sd if sd > 0 else 1.0

    def _start(self, x: np.ndarray, i: int) -> tuple[int, tuple] | None:
        """Where the scan of a segment starting at ``i`` begins (after the warm-up) and its
        state; None when the rest of ``x`` is too short to finish the warm-up."""
        if self._needs_warm_up():
            if len(x) - i < self.warm_up:
                return None
            self._finish_warm_up(x[i : i + self.warm_up])
            i += self.warm_up
        return i, (self._mu, self._sigma, 0.0, 0.0)

    def _max_block(self) -> int:
        return 1 << 14

    def update(self, x):
        """Feed one value; returns self."""
        if type(x) is not float or x - x:  # x - x: 0.0 for a finite float, NaN (truthy) if not
            x = _as_value(x)
        if self._drift_detected:
            self._reset()
        if self._needs_warm_up():
            self._buffer.append(float(x))
            if len(self._buffer) == self.warm_up:
                self._finish_warm_up(self._buffer)
            return self
        z = (x - self._mu) / self._sigma
        self._pos = max(0.0, self._pos + z - self.k)
        self._neg = max(0.0, self._neg - z - self.k)
        self.statistic = {"up": self._pos, "down": self._neg, "both": max(self._pos, self._neg)}[
            self.mode
        ]
        self._drift_detected = self.statistic > self.h
        return self

    def _scan(self, x: np.ndarray, state: tuple) -> tuple[int, tuple, float]:
        mu, sigma, pos0, neg0 = state
        z = (x - mu) / sigma
        zp = _cumsum(z - self.k)
        zn = _cumsum(-z - self.k)
        # max(0, .) recursion = reflected random walk: S_t = Z_t - min(-S_0, min_{i<=t} Z_i)
        pos = zp - np.minimum(np.minimum.accumulate(zp), -pos0)
        neg = zn - np.minimum(np.minimum.accumulate(zn), -neg0)
        stat = {"up": pos, "down": neg, "both": np.maximum(pos, neg)}[self.mode]
        first, margin = _first_and_margin(stat, self.h)
        return first, (mu, sigma, pos[-1], neg[-1]), margin


class DDM(_Detector):
    """Drift Detection Method (Gama et al. 2004) on a 0/1 error stream; river 0.26 semantics.

    With error rate :math:`p_i` and :math:`s_i = \\sqrt{p_i(1-p_i)/i}`, the minimum of
    :math:`p_i + s_i` (after ``warm_start`` values) is remembered as :math:`(p_{min}, s_{min})`;
    a warning is raised when :math:`p_i + s_i > p_{min} + w\\,s_{min}` and an alarm when
    :math:`p_i + s_i > p_{min} + d\\,s_{min}`. ``statistic`` is
    :math:`(p_i + s_i - p_{min}) / s_{min}`, compared with ``drift_threshold``.

    Parameters
    ----------
    warm_start : int
        Values needed before warnings or alarms.
    warning_threshold, drift_threshold : float
        The multipliers ``w`` and ``d`` (defaults: 2 and 3 standard deviations).

    Examples
    --------
    river's documented stream gives river's documented index:

    >>> import random
    >>> r = random.Random(42)
    >>> stream = r.choices([0, 1], k=1000)
    >>> stream = stream + r.choices([0, 1], k=1000, weights=[0.3, 0.7])
    >>> detect_changes(DDM(), stream)
    [1334]
    """

    _params = ("warm_start", "warning_threshold", "drift_threshold")

    def __init__(self, warm_start=30, warning_threshold=2.0, drift_threshold=3.0):
        if int(warm_start) != warm_start or warm_start < 0:
            raise ValueError(f"warm_start must be an integer >= 0, got {warm_start!r}")
        _check_positive("warning_threshold", warning_threshold)
        _check_positive("drift_threshold", drift_threshold)
        self.warm_start = int(warm_start)
        self.warning_threshold = float(warning_threshold)
        self.drift_threshold = float(drift_threshold)
        self.threshold = self.drift_threshold
        self._reset()

    def _reset(self) -> None:
        self._drift_detected = False
        self._warning_detected = False
        self._n = 0
        self._p = 0.0
        self._p_min = math.nan
        self._s_min = math.nan
        self._ps_min = math.inf
        self.statistic = 0.0

    @property
    def warning_detected(self) -> bool:
        """Whether the last update is in the warning zone."""
        return self._warning_detected

    def update(self, x):
        """Feed one value (1 = error, 0 = correct); returns self."""
        if x != 0 and x != 1:
            raise ValueError(f"x must be 0 or 1 for DDM (1 = error), got {x!r}")
        x = float(x)
        if self._drift_detected:
            self._reset()
        self._n += 1
        self._p += (1.0 / self._n) * (x - self._p)
        s = math.sqrt(self._p * (1 - self._p) / self._n)
        if self._n > self.warm_start:
            if self._p + s <= self._ps_min:
                self._p_min, self._s_min = self._p, s
                self._ps_min = self._p + s
            excess = self._p + s - self._p_min
            self.statistic = (
                excess / self._s_min if self._s_min > 0 else (math.inf if excess > 0 else 0.0)
            )
            self._warning_detected = excess > self.warning_threshold * self._s_min
            if excess > self.drift_threshold * self._s_min:
                self._drift_detected = True
                self._warning_detected = False
        return self


def _first_and_margin(stat: np.ndarray, threshold: float) -> tuple[int, float]:
    """First index with ``stat > threshold`` (or -1) and the closest approach to the threshold."""
    top = float(stat[stat.argmax()])  # (argmax + index: cheaper than .max() on short blocks)
    if top <= threshold:
        return -1, threshold - top
    first = int((stat > threshold).argmax())
    margin = float(stat[first]) - threshold
    if first > 0:
        head = stat[:first]
        margin = min(margin, threshold - float(head[head.argmax()]))
    return first, margin


def _run_loop(detector, values) -> list[int]:
    hits = []
    for i, x in enumerate(values):
        if detector.update(x).drift_detected:
            hits.append(i)
    return hits


def _vectorised(detector, x: np.ndarray) -> list[int]:
    """Blockwise scan with carried state (the detector gives ``_start``, ``_scan`` and
    ``_max_block``); segments near a tie are re-run with the exact loop."""
    hits: list[int] = []
    i, n = 0, len(x)
    max_block = detector._max_block()
    block = min(1024, max_block)
    while i < n:
        det = detector.reset()
        begun = det._start(x, i)
        if begun is None:
            break
        j, state = begun
        found, first = -1, -1
        while j < n:
            first, state, margin = det._scan(x[j : j + block], state)
            if margin <= _TIE_TOLERANCE * max(1.0, det.threshold):
                first = -2  # too close to call with cumulative sums
                break
            if first >= 0:
                found = j + first
                break
            j += block
            block = min(int(block * _BLOCK_GROWTH), max_block)
        if first == -2:  # exact loop for this segment only
            det.reset()
            for k in range(i, n):
                if det.update(x[k]).drift_detected:
                    found = k
                    break
        if found < 0:
            break
        hits.append(found)
        block = min(max(256, int((found - i + 1) * _BLOCK_FACTOR)), max_block)
        i = found + 1
    return hits


def _as_values(values) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {x.shape}")
    if np.isnan(x).any():
        raise ValueError(
            f"values must not contain missing values, got {int(np.isnan(x).sum())} NaN"
        )
    return x


def detect_changes(detector, values: Iterable[float]) -> list[int]:
    """Indices at which ``detector`` raises an alarm over ``values``.

    The detector passed in is not modified: a fresh copy with the same parameters is run.
    :class:`PageHinkley` and :class:`CUSUM` take a vectorised path (cumulative sums and a linear
    filter) that reports the same indices as the one-at-a-time loop: any segment in which the
    vectorised statistic comes within 1e-7 (relative) of the threshold is re-run with the exact
    loop, so rounding differences cannot flip an alarm. :class:`~mlsys_helpers.detect.ADWIN`
    builds its prefix sums for the whole stream with the same floating-point operations as
    ``update``, screens many checks at once and lets its own check decide every check that comes
    near the bound. Other detectors (anything with ``update`` and ``drift_detected``, river's
    included) are run in a loop.

    Parameters
    ----------
    detector : object
        A detector with ``update(x)`` and ``drift_detected``.
    values : array-like of float
        The stream, one-dimensional, without missing values.

    Returns
    -------
    list of int
        Zero-based positions of the values after which an alarm was raised.

    Examples
    --------
    With a fixed target each restart keeps the old mean, so a lasting shift keeps alarming
    (z = 3, k = 0.5: the sum grows by 2.5 per value and passes h = 5 at the third):

    >>> detect_changes(CUSUM(target=0.0, scale=1.0), [0.0] * 50 + [3.0] * 10)
    [52, 55, 58]
    """
    if not (hasattr(detector, "update") and hasattr(detector, "drift_detected")):
        raise TypeError(
            f"detector must have update(x) and drift_detected, got {type(detector).__name__}"
        )
    x = _as_values(values)
    det = copy.deepcopy(detector)
    if isinstance(det, _Detector):
        return det._changes(x)
    return _run_loop(det, x.tolist())


def detector_trace(detector, values: Iterable[float]) -> pd.DataFrame:
    """Run a fresh copy of ``detector`` and record its statistic after every value.

    Parameters
    ----------
    detector : PageHinkley, CUSUM, DDM or ADWIN
        The detector (not modified).
    values : array-like of float
        The stream.

    Returns
    -------
    pandas.DataFrame
        One row per value: ``index``, ``value``, ``statistic``, ``threshold``, ``drift`` (bool).
        An alarm means ``statistic > threshold``.

    Examples
    --------
    >>> trace = detector_trace(PageHinkley(threshold=5.0), [0.0] * 100 + [1.0] * 100)
    >>> int(trace.index[trace["drift"]][0]), list(trace.columns)
    (105, ['index', 'value', 'statistic', 'threshold', 'drift'])
    """
    if not isinstance(detector, _Detector):
        raise TypeError(f"detector must be one of ours, got {type(detector).__name__}")
    x = _as_values(values)
    det = copy.deepcopy(detector).reset()
    stat = np.empty(len(x))
    drift = np.zeros(len(x), dtype=bool)
    for i, v in enumerate(x.tolist()):
        det.update(v)
        stat[i] = det.statistic
        drift[i] = det.drift_detected
    return pd.DataFrame(
        {
            "index": np.arange(len(x)),
            "value": x,
            "statistic": stat,
            "threshold": det.threshold,
            "drift": drift,
        }
    )
