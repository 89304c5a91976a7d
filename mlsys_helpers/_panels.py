"""Pure computations behind the two interactive panels of :mod:`mlsys_helpers.widgets`.

No matplotlib, no ipywidgets: every number a panel shows comes from a function here, so tests
reach all of it without a browser. Import the public names from :mod:`mlsys_helpers.widgets`.

Both panels watch the same small production system: a :class:`~mlsys_helpers.world.LoanWorld`
and a logistic regression trained once per seed on undrifted history (standardised numeric
features plus one-hot ``region`` and ``channel``, the model of
:func:`mlsys_helpers.train.make_pipeline_for` written as plain arrays so that scoring a stream
takes a millisecond). The trained model and the reference data are cached per seed
(:func:`functools.lru_cache`): moving a slider never retrains. The history, the stream and the
model all come from ``numpy.random.default_rng([seed, k])`` with a fixed ``k`` per use.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsys_helpers.detect import PageHinkley, _adjust, detect_changes
from mlsys_helpers.drift import KINDS, PATTERNS, Drift
from mlsys_helpers.monitor import PREDICTION
from mlsys_helpers.world import LoanWorld

N_HISTORY = 3000  # undrifted rows the model is trained on (and the input detectors compare to)
STREAM_START = "2024-06-01"  # the live stream starts after the history
N_REFERENCE = 1000  # undrifted scored rows the dashboard's Monitor compares windows to
MAX_ROWS = (
    100_000  # largest stream a panel draws (about 25 MB of work; 10**8 rows would need ~30 GB)
)
MAX_SEED = 2**32 - 1  # numpy seeds are 32-bit words


# -- the shared little system -----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _System:
    world: LoanWorld
    history: pd.DataFrame
    mean: np.ndarray
    std: np.ndarray
    coef: np.ndarray
    intercept: float

    def design(self, frame: pd.DataFrame) -> np.ndarray:
        num = (frame[list(self.world.numeric_features)].to_numpy(float) - self.mean) / self.std
        region = np.asarray(frame["region"], dtype=object)[:, None]
        channel = np.asarray(frame["channel"], dtype=object)[:, None]
        onehot = [
            region == np.asarray(self.world.REGIONS, dtype=object)[None, :],
            channel == np.asarray(self.world.CHANNELS, dtype=object)[None, :],
        ]
        return np.hstack([num, *onehot])

    def proba(self, frame: pd.DataFrame) -> np.ndarray:
        z = self.design(frame) @ self.coef + self.intercept
        return 0.5 * (1.0 + np.tanh(0.5 * z))


@functools.lru_cache(maxsize=16)
def _system(seed: int) -> _System:
    from sklearn.linear_model import LogisticRegression

    world = LoanWorld()
    history = world.sample(N_HISTORY, rng=np.random.default_rng([seed, 0]))
    num = history[list(world.numeric_features)].to_numpy(float)
    mean, std = num.mean(axis=0), num.std(axis=0)
    partial = _System(world, history, mean, std, np.zeros(0), 0.0)
    fit = LogisticRegression(max_iter=1000).fit(partial.design(history), history["target"])
    return _System(world, history, mean, std, fit.coef_[0].copy(), float(fit.intercept_[0]))


def _check_rng(rng) -> int:
    """The int seed behind ``rng`` (an int as is; a Generator or None: one draw), which keys
    the caches and is mixed with a fixed stream id per use."""
    from mlsys_helpers.loop import _seed_from  # loaded with the first model anyway (sklearn)

    return _seed_from(rng, high=MAX_SEED)


def _check_int(name: str, value, low: int, high: int | None = None) -> int:
    bad = isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low
    if bad or (high is not None and value > high):
        expected = f">= {low}" if high is None else f"in [{low}, {high:_}]"
        raise ValueError(f"{name} must be an int {expected}, got {value!r}")
    return int(value)


def _check_number(name: str, value) -> float:
    """A finite real number as float, or an error naming ``name`` (never float()'s message):
    TypeError for another type, ValueError for nan and infinities."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _check_fraction(name: str, value, *, low: float, high: float, open_low: bool) -> float:
    value = _check_number(name, value)
    bad_low = value <= low if open_low else value < low
    if bad_low or value > high:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high}], got {value!r}")
    return value


def _make_drift(kind, pattern, magnitude, start, width, fraction, column, n) -> Drift:
    """The Drift the panels inject: positions count rows; recurring period = 2 * width."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if pattern not in PATTERNS:
        raise ValueError(f"pattern must be one of {PATTERNS}, got {pattern!r}")
    magnitude = _check_number("magnitude", magnitude)
    if kind == "covariate" and not 0.0 <= magnitude <= 5.0:
        raise ValueError(f"magnitude must be in [0, 5] for covariate drift, got {magnitude}")
    if kind != "covariate" and not 0.0 <= magnitude <= 1.0:
        raise ValueError(f"magnitude must be in [0, 1] for {kind} drift, got {magnitude}")
    start = _check_fraction("start", start, low=0.0, high=1.0, open_low=True)
    if start >= 1.0:
        raise ValueError(f"start must be < 1 (a fraction of the stream), got {start}")
    width = _check_fraction("width", width, low=0.0, high=1.0, open_low=True)
    fraction = _check_fraction("fraction", fraction, low=0.0, high=1.0, open_low=True)
    rows = max(1, round(width * n))
    return Drift(
        kind,
        start=round(start * n),
        pattern=pattern,
        width=rows if pattern in ("gradual", "incremental") else 0,
        period=2 * rows if pattern == "recurring" else None,
        magnitude=float(magnitude),
        column=None if kind == "prior" else column,
        fraction=fraction,
    )


def _ks_statistics(reference: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Two-sample KS statistic of each row of ``windows`` (W, m) against ``reference``.

    Both empirical CDFs are right-continuous step functions, so the supremum of their gap is
    reached at one of the pooled points: evaluate both CDFs there (exact with ties, the same D as
    ``scipy.stats.ks_2samp``).
    """
    ref = np.sort(reference)
    cur = np.sort(windows, axis=1)
    n_ref, m = ref.size, cur.shape[1]
    out = np.empty(cur.shape[0])
    for k, row in enumerate(cur):
        points = np.concatenate([ref, row])
        gap = np.searchsorted(ref, points, "right") / n_ref
        gap -= np.searchsorted(row, points, "right") / m
        out[k] = np.abs(gap).max()
    return out


def _page_hinkley_up(errors: np.ndarray, threshold: float) -> tuple[np.ndarray, list[int]]:
    """Page-Hinkley (``mode="up"``, other defaults) over ``errors``: statistic after every
    value and the alarm positions.

    The alarms are :func:`~mlsys_helpers.detect.detect_changes`'s (exact: the same indices
    as the one-at-a-time loop). Between restarts the statistic is the detector's recursion in
    closed form, ``U_t = a^t * cumsum(a^-j * d_j)`` (what ``detector_trace`` records, to
    rounding), which is ~10x faster than the Python loop on a 6,000-row stream.
    """
    detector = PageHinkley(threshold=threshold, mode="up")
    alarms = detect_changes(detector, errors)
    stat = np.zeros(errors.size)
    a, delta, warmup = detector.alpha, detector.delta, detector.min_instances
    for begin, end in zip([0, *[k + 1 for k in alarms]], [*[k + 1 for k in alarms], errors.size],
                          strict=True):  # fmt: skip
        x = errors[begin:end]
        if not x.size:
            continue
        t = np.arange(1, x.size + 1)
        dev = x - np.cumsum(x) / t - delta
        decay = a ** (t - 1.0)
        up = decay * np.cumsum(dev / decay)
        seg = up - np.minimum.accumulate(up)
        seg[: warmup - 1] = 0.0
        stat[begin:end] = seg
    return stat, alarms


def _ks_critical(n_ref: int, m: int, alpha: float) -> float:
    """Large-sample critical value of the two-sample KS statistic at level ``alpha``."""
    return math.sqrt(-math.log(alpha / 2.0) / 2.0) * math.sqrt((n_ref + m) / (n_ref * m))


def _delay(alarm_windows: np.ndarray, change_window: int) -> int | None:
    late = alarm_windows[alarm_windows >= change_window]
    return int(late[0] - change_window) if late.size else None


def _delay_text(delay: int | None, noun: str) -> str:
    if delay is None:
        return f"no {noun} after the change"
    if delay == 0:
        return f"first {noun} in the window of the change"
    return f"first {noun} {delay} window{'s' * (delay != 1)} after the change"


# -- drift lab --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DriftLabResult:
    """Everything the drift lab shows, for one setting of its controls.

    Attributes
    ----------
    drift : Drift
        The change injected (row positions: ``start``, ``width`` and ``period`` count rows).
    column : str
        The feature the drift moves (covariate) or whose effect changes (concept), and the
        feature the input detector watches.
    n, window : int
        Stream length and rows per window.
    frame : DataFrame
        One row per window: ``window, start`` (first row), ``accuracy``, ``drift_weight``
        (mean ground-truth weight), ``input_statistic`` (KS D of ``column`` against the
        training history), ``input_threshold`` (its critical value), ``input_alarm``,
        ``error_statistic`` (Page-Hinkley on the model's errors: the largest value in the
        window), ``error_threshold``, ``error_alarm`` and ``alarm`` (either detector).
    before, after : numpy.ndarray
        ``column`` before the change and in the new regime (rows where the drift schedule is
        at its full level), for the distribution plot.
    accuracy_before, accuracy_after : float
        Model accuracy on the rows of ``before`` and ``after``.
    n_alarms, n_input_alarms, n_error_alarms, n_false_alarms : int
        Windows with an alarm (either / input / error detector), and windows with an alarm that
        end before the change starts.
    first_alarm_delay : int or None
        Windows from the one holding the change's start to the first alarm at or after it
        (0: that same window); None when nothing alarms after the change.
    change_window : int
        Index of the window holding the change's start.
    change_spans : tuple of (int, int)
        Row ranges ``[begin, end)`` where the drift schedule is on (shaded in the plot).
    """

    drift: Drift
    column: str
    n: int
    window: int
    frame: pd.DataFrame
    before: np.ndarray
    after: np.ndarray
    accuracy_before: float
    accuracy_after: float
    n_alarms: int
    n_input_alarms: int
    n_error_alarms: int
    n_false_alarms: int
    first_alarm_delay: int | None
    change_window: int
    change_spans: tuple

    def summary(self) -> str:
        """One line: accuracy before -> after, alarms, delay of the first one."""
        false = f" · {self.n_false_alarms} before it" if self.n_false_alarms else ""
        return (
            f"accuracy {self.accuracy_before:.2f} -> {self.accuracy_after:.2f} · "
            f"alarms in {self.n_alarms} window{'s' * (self.n_alarms != 1)} "
            f"(input {self.n_input_alarms}, error {self.n_error_alarms}) · "
            f"{_delay_text(self.first_alarm_delay, 'alarm')}{false}"
        )


def _spans(on: np.ndarray) -> tuple:
    edges = np.flatnonzero(np.diff(np.r_[0, on.astype(np.int8), 0]))
    return tuple((int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True))


def drift_lab_compute(
    *,
    kind: str = "covariate",
    pattern: str = "sudden",
    magnitude: float = 1.0,
    start: float = 0.5,
    width: float = 0.2,
    fraction: float = 1.0,
    rng: int | np.random.Generator | None = 0,
    column: str = "debt_ratio",
    n: int = 6000,
    window: int = 250,
    alpha: float = 0.01,
    ph_threshold: float = 30.0,
) -> DriftLabResult:
    """Drift a loan stream, score it with a model trained before the drift, watch two detectors.

    ``magnitude`` has the meaning of :class:`mlsys_helpers.drift.Drift`: for covariate drift a
    shift of ``column`` in standard deviations ([0, 5]); for prior drift the new default rate
    ([0, 1]; the base rate is about 0.3); for concept drift the change of ``column``'s effect
    ([0, 1]: 0.5 makes it irrelevant, 1 reverses it). ``start`` and ``width`` are fractions of
    the stream; ``width`` is the transition length for "gradual" and "incremental", the length of
    each new-regime phase for "recurring" (period ``2 * width``) and unused for "sudden".

    Two detectors, as a monitoring team would run them:

    - *input*: per window, the two-sample KS statistic D of ``column`` against the training
      history; alarm when D exceeds the large-sample critical value
      ``sqrt(-ln(alpha / 2) / 2) * sqrt((n_ref + m) / (n_ref * m))`` (no correction across
      windows);
    - *error*: :class:`~mlsys_helpers.detect.PageHinkley` (``mode="up"``,
      ``threshold=ph_threshold``, other defaults) on the model's 0/1 errors, labels assumed to
      arrive at once (the best case; chapter 07 adds label delay).

    Parameters
    ----------
    kind, pattern : str
        As in :class:`~mlsys_helpers.drift.Drift`.
    magnitude : float
        Severity (see above).
    start : float in (0, 1)
        Where the change starts, as a fraction of the stream.
    width : float in (0, 1]
        Transition or phase length, as a fraction of the stream.
    fraction : float in (0, 1]
        Share of rows the drift touches.
    rng : int in [0, 2**32 - 1], Generator or None, default 0
        Seeds the history, the model and the stream: the same int gives the same result (the
        lab's control for it is labelled "seed"). A Generator (or None: fresh entropy) gives
        one draw, used as that int.
    column : str
        A numeric feature of :class:`~mlsys_helpers.world.LoanWorld`.
    n, window : int
        Stream length (at most :data:`MAX_ROWS` = 100,000 rows: a size a laptop draws in well
        under a second; 10**8 rows would need ~30 GB) and rows per window (>= 10; ``n`` must be
        a multiple of ``window``, with at least 2 windows).
    alpha : float
        Level of the per-window KS test.
    ph_threshold : float
        Page-Hinkley alarm threshold (in errors).

    Returns
    -------
    DriftLabResult

    Examples
    --------
    >>> result = drift_lab_compute(kind="concept", magnitude=1.0, rng=0)
    >>> result.accuracy_after < result.accuracy_before - 0.1, result.n_input_alarms
    (True, 0)
    >>> result.summary()
    'accuracy 0.88 -> 0.67 · alarms in 2 windows (input 0, error 2) · first alarm in the window of the change'
    """
    seed = _check_rng(rng)
    n = _check_int("n", n, 2, MAX_ROWS)
    window = _check_int("window", window, 10, MAX_ROWS)
    if n % window or n // window < 2:
        raise ValueError(
            f"n must be a multiple of window ({window}) with at least 2 windows, got {n!r}"
        )
    system = _system(seed)
    if column not in system.world.numeric_features:
        raise ValueError(f"column must be one of {system.world.numeric_features}, got {column!r}")
    _check_fraction("alpha", alpha, low=0.0, high=0.5, open_low=True)
    _check_fraction("ph_threshold", ph_threshold, low=0.0, high=math.inf, open_low=True)
    drift = _make_drift(kind, pattern, magnitude, start, width, fraction, column, n)
    stream = system.world.sample(
        n, start=STREAM_START, drifts=[drift], rng=np.random.default_rng([seed, 1])
    )
    correct = (system.proba(stream) >= 0.5) == stream["target"].to_numpy()
    values = stream[column].to_numpy(float)
    frame = _lab_windows(system.history[column].to_numpy(float), values, correct,
                         stream["drift_weight"].to_numpy(), window, alpha, ph_threshold)  # fmt: skip
    schedule = drift.schedule(np.arange(n))
    before = np.arange(n) < drift.start
    after = (schedule > 0) & (schedule >= schedule.max())
    change_window = drift.start // window
    alarms = frame["window"].to_numpy()[frame["alarm"].to_numpy()]
    return DriftLabResult(
        drift=drift,
        column=column,
        n=n,
        window=window,
        frame=frame,
        before=values[before],
        after=values[after],
        accuracy_before=float(correct[before].mean()),
        accuracy_after=float(correct[after].mean()),
        n_alarms=int(frame["alarm"].sum()),
        n_input_alarms=int(frame["input_alarm"].sum()),
        n_error_alarms=int(frame["error_alarm"].sum()),
        n_false_alarms=int((alarms < change_window).sum()),
        first_alarm_delay=_delay(alarms, change_window),
        change_window=int(change_window),
        change_spans=_spans(schedule > 0),
    )


def _lab_windows(ref, values, correct, drift_weight, window, alpha, ph_threshold) -> pd.DataFrame:
    """The drift lab's per-window frame: accuracy, drift weight and both detectors (KS of
    ``values`` against ``ref``; Page-Hinkley on the errors), see :func:`drift_lab_compute`."""
    n_windows = values.size // window
    d = _ks_statistics(ref, values.reshape(n_windows, window))
    critical = _ks_critical(ref.size, window, alpha)
    ph, alarm_at = _page_hinkley_up((~correct).astype(float), ph_threshold)
    ph = ph.reshape(n_windows, window)
    ph_alarm = np.zeros(values.size, bool)
    ph_alarm[alarm_at] = True
    ph_alarm = ph_alarm.reshape(n_windows, window).any(axis=1)
    frame = pd.DataFrame(
        {
            "window": np.arange(n_windows),
            "start": np.arange(n_windows) * window,
            "accuracy": correct.reshape(n_windows, window).mean(axis=1),
            "drift_weight": drift_weight.reshape(n_windows, window).mean(1),
            "input_statistic": d,
            "input_threshold": critical,
            "input_alarm": d > critical,
            "error_statistic": ph.max(axis=1),
            "error_threshold": float(ph_threshold),
            "error_alarm": ph_alarm,
        }
    )
    frame["alarm"] = frame["input_alarm"] | frame["error_alarm"]
    return frame


# -- monitoring dashboard ---------------------------------------------------------------------
DASHBOARD_METHODS = ("ks", "psi", "wasserstein", "jensen_shannon", "test", "distance")
_DISTANCES = ("psi", "wasserstein", "jensen_shannon", "distance")


@functools.lru_cache(maxsize=32)
def _dashboard_data(seed: int, drift_kind: str, magnitude: float, column, start: float, n: int):
    system = _system(seed)
    reference = system.world.sample(
        N_REFERENCE, start="2024-05-01", rng=np.random.default_rng([seed, 2])
    )
    reference["proba"] = system.proba(reference)
    drift = _make_drift(drift_kind, "sudden", magnitude, start, 0.1, 1.0, column, n)
    stream = system.world.sample(
        n, start=STREAM_START, drifts=[drift], rng=np.random.default_rng([seed, 3])
    )
    stream["proba"] = system.proba(stream)
    return reference, stream, drift


# Every LoanWorld numeric feature (and the score) has more than 5 distinct values, so the families
# of detect.compare resolve to one method per column kind: "test" is ks / chi2 and "distance" is
# wasserstein / jensen_shannon. Spelling them out lets equal settings share one cached run.
_FAMILY_METHOD = {"test": "ks", "distance": "wasserstein"}


def _detectors(method: str, features: tuple, world) -> tuple:
    """The test per column that ``method`` means, as a hashable ((column, method), ...)."""
    numeric_method = _FAMILY_METHOD.get(method, method)
    categorical = "jensen_shannon" if method in _DISTANCES else "chi2"
    return tuple(
        (f, numeric_method if f in (*world.numeric_features, PREDICTION) else categorical)
        for f in (*features, PREDICTION)
    )


def _window_slices(n: int, window: int) -> list[slice]:
    """Rows of each window, as Monitor cuts a stream by row count (the last may be short)."""
    return [slice(a, min(a + window, n)) for a in range(0, n, window)]


@functools.lru_cache(maxsize=256)
def _column_tests(data_key: tuple, window: int, column: str, method: str) -> tuple:
    """Uncorrected per-window test of one column: (p-values, statistics, thresholds) arrays.

    The same call Monitor makes through :func:`mlsys_helpers.detect.compare` for each column
    of each window; cached per column, so watching one more feature costs one column's tests.
    """
    from mlsys_helpers.detect import _compare_column

    reference, stream, _ = _dashboard_data(*data_key)
    source = "proba" if column == PREDICTION else column
    ref, cur = reference[source], stream[source]
    rows = [
        _compare_column(column, ref, cur.iloc[rows], method, 0.05)
        for rows in _window_slices(len(stream), window)
    ]
    return tuple(
        np.array([r[f] for r in rows], float) for f in ("p_value", "statistic", "threshold")
    )


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC by the rank-sum formula (ties share ranks): equal to scikit-learn's."""
    from scipy.stats import rankdata

    positive = y == 1
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@functools.lru_cache(maxsize=64)
def _window_performance(data_key: tuple, window: int) -> tuple[pd.DataFrame, float]:
    """Per window: realised and estimated performance and Monitor's performance flag (labels
    arrive at once; threshold 0.5, ``max_accuracy_drop`` 0.05, ``min_labels`` 50: Monitor's
    defaults), plus the reference accuracy."""
    from mlsys_helpers.monitor import estimate_performance

    reference, stream, _ = _dashboard_data(*data_key)
    y_ref, p_ref = reference["target"].to_numpy(float), reference["proba"].to_numpy(float)
    baseline = float(np.mean((p_ref >= 0.5) == y_ref))
    y, score = stream["target"].to_numpy(float), stream["proba"].to_numpy(float)
    times = stream["timestamp"]
    rows = []
    for k, rows_ in enumerate(_window_slices(len(stream), window)):
        est = estimate_performance(score[rows_])
        rows.append({
            "window": k, "start": times.iloc[rows_].min(), "end": times.iloc[rows_].max(),
            "n_rows": rows_.stop - rows_.start, "n_labelled": rows_.stop - rows_.start,
            "accuracy": float(np.mean((score[rows_] >= 0.5) == y[rows_])),
            "roc_auc": _auc(y[rows_], score[rows_]),
            "estimated_accuracy": est.accuracy, "estimated_roc_auc": est.roc_auc,
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    used = frame["accuracy"].where(frame["n_labelled"] >= 50, frame["estimated_accuracy"])
    frame["performance_flag"] = (used < baseline - 0.05).to_numpy(bool)
    return frame, baseline


def _alerts(frame: pd.DataFrame, columns: list, consecutive: int) -> pd.DataFrame:
    """Monitor's alert rule on recomputed ``<column>_drifted`` flags (see Monitor)."""
    drifted = frame[[f"{c}_drifted" for c in columns]].to_numpy(bool)
    frame["drift_flag"] = drifted.any(axis=1)
    flag = frame["drift_flag"] | frame["performance_flag"]
    run = flag.astype(int).groupby((~flag).cumsum()).cumsum()
    frame["alert"] = run >= consecutive
    frame["alert_reason"] = [
        ", ".join(
            [f"drift: {', '.join(c for c, d in zip(columns, row, strict=True) if d)}"] * bool(dflag)
            + ["accuracy drop"] * bool(pflag)
        )
        if alert
        else ""
        for row, dflag, pflag, alert in zip(
            drifted,
            frame["drift_flag"].to_numpy(),
            frame["performance_flag"].to_numpy(),
            frame["alert"].to_numpy(),
            strict=True,
        )
    ]
    return frame


@dataclass(frozen=True, eq=False)
class DashboardResult:
    """Everything the monitoring dashboard shows, for one setting of its controls.

    Attributes
    ----------
    frame : DataFrame
        Per window, the columns of :meth:`mlsys_helpers.monitor.Monitor.run` for the watched
        ``features`` (``window, start, end, n_rows``, ``<feature>_statistic``,
        ``<feature>_drifted``, ``prediction_statistic``, ``prediction_drifted``, ``n_drifted``,
        ``n_labelled``, ``accuracy``, ``roc_auc``, ``estimated_accuracy``,
        ``estimated_roc_auc``, ``drift_flag``, ``performance_flag``, ``alert``,
        ``alert_reason``).
    features : tuple of str
        Watched features.
    window : int
        Rows per window.
    method : str
        Method asked for numeric features and the score (categorical features get ``chi2``
        with tests and ``jensen_shannon`` with distances).
    threshold : float or None
        Distance threshold used (None: the detectors' defaults, or a test).
    drift : Drift
        The injected change (row positions).
    change_window : float
        Where the change falls, in windows (``drift.start / window``).
    reference_accuracy : float
        Accuracy on the reference data.
    n_alerts, false_alerts : int
        Windows with an alert; those that end before the change starts.
    first_alert_delay : int or None
        Windows from the one holding the change to the first alert at or after it.
    """

    frame: pd.DataFrame
    features: tuple
    window: int
    method: str
    threshold: float | None
    drift: Drift
    change_window: float
    reference_accuracy: float
    n_alerts: int
    false_alerts: int
    first_alert_delay: int | None

    def summary(self) -> str:
        """One line: alerts, false alerts, delay, realised vs estimated accuracy after the change."""
        late = self.frame["window"] >= math.ceil(self.change_window)
        real = self.frame.loc[late, "accuracy"].mean()
        est = self.frame.loc[late, "estimated_accuracy"].mean()
        return (
            f"{self.n_alerts} alert{'s' * (self.n_alerts != 1)} in {len(self.frame)} windows · "
            f"{self.false_alerts} false · {_delay_text(self.first_alert_delay, 'alert')} · "
            f"after it: accuracy {real:.2f}, estimated {est:.2f}"
        )


def _check_features(features, world) -> tuple:
    features = tuple(features)
    if not features:
        raise ValueError("features must name at least one column, got none")
    unknown = [f for f in features if f not in world.features]
    if unknown:
        raise ValueError(f"features must be among {world.features}, got {unknown}")
    return features


def _check_method(method, threshold) -> None:
    if method not in DASHBOARD_METHODS:
        raise ValueError(f"method must be one of {DASHBOARD_METHODS}, got {method!r}")
    if threshold is not None:
        if method not in _DISTANCES:
            raise ValueError(
                f"threshold must be None with method {method!r} (thresholds apply to distances "
                f"only), got {threshold!r}"
            )
        _check_fraction("threshold", threshold, low=0.0, high=math.inf, open_low=True)


def _dashboard_frame(raw, tests, features, threshold, correction, alpha, consecutive):
    """Monitor's per-window frame from the cached per-column tests and per-window performance:
    the correction, ``alpha`` or ``threshold``, and the alert rule applied."""
    p, stat, limit = (np.stack([t[k] for t in tests], axis=1) for k in range(3))
    columns = [*features, PREDICTION]
    if threshold is not None:
        limit = np.full_like(limit, threshold)
    adjusted = np.array([_adjust(row, correction) for row in p]).reshape(p.shape)
    drifted = np.where(np.isnan(p), stat > limit, adjusted < alpha) & ~np.isnan(stat)
    data = {c: raw[c].to_numpy() for c in ("window", "start", "end", "n_rows")}
    for k, c in enumerate(columns):
        data[f"{c}_statistic"] = stat[:, k]
        data[f"{c}_drifted"] = drifted[:, k]
    data["n_drifted"] = drifted[:, :-1].sum(axis=1)
    keep = ["n_labelled", "accuracy", "roc_auc", "estimated_accuracy", "estimated_roc_auc"]
    data.update({c: raw[c].to_numpy() for c in [*keep, "performance_flag"]})
    return _alerts(pd.DataFrame(data), columns, consecutive)


def dashboard_compute(
    *,
    features=("income", "debt_ratio"),
    window: int = 500,
    method: str = "ks",
    alpha: float = 0.05,
    threshold: float | None = None,
    correction: str | None = "bonferroni",
    consecutive: int = 1,
    drift_kind: str = "covariate",
    magnitude: float = 1.0,
    drift_column: str = "debt_ratio",
    start: float = 0.5,
    rng: int | np.random.Generator | None = 0,
    n: int = 6000,
) -> DashboardResult:
    """Monitor a drifting loan stream with :class:`~mlsys_helpers.monitor.Monitor`.

    The model (see the module notes) is scored on a 1,000-row undrifted reference and on a stream
    of ``n`` rows with a sudden ``drift_kind`` drift of ``drift_column`` at ``start`` (fraction
    of the stream; ``magnitude`` as in :func:`drift_lab_compute`). Labels arrive at once, so
    realised accuracy is known in every window next to the label-free estimate.

    The result is what ``Monitor(reference, features=features, window=window,
    detectors=method, correction=correction, alpha=alpha, consecutive=consecutive)
    .run(stream)`` reports (a test checks it). For speed, each column's uncorrected per-window
    test is cached per data, window and method, the per-window performance per data and
    window, and the correction, ``alpha``, ``threshold`` and the alert rule are applied to
    those p-values and statistics (the same computation Monitor does).

    Parameters
    ----------
    features : sequence of str
        Columns to watch (any LoanWorld features; the model's score is always watched too).
    window : int
        Rows per window (>= 50, at most ``n / 2``).
    method : str
        One of ``ks, psi, wasserstein, jensen_shannon`` (used for numeric features and the
        score; categorical features get ``chi2`` with tests and ``jensen_shannon`` with
        distances) or a family ``test`` / ``distance`` of :func:`mlsys_helpers.detect.compare`.
    alpha : float
        Level of the tests, after ``correction`` across the columns of a window.
    threshold : float, optional
        For distance methods: replaces every distance's default threshold (psi 0.2, others 0.1).
    correction : {"bonferroni", "fdr", None}
        Multiple-testing correction across the watched columns (and the score) of a window.
    consecutive : int in [1, 1000]
        Windows in a row that must flag before an alert.
    drift_kind, magnitude, drift_column, start, rng, n
        The injected change, the seed (``rng``: an int in [0, 2**32 - 1], or a Generator or
        None drawn from once, as in :func:`drift_lab_compute`) and the stream length (100 to
        :data:`MAX_ROWS` = 100,000 rows; ``window`` at most ``n / 2``).

    Every argument is checked before any work, and a bad one raises a ValueError or TypeError
    naming it (never a message from ``float()`` or numpy).

    Returns
    -------
    DashboardResult

    Examples
    --------
    >>> result = dashboard_compute(drift_kind="concept", magnitude=1.0)
    >>> bool(result.frame[["income_drifted", "debt_ratio_drifted"]].to_numpy().any())
    False
    >>> result.n_alerts > 0  # the accuracy drop alerts; the inputs do not
    True
    """
    seed = _check_rng(rng)
    n = _check_int("n", n, 100, MAX_ROWS)
    window = _check_int("window", window, 50, MAX_ROWS)
    if isinstance(features, str):
        raise TypeError("features must be a sequence of column names (not one string), got str")
    world = _system(seed).world
    features = _check_features(features, world)
    _check_method(method, threshold)
    _check_fraction("alpha", alpha, low=0.0, high=1.0, open_low=True)
    if correction not in ("bonferroni", "fdr", None):
        raise ValueError(f"correction must be 'bonferroni', 'fdr' or None, got {correction!r}")
    consecutive = _check_int("consecutive", consecutive, 1, 1000)
    if drift_column not in world.numeric_features:
        raise ValueError(
            f"drift_column must be one of {world.numeric_features}, got {drift_column!r}"
        )
    drift = _make_drift(drift_kind, "sudden", magnitude, start, 0.1, 1.0, drift_column, n)
    if n // window < 2:
        raise ValueError(f"window must be at most n / 2 = {n // 2} rows, got {window}")
    data_key = (seed, drift_kind, float(magnitude), drift_column, float(start), n)
    raw, reference_accuracy = _window_performance(data_key, window)
    tests = [_column_tests(data_key, window, c, m) for c, m in _detectors(method, features, world)]
    frame = _dashboard_frame(raw, tests, features, threshold, correction, alpha, consecutive)
    windows = raw["window"].to_numpy()
    change_window = drift.start / window
    alerts = windows[frame["alert"].to_numpy(bool)]
    return DashboardResult(
        frame=frame,
        features=features,
        window=window,
        method=method,
        threshold=None if threshold is None else float(threshold),
        drift=drift,
        change_window=change_window,
        reference_accuracy=reference_accuracy,
        n_alerts=int(alerts.size),
        false_alerts=int(((alerts + 1) * window <= drift.start).sum()),
        first_alert_delay=_delay(alerts, drift.start // window),
    )
