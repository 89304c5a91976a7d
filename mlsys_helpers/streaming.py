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

These names are re-exported by :mod:`mlsys_helpers.detect`; import them from there.

>>> from mlsys_helpers.detect import PageHinkley, detect_changes
>>> detect_changes(PageHinkley(threshold=5.0), [0.0] * 100 + [1.0] * 100)
[105]
"""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["ADWIN", "CUSUM", "DDM", "PageHinkley", "detect_changes", "detector_trace"]

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

    _fresh_state = (0, 0.0, 0.0, 0.0, math.inf, -1.0)

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

    def update(self, x):
        """Feed one value; returns self."""
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
            raise ValueError(f"DDM expects 0/1 values (1 = error), got {x!r}")
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


class ADWIN(_Detector):
    """ADaptive WINdowing (Bifet & Gavaldà 2007): drop the old part of the window when it differs.

    The window W holds every value since the last cut (prefix sums of the values, a running sum
    of their squares, so memory is O(|W|) rather than ADWIN2's O(log |W|); the cut checks are the
    same). Every ``clock``
    updates, once ``|W| > grace_period``, the detector checks the cuts W = W0 + W1 whose recent
    part W1 has a size on the exponential-histogram ladder ADWIN2 uses: ``max_buckets`` sizes
    each at steps 1, 2, 4, ... (1..5, 7, 9, ..., 15, 19, ..., so O(log |W|) cuts); cuts leaving
    fewer than ``min_window_length`` values on either side are skipped. A cut is significant when
    ``|mean(W0) - mean(W1)| > eps`` with the Bernstein-type bound of ADWIN2 (as river computes it):
    ``eps = sqrt(2 * v * var(W) * d) + 2/3 * d * v``, where ``d = ln(2 ln|W| / delta)``,
    ``v = 1/(n0 - mwl + 1) + 1/(n1 - mwl + 1)`` and ``var(W)`` is the population variance of W.
    On an alarm the old part W0 of the oldest significant cut (the smallest W0) is dropped and
    the checks repeat until no cut is significant. ``statistic`` is the largest
    ``|mean diff| / eps`` of the last check, before any cut (alarm when > 1). Unlike river
    (>= 0.22), the window is not emptied after an alarm: the recent part is kept, as in the
    paper. With river's defaults it reports river's index on river's documented example, and
    the first alarm on most 0.2 -> 0.4 step streams (26 of the 30 in the tests) is the same.

    Parameters
    ----------
    delta : float
        Confidence parameter (smaller: fewer false alarms, later detection).
    clock : int
        Check for cuts every ``clock`` updates.
    max_buckets : int
        Cut sizes per step on the ladder (ADWIN2's M).
    min_window_length : int
        Minimum size of W0 and W1 in a cut.
    grace_period : int
        No checks until the window holds more than this many values.

    Examples
    --------
    >>> import random
    >>> r = random.Random(12345)
    >>> stream = r.choices([0, 1], k=1000) + r.choices(range(4, 8), k=1000)
    >>> detect_changes(ADWIN(), stream)
    [1023]
    """

    _params = ("delta", "clock", "max_buckets", "min_window_length", "grace_period")
    # a plain attribute here (set by every update), not the base class's property: it is read
    # after every update, and this is the detector whose updates must be cheap
    drift_detected = False

    def __init__(self, delta=0.002, clock=32, max_buckets=5, min_window_length=5, grace_period=10):
        if not 0 < delta < 1:
            raise ValueError(f"delta must be in (0, 1), got {delta!r}")
        for name, value in [
            ("clock", clock),
            ("max_buckets", max_buckets),
            ("min_window_length", min_window_length),
        ]:
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if int(grace_period) != grace_period or grace_period < 0:
            raise ValueError(f"grace_period must be an integer >= 0, got {grace_period!r}")
        self.delta = float(delta)
        self.clock = int(clock)
        self.max_buckets = int(max_buckets)
        self.min_window_length = int(min_window_length)
        self.grace_period = int(grace_period)
        self.threshold = 1.0
        steps = np.repeat(2.0 ** np.arange(48), self.max_buckets)
        ladder = np.cumsum(steps).astype(np.int64)
        self._ladder = ladder[ladder >= self.min_window_length]
        self._ladder_list = self._ladder.tolist()
        # per number of cuts k: the largest W1 size, the offsets that pick the cut positions out
        # of a slice ending at the window's end (position end - n1 = (end - top) + (top - n1)),
        # 1 / n1 and 1 / (n1 - min_window_length + 1); built on first use
        self._parts: dict[int, tuple] = {}
        self._reciprocals = np.zeros(1)  # 1 / m for m = 0, 1, 2, ... (1/0 stored as 0, unused)
        self._reset()

    def _reset(self) -> None:
        self.drift_detected = False
        self._buffer: list[float] = []  # values not yet checked (fewer than ``clock``)
        self._sums = np.zeros(1024)  # prefix sums of the values since position _base; [0] = 0
        self._base = 0  # stream position of _sums[0] (prefix sums left of the window are dropped)
        self._shift = None  # values are stored minus the first value, for a stable variance
        self._end = 0  # number of values stored, relative to _base
        self._start = 0  # oldest value of the window, relative to _base
        # sums of squares: a running total at the end, and at the start of the window; the raw
        # values (in chunks of ``clock``) let a new start's total be summed when a cut moves it
        self._q_end = 0.0
        self._q_start = 0.0
        self._chunks: list[list[float]] = []
        self._chunk_ends: list[int] = []  # stream position after each chunk
        self._chunk_q: list[float] = []  # sum of squares up to there
        self._squares = None  # detect_changes sets all prefix sums of squares at once instead
        self.n_detections = 0
        self.statistic = 0.0

    @property
    def width(self) -> int:
        """Number of values in the window (including those not yet checked)."""
        return self._end - self._start + len(self._buffer)

    @property
    def estimation(self) -> float:
        """Mean of the window."""
        if self.width == 0:
            return 0.0
        total = float(self._sums[self._end] - self._sums[self._start])
        if self._buffer:
            shift = self._buffer[0] if self._shift is None else self._shift
            total += sum(v - shift for v in self._buffer)
        else:
            shift = self._shift
        return total / self.width + shift

    def update(self, x):
        """Feed one value; returns self."""
        buffer = self._buffer
        buffer.append(x)
        if len(buffer) == self.clock:
            self._ingest_and_check()
        else:
            self.drift_detected = False
        return self

    def _flush(self) -> None:
        """Append the buffered values to the prefix sums (plain left-to-right float additions,
        so the result equals ``np.cumsum`` over the whole stream, which detect_changes uses)."""
        buffer = self._buffer
        if self._shift is None:
            self._shift = float(buffer[0])
        shift = self._shift
        k = len(buffer)
        end = self._end
        if end + k + 1 > len(self._sums):
            start = self._start
            if start > (end // 2):  # forget prefix sums and values left of the window
                self._sums = self._sums[start : end + 1].copy()
                self._base += start
                end -= start
                self._start = 0
                drop = bisect.bisect_right(self._chunk_ends, self._base) - 1
                if drop > 0:
                    del self._chunks[:drop], self._chunk_ends[:drop], self._chunk_q[:drop]
            size = max(2 * len(self._sums), end + k + 1)
            self._sums = np.concatenate([self._sums, np.zeros(size - len(self._sums))])
        s, q = float(self._sums[end]), self._q_end
        sums = []
        for v in buffer:
            v -= shift
            s += v
            q += v * v
            sums.append(s)
        self._sums[end + 1 : end + k + 1] = sums
        self._end = end + k
        self._q_end = q
        self._chunks.append(buffer)
        self._chunk_ends.append(self._base + self._end)
        self._chunk_q.append(q)
        self._buffer = []

    def _squares_to(self, position: int) -> float:
        """Sum of squared (shifted) values before ``position`` (relative to _base), added up
        left to right as ``np.cumsum`` does, so both paths get the same float."""
        if self._squares is not None:
            return float(self._squares[position])
        absolute = self._base + position
        j = bisect.bisect_left(self._chunk_ends, absolute)  # first chunk ending at or after it
        if self._chunk_ends[j] == absolute:
            return self._chunk_q[j]
        chunk = self._chunks[j]
        q = self._chunk_q[j - 1] if j else 0.0
        shift = self._shift
        for v in chunk[: len(chunk) - (self._chunk_ends[j] - absolute)]:
            v -= shift
            q += v * v
        return q

    def _ingest_and_check(self) -> None:
        if self._buffer:
            self._flush()
        self.drift_detected = False
        if self._end - self._start <= self.grace_period:
            return
        cut = self._oldest_significant_cut()
        if cut is None:
            return
        statistic = self.statistic  # the check that decided, before any cut
        while cut is not None:
            self.drift_detected = True
            self._start += cut
            self._q_start = self._squares_to(self._start)
            if self._end - self._start <= self.grace_period:
                break
            cut = self._oldest_significant_cut()
        self.statistic = statistic
        self.n_detections += 1

    def _cut_parts(self, k: int) -> tuple:
        """For the first k cuts on the ladder: the largest W1 size, the offsets that pick the cut
        positions out of a slice ending at the window's end, 1 / n1, 1 / (n1 - mwl + 1) and the
        offsets into the reciprocal table for 1 / (n0 - mwl + 1) and 1 / n0."""
        n1 = self._ladder[:k]
        top = int(n1[-1])
        c = self.min_window_length - 1
        offsets = top - n1
        parts = (top, offsets, 1.0 / n1, 1.0 / (n1 - c), np.r_[offsets, offsets + c])
        self._parts[k] = parts
        return parts

    def _oldest_significant_cut(self):
        """Size of W0 of the oldest significant cut, or None; sets ``statistic``."""
        start, end = self._start, self._end
        width = end - start
        k = bisect.bisect_right(self._ladder_list, width - self.min_window_length)
        if k == 0 or width < 2:
            self.statistic = 0.0
            return None
        parts = self._parts.get(k) or self._cut_parts(k)
        top, offsets, inv_n1, inv_n1_adj, both = parts
        if len(self._reciprocals) <= width:
            size = max(2 * len(self._reciprocals), width + 1, 1024)
            self._reciprocals = np.r_[0.0, 1.0 / np.arange(1, size, dtype=float)]  # 1/0 unused
        sums = self._sums
        s_start = float(sums[start])
        total = float(sums[end]) - s_start
        mean = total / width
        var = max((self._q_end - self._q_start) / width - mean * mean, 0.0)
        # cut at W1 size n1 (along the ladder): W0 = the oldest n0 = width - n1 values
        sum0 = sums[end - top : end + 1].take(offsets)
        sum0 -= s_start
        low = width - top  # W0 size at the largest cut
        c = self.min_window_length - 1
        # 1 / (n0 - c) and 1 / n0, both picked from one slice of the reciprocal table
        r = self._reciprocals[low - c : width + 1].take(both)
        v, inv_n0 = r[:k], r[k:]
        v += inv_n1_adj
        diff = total - sum0  # sum of W1
        diff *= inv_n1
        sum0 *= inv_n0
        diff -= sum0
        diff = np.abs(diff, out=diff)  # |mean(W1) - mean(W0)|
        d = math.log(2.0 * math.log(width) / self.delta)
        eps = v * (2.0 * var * d)
        eps = np.sqrt(eps, out=eps)
        v *= (2.0 / 3.0) * d
        eps += v
        ratio = np.divide(diff, eps, out=diff)
        top_ratio = float(ratio[ratio.argmax()])
        self.statistic = top_ratio
        if top_ratio <= 1.0:
            return None
        significant = np.flatnonzero(ratio > 1.0)
        return width - int(self._ladder[significant[-1]])  # n1 grows: last = smallest W0


def _adwin_changes(det: ADWIN, x: np.ndarray) -> list[int]:
    """ADWIN over a whole array, identical to the loop.

    Prefix sums are ``np.cumsum`` over the whole stream, the same left-to-right additions
    ``update`` makes, then blocks of checks are screened at once
    (all checks x all ladder cuts); every check whose best ratio comes within 1e-9 of the bound
    is run through the detector's own check, which alone decides alarms and window cuts.
    """
    det.reset()
    clock, mwl, grace = det.clock, det.min_window_length, det.grace_period
    m = len(x) // clock  # the tail never reaches a check
    if m == 0:
        return []
    shift = float(x[0])
    centred = x[: m * clock] - shift
    prefix = [
        np.concatenate([[0.0], np.cumsum(centred)]),
        np.concatenate([[0.0], np.cumsum(centred * centred)]),
    ]
    det._sums, det._squares = prefix
    det._shift, det._end = shift, 0
    hits: list[int] = []
    c = 0
    while c < m:
        ends = (np.arange(c, min(m, c + 256)) + 1) * clock
        width = ends - det._start
        n1 = det._ladder[: np.searchsorted(det._ladder, width[-1] - mwl, side="right")]
        valid = (n1[None, :] <= (width - mwl)[:, None]) & (width > max(grace, 1))[:, None]
        n1 = np.where(valid, n1[None, :], 1)
        s_end, s_start = det._sums[ends][:, None], det._sums[det._start]
        cut = det._sums[ends[:, None] - n1]
        w = width[:, None].astype(float)
        n0 = np.maximum(w - n1, 1.0)
        diff = np.abs((cut - s_start) / n0 - (s_end - cut) / n1)
        total = s_end - s_start
        var = np.maximum(
            (det._squares[ends][:, None] - det._squares[det._start]) / w - (total / w) ** 2, 0
        )
        d = np.log(2.0 * np.log(np.maximum(w, 2.0)) / det.delta)
        v = 1.0 / np.maximum(n0 - mwl + 1, 1.0) + 1.0 / np.maximum(n1 - mwl + 1, 1.0)
        eps = np.sqrt(2.0 * v * var * d) + (2.0 / 3.0) * d * v
        ratio = np.where(valid, diff / eps, 0.0).max(axis=1)
        flagged = np.flatnonzero(ratio > 1.0 - 1e-9)
        if flagged.size == 0:
            c += len(ends)
            continue
        c += int(flagged[0])
        det._end = (c + 1) * clock
        det._q_end = float(det._squares[det._end])
        det._ingest_and_check()
        if det.drift_detected:
            hits.append(det._end - 1)
        c += 1
    return hits


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
    """Blockwise scan with carried state; segments near a tie are re-run with the exact loop."""
    hits: list[int] = []
    i, n = 0, len(x)
    max_block = detector._max_block() if isinstance(detector, PageHinkley) else 1 << 14
    block = min(1024, max_block)
    while i < n:
        det = detector.reset()
        j = i
        if isinstance(det, CUSUM):
            if det._needs_warm_up():
                if n - i < det.warm_up:
                    break
                det._finish_warm_up(x[i : i + det.warm_up])
                j = i + det.warm_up
            state = (det._mu, det._sigma, 0.0, 0.0)
        else:
            state = det._fresh_state
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
        raise ValueError(f"values contains {int(np.isnan(x).sum())} missing values (NaN)")
    return x


def detect_changes(detector, values: Iterable[float]) -> list[int]:
    """Indices at which ``detector`` raises an alarm over ``values``.

    The detector passed in is not modified: a fresh copy with the same parameters is run.
    :class:`PageHinkley` and :class:`CUSUM` take a vectorised path (cumulative sums and a linear
    filter) that reports the same indices as the one-at-a-time loop: any segment in which the
    vectorised statistic comes within 1e-7 (relative) of the threshold is re-run with the exact
    loop, so rounding differences cannot flip an alarm. :class:`ADWIN` builds its prefix sums
    for the whole stream with the same floating-point operations as ``update``, screens many
    checks at once and lets its own check decide every check that comes near the bound. Other detectors (anything with ``update`` and
    ``drift_detected``, river's included) are run in a loop.

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
    if isinstance(det, PageHinkley | CUSUM):
        return _vectorised(det, x)
    if isinstance(det, ADWIN):
        return _adwin_changes(det, x)
    if isinstance(det, _Detector):
        det.reset()
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
