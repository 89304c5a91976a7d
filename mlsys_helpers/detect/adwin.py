"""ADWIN, ADaptive WINdowing (Bifet & Gavaldà 2007): a streaming detector that keeps a window of
recent values and drops its old part when the two parts' means differ by more than chance allows.

It follows the protocol of :mod:`mlsys_helpers.detect.streaming` (``update``, ``drift_detected``,
``statistic``, ``reset``), and :func:`~mlsys_helpers.detect.detect_changes` runs it over a
whole array at once with the same alarms as the loop (see :func:`_adwin_changes`).
"""

from __future__ import annotations

import bisect
import math
import numbers
from array import array

import numpy as np

from mlsys_helpers.detect.streaming import _Detector

__all__ = ["ADWIN"]


def _dropped(k: int) -> str:
    return f" (among the {k} values since the last check; none of them was added)"


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
    >>> from mlsys_helpers.detect import detect_changes
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
        self._parts: dict[int, tuple] = {}  # per number of cuts, built by _cut_parts on first use
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
        # values let a new start's total be summed again when a cut moves it, from the total
        # kept at every check (8 bytes a value, like the prefix sums)
        self._q_end = 0.0
        self._q_start = 0.0
        self._raw = array("d")  # the values from stream position _raw_base on
        self._raw_base = 0
        self._marks = array("q")  # stream position of every check
        self._marks_q = array("d")  # sum of squares up to there
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
        so the result equals ``np.cumsum`` over the whole stream, which detect_changes uses).
        A value that is not a finite number raises here, at the check, and none of the
        buffered values is added."""
        buffer, raw = self._buffer, self._raw
        k = len(buffer)
        try:
            raw.fromlist(buffer)  # as float64, whatever numeric type came in
        except TypeError:
            bad = next((v for v in buffer if not isinstance(v, numbers.Real)), buffer[0])
            buffer.clear()
            raise TypeError(
                f"x must be a number, got {type(bad).__name__} {bad!r}{_dropped(k)}"
            ) from None
        buffer.clear()
        values = raw[len(raw) - k :]
        shift = values[0] if self._shift is None else self._shift
        s, q = float(self._sums[self._end]), self._q_end
        sums = []
        for v in values:
            v -= shift
            s += v
            q += v * v
            sums.append(s)
        if not (math.isfinite(s) and math.isfinite(q)):
            del raw[len(raw) - k :]
            bad = [v for v in values if not math.isfinite(v)]
            got = f"got {bad[0]!r}" if bad else "got values too large to square"
            raise ValueError(f"x must be a finite number, {got}{_dropped(k)}")
        self._shift = shift
        end = self._end
        if end + k + 1 > len(self._sums):
            start = self._start
            if start > (end // 2):  # forget prefix sums and values left of the window
                self._sums = self._sums[start : end + 1].copy()
                self._base += start
                end -= start
                self._start = 0
                drop = bisect.bisect_right(self._marks, self._base) - 1  # keep one mark <= base
                if drop > 0:
                    del self._marks[:drop], self._marks_q[:drop]
                    del raw[: self._marks[0] - self._raw_base]
                    self._raw_base = self._marks[0]
            size = max(2 * len(self._sums), end + k + 1)
            self._sums = np.concatenate([self._sums, np.zeros(size - len(self._sums))])
        self._sums[end + 1 : end + k + 1] = sums
        self._end = end + k
        self._q_end = q
        self._marks.append(self._base + self._end)
        self._marks_q.append(q)

    def _squares_to(self, position: int) -> float:
        """Sum of squared (shifted) values before ``position`` (relative to _base), added up
        left to right as ``np.cumsum`` does, so both paths get the same float."""
        absolute = self._base + position
        j = bisect.bisect_left(self._marks, absolute)  # first check at or after it
        if self._marks[j] == absolute:
            return self._marks_q[j]
        start, q = (self._marks[j - 1], self._marks_q[j - 1]) if j else (0, 0.0)
        shift = self._shift
        for v in self._raw[start - self._raw_base : absolute - self._raw_base]:
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

    def _changes(self, x: np.ndarray) -> list[int]:
        return _adwin_changes(self, x)

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
    squares = np.concatenate([[0.0], np.cumsum(centred * centred)])
    det._sums = np.concatenate([[0.0], np.cumsum(centred)])
    det._shift, det._end = shift, 0
    # what update would have kept: the values, and the sum of squares at every check
    det._raw.frombytes(np.ascontiguousarray(x[: m * clock]).tobytes())
    checks = np.arange(1, m + 1) * clock
    det._marks.frombytes(checks.astype(np.int64).tobytes())
    det._marks_q.frombytes(squares[checks].tobytes())
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
        var = np.maximum((squares[ends][:, None] - squares[det._start]) / w - (total / w) ** 2, 0)
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
        det._q_end = float(squares[det._end])
        det._ingest_and_check()
        if det.drift_detected:
            hits.append(det._end - 1)
        c += 1
    return hits
