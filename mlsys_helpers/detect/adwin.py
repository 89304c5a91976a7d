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
        self._cuts = _CutCheck(self.max_buckets, self.min_window_length)
        self._reset()

    def _reset(self) -> None:
        self.drift_detected = False
        self._buffer: list[float] = []  # values not yet checked (fewer than ``clock``)
        self._window = _Window()
        self.n_detections = 0
        self.statistic = 0.0

    @property
    def width(self) -> int:
        """Number of values in the window (including those not yet checked)."""
        return self._window.end - self._window.start + len(self._buffer)

    @property
    def estimation(self) -> float:
        """Mean of the window."""
        if self.width == 0:
            return 0.0
        window = self._window
        total = float(window.sums[window.end] - window.sums[window.start])
        if self._buffer:
            shift = self._buffer[0] if window.shift is None else window.shift
            total += sum(v - shift for v in self._buffer)
        else:
            shift = window.shift
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

    def _ingest_and_check(self) -> None:
        window = self._window
        if self._buffer:
            window.flush(self._buffer)
        self.drift_detected = False
        if window.end - window.start <= self.grace_period:
            return
        cut, self.statistic = self._cuts.oldest_significant(window, self.delta)
        if cut is None:
            return
        statistic = self.statistic  # the check that decided, before any cut
        while cut is not None:
            self.drift_detected = True
            window.drop_oldest(cut)
            if window.end - window.start <= self.grace_period:
                break
            cut, self.statistic = self._cuts.oldest_significant(window, self.delta)
        self.statistic = statistic
        self.n_detections += 1

    def _changes(self, x: np.ndarray) -> list[int]:
        return _adwin_changes(self, x)


class _Window:
    """ADWIN's window storage: the values since the last cut as prefix sums (the stream's
    ``np.cumsum``, from position ``base`` on), a running sum of their squares, and the raw
    values with the sum of squares at every check, from which the squares' total at a new
    start is summed again when a cut moves it. Positions ``start`` and ``end`` are relative
    to ``base``; values are stored minus ``shift`` (the first value), for a stable variance."""

    __slots__ = (
        "sums", "base", "shift", "end", "start", "q_end", "q_start",
        "raw", "raw_base", "marks", "marks_q",
    )  # fmt: skip

    def __init__(self) -> None:
        self.sums = np.zeros(1024)  # prefix sums of the values since position base; [0] = 0
        self.base = 0  # stream position of sums[0] (prefix sums left of the window are dropped)
        self.shift = None  # values are stored minus the first value, for a stable variance
        self.end = 0  # number of values stored, relative to base
        self.start = 0  # oldest value of the window, relative to base
        # sums of squares: a running total at the end, and at the start of the window; the raw
        # values let a new start's total be summed again when a cut moves it, from the total
        # kept at every check (8 bytes a value, like the prefix sums)
        self.q_end = 0.0
        self.q_start = 0.0
        self.raw = array("d")  # the values from stream position raw_base on
        self.raw_base = 0
        self.marks = array("q")  # stream position of every check
        self.marks_q = array("d")  # sum of squares up to there

    def flush(self, buffer: list) -> None:
        """Append the buffered values to the prefix sums (plain left-to-right float additions,
        so the result equals ``np.cumsum`` over the whole stream, which detect_changes uses)
        and empty ``buffer``. A value that is not a finite number raises here, at the check,
        and none of the buffered values is added."""
        raw = self.raw
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
        shift = values[0] if self.shift is None else self.shift
        s, q = float(self.sums[self.end]), self.q_end
        sums = []
        for v in values:
            v -= shift
            s += v
            q += v * v
            sums.append(s)
        if not (math.isfinite(s) and math.isfinite(q)):
            del raw[len(raw) - k :]
            bad = [v for v in values if not math.isfinite(v)]
            got = repr(bad[0]) if bad else "values too large to square"
            raise ValueError(f"x must be a finite number, got {got}{_dropped(k)}")
        self.shift = shift
        if self.end + k + 1 > len(self.sums):
            self._make_room(k)
        end = self.end
        self.sums[end + 1 : end + k + 1] = sums
        self.end = end + k
        self.q_end = q
        self.marks.append(self.base + self.end)
        self.marks_q.append(q)

    def _make_room(self, k: int) -> None:
        """Grow ``sums`` for ``k`` more values, first forgetting the prefix sums and raw values
        left of the window when they are over half of it."""
        start, end = self.start, self.end
        if start > (end // 2):  # forget prefix sums and values left of the window
            self.sums = self.sums[start : end + 1].copy()
            self.base += start
            self.end = end = end - start
            self.start = 0
            drop = bisect.bisect_right(self.marks, self.base) - 1  # keep one mark <= base
            if drop > 0:
                del self.marks[:drop], self.marks_q[:drop]
                del self.raw[: self.marks[0] - self.raw_base]
                self.raw_base = self.marks[0]
        size = max(2 * len(self.sums), end + k + 1)
        self.sums = np.concatenate([self.sums, np.zeros(size - len(self.sums))])

    def drop_oldest(self, n0: int) -> None:
        """Cut the oldest ``n0`` values off the window."""
        self.start += n0
        self.q_start = self.squares_to(self.start)

    def squares_to(self, position: int) -> float:
        """Sum of squared (shifted) values before ``position`` (relative to base), added up
        left to right as ``np.cumsum`` does, so both paths get the same float."""
        absolute = self.base + position
        j = bisect.bisect_left(self.marks, absolute)  # first check at or after it
        if self.marks[j] == absolute:
            return self.marks_q[j]
        start, q = (self.marks[j - 1], self.marks_q[j - 1]) if j else (0, 0.0)
        shift = self.shift
        for v in self.raw[start - self.raw_base : absolute - self.raw_base]:
            v -= shift
            q += v * v
        return q


class _CutCheck:
    """ADWIN's cut check over a :class:`_Window`: the ladder of W1 sizes (``max_buckets`` sizes
    at each step 1, 2, 4, ..., those below ``min_window_length`` left out), with the arrays
    each number of cuts needs and a table of reciprocals, both built on first use."""

    def __init__(self, max_buckets: int, min_window_length: int) -> None:
        self.min_window_length = min_window_length
        steps = np.repeat(2.0 ** np.arange(48), max_buckets)
        ladder = np.cumsum(steps).astype(np.int64)
        self.ladder = ladder[ladder >= min_window_length]
        self._ladder_list = self.ladder.tolist()
        self._parts: dict[int, tuple] = {}  # per number of cuts, built by _cut_parts on first use
        self._reciprocals = np.zeros(1)  # 1 / m for m = 0, 1, 2, ... (1/0 stored as 0, unused)

    def _cut_parts(self, k: int) -> tuple:
        """For the first k cuts on the ladder: the largest W1 size, the offsets that pick the cut
        positions out of a slice ending at the window's end, 1 / n1, 1 / (n1 - mwl + 1) and the
        offsets into the reciprocal table for 1 / (n0 - mwl + 1) and 1 / n0."""
        n1 = self.ladder[:k]
        top = int(n1[-1])
        c = self.min_window_length - 1
        offsets = top - n1
        parts = (top, offsets, 1.0 / n1, 1.0 / (n1 - c), np.r_[offsets, offsets + c])
        self._parts[k] = parts
        return parts

    def oldest_significant(self, window: _Window, delta: float) -> tuple[int | None, float]:
        """Size of W0 of the oldest significant cut of ``window`` (or None), and the statistic
        (the largest ``|mean diff| / eps`` over the cuts)."""
        start, end = window.start, window.end
        width = end - start
        k = bisect.bisect_right(self._ladder_list, width - self.min_window_length)
        if k == 0 or width < 2:
            return None, 0.0
        parts = self._parts.get(k) or self._cut_parts(k)
        top, offsets, inv_n1, inv_n1_adj, both = parts
        if len(self._reciprocals) <= width:
            size = max(2 * len(self._reciprocals), width + 1, 1024)
            self._reciprocals = np.r_[0.0, 1.0 / np.arange(1, size, dtype=float)]  # 1/0 unused
        sums = window.sums
        s_start = float(sums[start])
        total = float(sums[end]) - s_start
        mean = total / width
        var = max((window.q_end - window.q_start) / width - mean * mean, 0.0)
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
        d = math.log(2.0 * math.log(width) / delta)
        eps = v * (2.0 * var * d)
        eps = np.sqrt(eps, out=eps)
        v *= (2.0 / 3.0) * d
        eps += v
        ratio = np.divide(diff, eps, out=diff)
        top_ratio = float(ratio[ratio.argmax()])
        if top_ratio <= 1.0:
            return None, top_ratio
        significant = np.flatnonzero(ratio > 1.0)
        return width - int(self.ladder[significant[-1]]), top_ratio  # last = smallest W0


def _adwin_changes(det: ADWIN, x: np.ndarray) -> list[int]:
    """ADWIN over a whole array, identical to the loop.

    Prefix sums are ``np.cumsum`` over the whole stream, the same left-to-right additions
    ``update`` makes, then blocks of checks are screened at once
    (all checks x all ladder cuts); every check whose best ratio comes within 1e-9 of the bound
    is run through the detector's own check, which alone decides alarms and window cuts.
    """
    det.reset()
    window = det._window
    clock, mwl, grace = det.clock, det.min_window_length, det.grace_period
    m = len(x) // clock  # the tail never reaches a check
    if m == 0:
        return []
    shift = float(x[0])
    centred = x[: m * clock] - shift
    squares = np.concatenate([[0.0], np.cumsum(centred * centred)])
    window.sums = np.concatenate([[0.0], np.cumsum(centred)])
    window.shift, window.end = shift, 0
    # what update would have kept: the values, and the sum of squares at every check
    window.raw.frombytes(np.ascontiguousarray(x[: m * clock]).tobytes())
    checks = np.arange(1, m + 1) * clock
    window.marks.frombytes(checks.astype(np.int64).tobytes())
    window.marks_q.frombytes(squares[checks].tobytes())
    hits: list[int] = []
    c = 0
    while c < m:
        ends = (np.arange(c, min(m, c + 256)) + 1) * clock
        width = ends - window.start
        n1 = det._cuts.ladder[: np.searchsorted(det._cuts.ladder, width[-1] - mwl, side="right")]
        valid = (n1[None, :] <= (width - mwl)[:, None]) & (width > max(grace, 1))[:, None]
        n1 = np.where(valid, n1[None, :], 1)
        s_end, s_start = window.sums[ends][:, None], window.sums[window.start]
        cut = window.sums[ends[:, None] - n1]
        w = width[:, None].astype(float)
        n0 = np.maximum(w - n1, 1.0)
        diff = np.abs((cut - s_start) / n0 - (s_end - cut) / n1)
        total = s_end - s_start
        var = np.maximum((squares[ends][:, None] - squares[window.start]) / w - (total / w) ** 2, 0)
        d = np.log(2.0 * np.log(np.maximum(w, 2.0)) / det.delta)
        v = 1.0 / np.maximum(n0 - mwl + 1, 1.0) + 1.0 / np.maximum(n1 - mwl + 1, 1.0)
        eps = np.sqrt(2.0 * v * var * d) + (2.0 / 3.0) * d * v
        ratio = np.where(valid, diff / eps, 0.0).max(axis=1)
        flagged = np.flatnonzero(ratio > 1.0 - 1e-9)
        if flagged.size == 0:
            c += len(ends)
            continue
        c += int(flagged[0])
        window.end = (c + 1) * clock
        window.q_end = float(squares[window.end])
        det._ingest_and_check()
        if det.drift_detected:
            hits.append(window.end - 1)
        c += 1
    return hits
