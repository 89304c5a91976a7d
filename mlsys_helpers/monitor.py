"""Watch a model in production: windows, drift per feature, performance with and without labels.

- :class:`Monitor` cuts a stream of requests into windows (by row count or by time) and reports,
  per window, the drift of every feature and of the model's scores against a reference, the
  realised performance from the labels that have arrived, the *estimated* performance from the
  scores alone, and alerts.
- :func:`estimate_performance` estimates accuracy and ROC AUC from predicted probabilities only
  (confidence-based, like NannyML's CBPE). It is right when the scores are calibrated on the
  current data, so it follows covariate shift but is blind to concept drift.
- :func:`fit_calibrator` fits isotonic calibration on labelled *reference* data.
- :func:`join_delayed_labels` attaches only the labels that had arrived by a given time.

>>> import numpy as np
>>> from mlsys_helpers import monitor
>>> monitor.estimate_performance(np.array([0.9, 0.8, 0.3])).accuracy
0.8
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsys_helpers import detect

__all__ = [
    "Monitor",
    "PerformanceEstimate",
    "estimate_performance",
    "fit_calibrator",
    "join_delayed_labels",
]

PREDICTION = "prediction"


@dataclass(frozen=True)
class PerformanceEstimate:
    """Accuracy and ROC AUC expected from scores alone.

    Attributes
    ----------
    accuracy : float
        Expected accuracy of ``proba >= threshold`` decisions.
    roc_auc : float
        Expected ROC AUC of the scores (NaN when fewer than 2 rows).
    n : int
        Number of scores.
    threshold : float
        Decision threshold used for accuracy.
    """

    accuracy: float
    roc_auc: float
    n: int
    threshold: float


def _proba(proba) -> np.ndarray:
    p = np.asarray(proba, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"proba must be one-dimensional, got shape {p.shape}")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        bad = p[np.isnan(p) | (p < 0) | (p > 1)][0]
        raise ValueError(
            f"proba must hold probabilities in [0, 1] without missing values, got {bad!r}"
        )
    return p


def estimate_performance(proba, *, threshold: float = 0.5) -> PerformanceEstimate:
    """Confidence-based performance estimate (no labels needed).

    If the scores are calibrated, row *i* is positive with probability ``p_i``, so the decision
    ``p_i >= threshold`` is right with probability ``max``-side confidence ``c_i`` (``p_i`` for
    predicted positives, ``1 - p_i`` otherwise): expected accuracy = ``mean(c_i)``. The ROC AUC
    estimate is the ratio of expectations
    ``sum_{i != j} p_i (1 - p_j) [s_i > s_j] / sum_{i != j} p_i (1 - p_j)`` (ties count 1/2),
    i.e. the AUC expected if each row were positive with its own probability. Exact in
    expectation under covariate shift with calibrated scores; blind to concept drift (the scores
    do not know the concept changed) and biased when scores are over-confident (calibrate them
    on labelled reference data with :func:`fit_calibrator`).

    Parameters
    ----------
    proba : array-like of float
        Predicted probability of the positive class, one per row.
    threshold : float
        Decision threshold.

    Returns
    -------
    PerformanceEstimate

    Examples
    --------
    >>> est = estimate_performance([0.9, 0.8, 0.3, 0.6])
    >>> round(est.accuracy, 3), round(est.roc_auc, 3)
    (0.75, 0.84)
    """
    p = _proba(proba)
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    if p.size == 0:
        return PerformanceEstimate(float("nan"), float("nan"), 0, float(threshold))
    accuracy = float(np.mean(np.where(p >= threshold, p, 1.0 - p)))
    scores, group = np.unique(p, return_inverse=True)
    pos = np.bincount(group, weights=p, minlength=scores.size)
    neg = np.bincount(group, weights=1.0 - p, minlength=scores.size)
    self_pairs = float(np.sum(p * (1.0 - p)))
    neg_below = np.cumsum(neg) - neg
    numerator = np.sum(pos * neg_below) + 0.5 * (np.sum(pos * neg) - self_pairs)
    denominator = pos.sum() * neg.sum() - self_pairs
    auc = float(numerator / denominator) if denominator > 0 else float("nan")
    return PerformanceEstimate(accuracy, auc, int(p.size), float(threshold))


def fit_calibrator(proba, labels):
    """Isotonic calibration of scores, fitted on labelled reference data.

    Fit it on data the model was *not* trained on (a held-out reference window): on training
    data the scores look better calibrated than they are.

    Parameters
    ----------
    proba : array-like of float
        Reference scores.
    labels : array-like of {0, 1}
        Reference labels.

    Returns
    -------
    sklearn.isotonic.IsotonicRegression
        Fitted; ``.predict(scores)`` returns calibrated probabilities (clipped to [0, 1]).

    Examples
    --------
    >>> cal = fit_calibrator([0.1, 0.4, 0.6, 0.9], [0, 0, 1, 1])
    >>> cal.predict([0.2, 0.95]).tolist()
    [0.0, 1.0]
    """
    from sklearn.isotonic import IsotonicRegression

    p = _proba(proba)
    y = np.asarray(labels, dtype=float)
    if y.shape != p.shape or not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(
            f"labels must be 0/1 values, one per score ({p.size}), got {y.size} values "
            f"{np.unique(y)[:5].tolist()}"
        )
    return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)


def join_delayed_labels(
    predictions: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    as_of,
    on: str = "id",
    label_time: str = "label_time",
    target: str = "target",
) -> pd.DataFrame:
    """Attach the labels that had arrived by ``as_of``; later ones stay missing.

    Parameters
    ----------
    predictions : DataFrame
        The prediction log, with key column ``on`` (unique).
    labels : DataFrame
        Columns ``on``, ``target`` and ``label_time`` (when the label arrived); at most one
        label per key.
    as_of : timestamp-like
        The moment of evaluation; labels with ``label_time <= as_of`` are used.
    on, label_time, target : str
        Column names.

    Returns
    -------
    DataFrame
        A copy of ``predictions`` with ``target`` (missing where not arrived yet) and
        ``label_time`` columns.

    Examples
    --------
    >>> import pandas as pd
    >>> preds = pd.DataFrame({"id": [1, 2, 3], "proba": [0.9, 0.2, 0.7]})
    >>> labels = pd.DataFrame({"id": [1, 2], "target": [1, 1],
    ...                        "label_time": pd.to_datetime(["2024-01-02", "2024-01-09"])})
    >>> join_delayed_labels(preds, labels, as_of="2024-01-05")["target"].tolist()
    [1.0, nan, nan]
    """
    for frame, name, cols in [
        (predictions, "predictions", [on]),
        (labels, "labels", [on, target, label_time]),
    ]:
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a DataFrame, got {type(frame).__name__}")
        absent = [c for c in cols if c not in frame.columns]
        if absent:
            raise ValueError(f"{name} must have the columns {cols}, missing {absent}")
    if predictions[on].duplicated().any() or labels[on].duplicated().any():
        raise ValueError(f"on must name a key unique in predictions and labels, got {on!r}")
    clash = [c for c in (target, label_time) if c in predictions.columns]
    arrived = labels.loc[labels[label_time] <= pd.Timestamp(as_of), [on, target, label_time]]
    out = predictions.drop(columns=clash).merge(arrived, on=on, how="left")
    out[target] = out[target].astype(float)
    return out


def _window_ids(stream: pd.DataFrame, window, time_column: str) -> np.ndarray:
    if isinstance(window, int | np.integer) and not isinstance(window, bool):
        if window < 2:
            raise ValueError(f"window must be >= 2 rows, got {window}")
        return np.arange(len(stream)) // window
    try:
        length = pd.Timedelta(window)
    except ValueError:
        raise ValueError(
            f"window must be a row count or a duration like '1D', got {window!r}"
        ) from None
    if length <= pd.Timedelta(0):
        raise ValueError(f"window must be a positive duration, got {window!r}")
    if time_column not in stream.columns:
        raise ValueError(
            f"stream must have the columns {[time_column]} for time windows, "
            f"missing {[time_column]}"
        )
    t = pd.to_datetime(stream[time_column])
    start = t.min().floor(length) if length <= pd.Timedelta("1D") else t.min().floor("D")
    return ((t - start) // length).to_numpy(dtype=np.int64)


class Monitor:
    """Per-window monitoring of features, scores and performance against a reference.

    Scores come from ``model`` (its ``predict_proba(frame[features])[:, 1]``) if given, else from
    the column ``score`` of the frames if present; without either, score drift and estimated
    performance are skipped. Realised performance uses rows whose ``target`` is present (and,
    with ``as_of``, whose ``label_time`` is not later than ``as_of``).

    A column with fewer than 2 non-missing values in a window is not tested there (statistic
    NaN, not drifted).

    Alert rule: a window *flags* when any feature or the score distribution drifted
    (per-window tests from :func:`mlsys_helpers.detect.compare`, p-values corrected across the
    features and the score with ``correction``) or accuracy fell more than ``max_accuracy_drop``
    below the reference accuracy (realised accuracy when at least ``min_labels`` labels have
    arrived, the estimate otherwise). An ``alert`` is raised when the last ``consecutive``
    windows all flagged: with a per-window false-flag rate ``a``, k consecutive windows cut it
    to about ``a**k`` for independent windows.

    Parameters
    ----------
    reference : DataFrame
        Reference data (e.g. a validation window right after training), with ``features`` and,
        for performance baselines and calibration, ``target``.
    features : sequence of str
        Columns to watch.
    window : int or str
        Rows per window, or a fixed duration (``"1D"``, ``"6h"``) over ``time_column``.
    detectors : str or mapping
        Drift test per feature, as ``method`` of :func:`~mlsys_helpers.detect.compare`; the key
        ``"prediction"`` sets the score's test. Default ``"test"`` (``ks``/``chi2``): their
        p-values are what the multiple-testing correction and ``alpha`` control, whatever the
        window size. ``"auto"`` follows evidently's rule, which switches to distances with fixed
        thresholds once the *reference* has over 1000 rows: with small windows those thresholds
        fire on sampling noise alone (chapter 07 shows it).
    model : fitted classifier, optional
        Binary classifier with ``predict_proba``.
    score, target, time_column, label_time : str
        Column names.
    correction : {"bonferroni", "fdr", None}
        Correction across the tests of one window.
    alpha : float
        Significance level of the window tests.
    consecutive : int
        Windows in a row that must flag before an alert.
    max_accuracy_drop : float
        Tolerated fall of accuracy below the reference before a window flags.
    min_labels : int
        Labels needed in a window to trust realised accuracy over the estimate.
    calibrate : bool
        Fit isotonic calibration of the scores on the reference (needs ``target``) and use it
        for the performance estimate.
    threshold : float
        Decision threshold for accuracy.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> ref = pd.DataFrame({"x": rng.normal(size=1000)})
    >>> stream = pd.DataFrame({"x": np.r_[rng.normal(size=1000), rng.normal(2, size=1000)]})
    >>> out = Monitor(ref, features=["x"], window=500).run(stream)
    >>> out[["window", "n_rows", "x_drifted", "alert"]]
       window  n_rows  x_drifted  alert
    0       0     500      False  False
    1       1     500      False  False
    2       2     500       True   True
    3       3     500       True   True
    """

    def __init__(
        self,
        reference: pd.DataFrame,
        *,
        features: Sequence[str],
        window=1000,
        detectors: str | Mapping[str, str] = "test",
        model=None,
        score: str = "proba",
        target: str = "target",
        time_column: str = "timestamp",
        label_time: str = "label_time",
        correction: str | None = "bonferroni",
        alpha: float = 0.05,
        consecutive: int = 1,
        max_accuracy_drop: float = 0.05,
        min_labels: int = 50,
        calibrate: bool = False,
        threshold: float = 0.5,
    ):
        if not isinstance(reference, pd.DataFrame):
            raise TypeError(f"reference must be a DataFrame, got {type(reference).__name__}")
        features = list(features)
        if not features:
            raise ValueError(f"features must name at least one column, got {features!r}")
        absent = [f for f in features if f not in reference.columns]
        if absent:
            raise ValueError(f"reference must have the columns {features}, missing {absent}")
        if int(consecutive) != consecutive or consecutive < 1:
            raise ValueError(f"consecutive must be an integer >= 1, got {consecutive!r}")
        if model is not None and not hasattr(model, "predict_proba"):
            raise TypeError(
                "model must have predict_proba (a fitted binary classifier), "
                f"got {type(model).__name__}"
            )
        if calibrate and target not in reference.columns:
            raise ValueError(
                f"reference must have the columns {[target]} when calibrate=True, "
                f"missing {[target]}"
            )
        self.reference = reference
        self.features = features
        self.window = window
        self.detectors = detectors
        self.model = model
        self.score = score
        self.target = target
        self.time_column = time_column
        self.label_time = label_time
        self.correction = correction
        self.alpha = alpha
        self.consecutive = int(consecutive)
        self.max_accuracy_drop = max_accuracy_drop
        self.min_labels = min_labels
        self.calibrate = calibrate
        self.threshold = threshold

    def _scores(self, frame: pd.DataFrame) -> np.ndarray | None:
        if self.model is not None:
            return np.asarray(self.model.predict_proba(frame[self.features])[:, 1], dtype=float)
        if self.score in frame.columns:
            return frame[self.score].to_numpy(dtype=float)
        return None

    def run(self, stream: pd.DataFrame, *, as_of=None) -> pd.DataFrame:
        """Monitor ``stream`` window by window.

        Parameters
        ----------
        stream : DataFrame
            Rows in arrival order with the ``features`` (and optionally score, target,
            timestamp and label-time columns).
        as_of : timestamp-like, optional
            Evaluate as of this moment: labels whose ``label_time`` is later are ignored.

        Returns
        -------
        DataFrame
            One row per non-empty window: ``window, start, end, n_rows``; for each feature
            ``<feature>_statistic`` and ``<feature>_drifted``; ``prediction_statistic``,
            ``prediction_drifted``; ``n_drifted`` (features); ``n_labelled``, ``accuracy``,
            ``roc_auc`` (realised, NaN without labels); ``estimated_accuracy``,
            ``estimated_roc_auc``; ``drift_flag``, ``performance_flag``, ``alert`` (bool) and
            ``alert_reason``. ``start``/``end`` are timestamps when ``time_column`` exists,
            row positions otherwise. The long per-feature table is kept in ``tests_``.
        """
        if not isinstance(stream, pd.DataFrame):
            raise TypeError(f"stream must be a DataFrame, got {type(stream).__name__}")
        absent = [f for f in self.features if f not in stream.columns]
        if absent:
            raise ValueError(f"stream must have the columns {self.features}, missing {absent}")
        ids = _window_ids(stream, self.window, self.time_column)
        inputs = self._inputs(stream, as_of)
        has_time = self.time_column in stream.columns
        rows, tests = [], []
        for w in np.unique(ids):
            idx = np.flatnonzero(ids == w)
            table = _window_tests(self, inputs, stream, idx)
            tests.append(table.assign(window=int(w)))
            times = stream[self.time_column].iloc[idx] if has_time else pd.Series(idx)
            row = {"window": int(w), "start": times.min(), "end": times.max(), "n_rows": idx.size}
            row |= _drift_columns(table)
            row |= _window_performance(inputs, idx, self.threshold)
            rows.append(row)
        out = pd.DataFrame(rows)
        if inputs.scores is None:
            out[f"{PREDICTION}_statistic"] = np.nan
            out[f"{PREDICTION}_drifted"] = False
        out = _alerts(self, out, inputs)
        order = ["window", "start", "end", "n_rows"]
        order += [
            f"{c}_{s}" for c in [*self.features, PREDICTION] for s in ("statistic", "drifted")
        ]
        out = out[order + [c for c in out.columns if c not in order]]
        self.reference_accuracy_ = inputs.baseline
        self.tests_ = pd.concat(tests, ignore_index=True)
        return out

    def _inputs(self, stream: pd.DataFrame, as_of) -> _RunInputs:
        """What every window needs: the reference (with its scores), the stream's scores (and
        their calibrated version for the estimate), its labels as of ``as_of`` and the
        reference accuracy."""
        from sklearn.metrics import accuracy_score

        ref = self.reference[self.features].copy()
        ref_scores = self._scores(self.reference)
        scores = self._scores(stream)
        has_scores = ref_scores is not None and scores is not None
        columns = list(self.features)
        if has_scores:
            ref[PREDICTION] = ref_scores
            columns.append(PREDICTION)
        estimate_scores = scores
        baseline = np.nan
        if has_scores and self.target in self.reference.columns:
            y_ref = self.reference[self.target].to_numpy(dtype=float)
            ok = ~np.isnan(y_ref)
            baseline = accuracy_score(y_ref[ok], ref_scores[ok] >= self.threshold)
            if self.calibrate:
                estimate_scores = fit_calibrator(ref_scores[ok], y_ref[ok]).predict(scores)
        labels = (
            stream[self.target].to_numpy(dtype=float)
            if self.target in stream.columns
            else np.full(len(stream), np.nan)
        )
        if as_of is not None and self.label_time in stream.columns:
            late = (pd.to_datetime(stream[self.label_time]) > pd.Timestamp(as_of)).to_numpy()
            labels = np.where(late, np.nan, labels)
        return _RunInputs(
            ref=ref,
            columns=columns,
            scores=scores if has_scores else None,
            estimate_scores=estimate_scores,
            labels=labels,
            baseline=baseline,
        )


# -- Monitor.run's parts: the per-window checks and the alert rule --------------------------------
@dataclass(frozen=True)
class _RunInputs:
    """What :meth:`Monitor.run` computes once for all windows (``scores`` None: no scores)."""

    ref: pd.DataFrame
    columns: list
    scores: np.ndarray | None
    estimate_scores: np.ndarray | None
    labels: np.ndarray
    baseline: float


def _window_tests(monitor: Monitor, inputs: _RunInputs, stream: pd.DataFrame, idx) -> pd.DataFrame:
    """Drift tests of one window against the reference: one row per column (features, then
    the score); a column with fewer than 2 values is not tested (NaN, not drifted)."""
    current = stream.iloc[idx][monitor.features].copy()
    if inputs.scores is not None:
        current[PREDICTION] = inputs.scores[idx]
    testable = [c for c in inputs.columns if current[c].notna().sum() >= 2]
    table = detect.compare(
        inputs.ref,
        current,
        columns=testable,
        method=monitor.detectors,
        correction=monitor.correction,
        alpha=monitor.alpha,
    )
    for c in inputs.columns:
        if c not in testable:
            row_missing = {"column": c, "statistic": np.nan, "drifted": False}
            table = pd.concat([table, pd.DataFrame([row_missing])], ignore_index=True)
    return table


def _drift_columns(table: pd.DataFrame) -> dict:
    """The window's ``<column>_statistic``/``<column>_drifted`` pairs and ``n_drifted``."""
    row = {}
    for rec in table.itertuples(index=False):
        row[f"{rec.column}_statistic"] = rec.statistic
        row[f"{rec.column}_drifted"] = bool(rec.drifted)
    row["n_drifted"] = int(table.loc[table["column"] != PREDICTION, "drifted"].astype(bool).sum())
    return row


def _window_performance(inputs: _RunInputs, idx: np.ndarray, threshold: float) -> dict:
    """Realised accuracy and ROC AUC from the labels that arrived, and the estimates."""
    from sklearn.metrics import accuracy_score, roc_auc_score

    y = inputs.labels[idx]
    known = ~np.isnan(y)
    row = {"n_labelled": int(known.sum())}
    row["accuracy"] = row["roc_auc"] = row["estimated_accuracy"] = np.nan
    row["estimated_roc_auc"] = np.nan
    if inputs.scores is not None:
        if known.any():
            pred = inputs.scores[idx][known]
            row["accuracy"] = accuracy_score(y[known], pred >= threshold)
            if np.unique(y[known]).size == 2:
                row["roc_auc"] = roc_auc_score(y[known], pred)
        est = estimate_performance(inputs.estimate_scores[idx], threshold=threshold)
        row["estimated_accuracy"], row["estimated_roc_auc"] = est.accuracy, est.roc_auc
    return row


def _alerts(monitor: Monitor, out: pd.DataFrame, inputs: _RunInputs) -> pd.DataFrame:
    """Add ``drift_flag``, ``performance_flag``, ``alert`` and ``alert_reason`` (the alert
    rule of the class docstring)."""
    columns = inputs.columns
    out["drift_flag"] = out[[f"{c}_drifted" for c in columns]].any(axis=1)
    use_real = out["n_labelled"] >= monitor.min_labels
    acc = out["accuracy"].where(use_real, out["estimated_accuracy"])
    out["performance_flag"] = (
        (acc < inputs.baseline - monitor.max_accuracy_drop).fillna(False).astype(bool)
    )
    flag = out["drift_flag"] | out["performance_flag"]
    run = flag.astype(int).groupby((~flag).cumsum()).cumsum()
    out["alert"] = run >= monitor.consecutive
    out["alert_reason"] = [
        ", ".join(
            [f"drift: {', '.join(c for c in columns if r[f'{c}_drifted'])}"] * bool(r["drift_flag"])
            + ["accuracy drop"] * bool(r["performance_flag"])
        )
        if r["alert"]
        else ""
        for r in out.to_dict("records")
    ]
    return out
