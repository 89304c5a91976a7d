"""The lifecycle: serve, wait for labels, decide whether to retrain, pay for it all.

:func:`simulate` runs a model through ``periods`` consecutive periods of a drifting world (or of
a time-ordered frame) under a retraining policy, and returns one row per period: the score,
whether the policy retrained, the labels it had, and the cumulative cost. Policies:

- :class:`Never`: train once; never pays for labels.
- :class:`Periodic`: retrain every ``every`` periods, whatever happens.
- :class:`OnDrift`: feed a streaming detector (:mod:`mlsys_helpers.detect`) the current model's
  errors on the labels that arrive (or a feature's values) and retrain when it fires.
- :class:`OnPerformanceDrop`: retrain when the error on arriving labels exceeds the error
  measured right after the last (re)training by more than ``tolerance``.

The timeline of one period ``p`` (labels arrive ``label_delay`` periods late)::

    serve period p with the current model          -> score, cost of errors
    labels of period p - label_delay arrive         -> cost of labels (unless the policy is Never)
    the policy sees the current model's errors on them, decides
    if it retrains: fit on the last ``window`` labelled rows -> used from period p + 1

Policies only ever see labels that have arrived. The initial model is fitted on the
``train_size`` rows before period 0 (they count as labelled).

**Feedback (selective labels).** With ``feedback=Feedback(...)`` the model also *decides*: an
applicant predicted to default (probability >= ``threshold``) is declined, and only approved
applicants ever get a label. Retraining then learns only from the approved, and the policy only
sees their errors. :class:`Feedback` has the three usual fixes: approve a small random share of
the declined (``explore``), weight those labels by the inverse of their approval probability
(``ipw=True``), or keep a random ``holdout`` of applicants approved whatever the model says and
retrain on that unbiased group alone. Without ``feedback`` nothing changes.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from mlsys_helpers.train import feature_columns, infer_task, make_pipeline_for

__all__ = [
    "Feedback",
    "Never",
    "Observation",
    "OnDrift",
    "OnPerformanceDrop",
    "Periodic",
    "Policy",
    "compare_policies",
    "simulate",
]


# ------------------------------------------------------------------------------- policies
@dataclass(frozen=True)
class Observation:
    """What a policy may look at when it decides, at the end of a period.

    Attributes
    ----------
    period : int
    periods_since_retrain : int
        Periods served by the current model, this one included.
    n_labels : int, default 0
        Labelled rows that have arrived so far (the initial training rows excluded).
    errors : ndarray, default empty
        The current model's per-row loss on the labels that arrived this period (0/1 mistakes
        for classification, absolute errors for regression); empty when none arrived.
    labelled : DataFrame, default empty
        Features of the rows whose labels arrived this period (the rows behind ``errors``).
    served : DataFrame, default empty
        Features of the rows served this period (available at once, no label needed).

    Examples
    --------
    >>> Observation(period=3, periods_since_retrain=2, n_labels=10, errors=np.zeros(10)).n_labels
    10
    """

    period: int
    periods_since_retrain: int
    n_labels: int = 0
    errors: np.ndarray = field(default_factory=lambda: np.zeros(0))
    labelled: pd.DataFrame = field(default_factory=pd.DataFrame)
    served: pd.DataFrame = field(default_factory=pd.DataFrame)


class Policy:
    """Base class: ``decide(observation) -> bool`` and ``reset()`` after each retraining.

    :func:`simulate` works on a deep copy, so a policy (and its detector) can be reused.
    """

    #: Whether the policy buys labels (only :class:`Never` does not).
    needs_labels = True

    def decide(self, observation: Observation) -> bool:  # pragma: no cover - abstract
        """Return True to retrain now."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget what was seen (called after each retraining)."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


class Never(Policy):
    """Train once, never retrain (and never buy labels).

    Examples
    --------
    >>> Never().decide(None)
    False
    """

    needs_labels = False

    def decide(self, observation: Observation) -> bool:
        """Always False."""
        return False


class Periodic(Policy):
    """Retrain every ``every`` periods (``every=1``: at the end of each period).

    Examples
    --------
    >>> policy = Periodic(every=4)
    >>> [policy.decide(Observation(period=p, periods_since_retrain=p + 1)) for p in range(5)]
    [False, False, False, True, True]
    """

    def __init__(self, every: int = 1) -> None:
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"every must be an int >= 1, got {every!r}")
        self.every = int(every)

    def decide(self, observation: Observation) -> bool:
        """True once the current model has served ``every`` periods."""
        return observation.periods_since_retrain >= self.every


class OnDrift(Policy):
    """Retrain when a streaming detector fires.

    Parameters
    ----------
    detector : streaming detector
        Anything with ``update(x)``, ``drift_detected`` and ``reset()`` (e.g.
        :class:`mlsys_helpers.detect.DDM` on 0/1 errors, ``PageHinkley`` on absolute errors).
    signal : str, default "error"
        ``"error"`` feeds the current model's per-row loss on arriving labels (in row order,
        so it waits for the labels); a column name feeds that feature's values of the rows
        served this period instead (label-free, no delay, blind to concept drift).

    Examples
    --------
    >>> from mlsys_helpers.detect import DDM
    >>> policy = OnDrift(DDM())
    >>> calm = Observation(0, 1, n_labels=200, errors=np.zeros(200))
    >>> storm = Observation(1, 2, n_labels=400, errors=np.ones(200))
    >>> policy.decide(calm), policy.decide(storm)
    (False, True)
    """

    def __init__(self, detector: Any, *, signal: str = "error") -> None:
        for name in ("update", "reset"):
            if not callable(getattr(detector, name, None)):
                raise TypeError(
                    f"detector must have update() and reset(), got {type(detector).__name__}"
                )
        if not isinstance(signal, str):
            raise TypeError(f"signal must be 'error' or a column name, got {signal!r}")
        self.detector = detector
        self.signal = signal

    def decide(self, observation: Observation) -> bool:
        """Feed the period's signal one value at a time; True if the detector fired."""
        if self.signal == "error":
            values = observation.errors
        elif self.signal in observation.served.columns:
            values = observation.served[self.signal].to_numpy(dtype=float)
        else:
            raise ValueError(f"signal {self.signal!r} is not a feature column")
        fired = False
        for value in values:
            if self.detector.update(float(value)).drift_detected:
                fired = True
                break  # retrain now; the rest of the period was served by the old model anyway
        return fired

    def reset(self) -> None:
        """Reset the detector."""
        self.detector.reset()


class OnPerformanceDrop(Policy):
    """Retrain when the error on arriving labels rises more than ``tolerance`` above its baseline.

    The baseline is the mean error of the first labelled batch the current model is scored on
    (the first labels after (re)training). ``tolerance`` is absolute: 0.05 means five points of
    accuracy for classification, or 0.05 units of mean absolute error for regression.

    Examples
    --------
    >>> policy = OnPerformanceDrop(tolerance=0.05)
    >>> seen = [Observation(p, p + 1, n_labels=100, errors=np.full(100, e)) for p, e in
    ...         enumerate([0.10, 0.12, 0.30])]
    >>> [policy.decide(o) for o in seen]
    [False, False, True]
    """

    def __init__(self, tolerance: float = 0.05) -> None:
        if (
            isinstance(tolerance, bool)
            or not isinstance(tolerance, numbers.Real)
            or not tolerance >= 0
        ):
            raise ValueError(f"tolerance must be a number >= 0, got {tolerance!r}")
        self.tolerance = float(tolerance)
        self._baseline: float | None = None

    def decide(self, observation: Observation) -> bool:
        """Compare the mean error of the arrived labels with the baseline."""
        if len(observation.errors) == 0:
            return False
        error = float(np.mean(observation.errors))
        if self._baseline is None:
            self._baseline = error
            return False
        return error > self._baseline + self.tolerance

    def reset(self) -> None:
        """Forget the baseline."""
        self._baseline = None


# ------------------------------------------------------------------------------- feedback
@dataclass(frozen=True)
class Feedback:
    """The model decides who gets a label: only approved applicants' outcomes are ever known.

    Each served row is approved when the current model's predicted probability of the positive
    class (default) is below ``threshold``; declined rows get no label. Fixes, alone or
    together:

    - ``explore``: approve this share of the declined rows at random (their outcomes are
      learned, at the price of the defaults among them, reported as ``explored_defaults``);
    - ``ipw``: weight each label by ``1 / P(approved)`` when retraining (``1 / explore`` for an
      explored row, 1 for the others), so the labelled sample stands for all applicants again;
      needs ``explore > 0`` (a row that can never be approved cannot be re-weighted);
    - ``holdout``: approve this share of *all* rows at random, whatever the model says, and
      retrain on those rows only (an unbiased but small training set).

    Parameters
    ----------
    threshold : float, default 0.5
        Decline when P(default) >= threshold; in (0, 1).
    explore : float, default 0.0
        In [0, 1).
    ipw : bool, default False
    holdout : float, default 0.0
        In [0, 1).
    seed : int, default 0
        Seeds the random approvals (the same seed gives the same coin flips on the same data).

    Examples
    --------
    >>> Feedback(explore=0.05, ipw=True)
    Feedback(threshold=0.5, explore=0.05, ipw=True, holdout=0.0, seed=0)
    >>> Feedback(ipw=True)
    Traceback (most recent call last):
    ...
    ValueError: ipw needs explore > 0: a declined row is never labelled, so it has no weight
    """

    threshold: float = 0.5
    explore: float = 0.0
    ipw: bool = False
    holdout: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name, low_open in (("threshold", True), ("explore", False), ("holdout", False)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a float, got {type(value).__name__}")
            low_ok = value > 0 if low_open else value >= 0
            if not (low_ok and value < 1):
                interval = "(0, 1)" if low_open else "[0, 1)"
                raise ValueError(f"{name} must be in {interval}, got {value!r}")
        if not isinstance(self.ipw, bool):
            raise TypeError(f"ipw must be True or False, got {self.ipw!r}")
        if self.ipw and self.explore == 0:
            raise ValueError(
                "ipw needs explore > 0: a declined row is never labelled, so it has no weight"
            )
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, numbers.Integral)
            or self.seed < 0
        ):
            raise ValueError(f"seed must be an int >= 0, got {self.seed!r}")


# ----------------------------------------------------------------------------- simulation
def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_cost(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


def _sizes(source, periods: int, period_size, train_size) -> tuple[int, int]:
    """``period_size`` and ``train_size``, derived from a frame's length when not given.

    A world: 2000 rows per period. A frame: its rows shared out, ``train_size`` first (when given,
    else a period's worth), then ``periods`` equal periods; leftover rows (fewer than one per
    period) are not used.
    """
    if period_size is None and isinstance(source, pd.DataFrame):
        if train_size is None:
            period_size = len(source) // (periods + 1)
        else:
            train_size = _check_int("train_size", train_size, 2)
            period_size = (len(source) - train_size) // periods
        if period_size < 1:
            raise ValueError(
                f"frame has {len(source)} rows: too few for {periods} periods after training; "
                "give period_size and train_size"
            )
    elif period_size is None:
        period_size = 2000
    period_size = _check_int("period_size", period_size, 1)
    train_size = period_size if train_size is None else _check_int("train_size", train_size, 2)
    return period_size, train_size


def _frame_from(
    source, *, periods, period_size, train_size, period, start, drifts, rng, time_column
):
    """The rows of the simulation: ``train_size`` rows, then ``periods`` x ``period_size``."""
    n = train_size + periods * period_size
    if isinstance(source, pd.DataFrame):
        if drifts:
            raise ValueError("drifts apply to a world; inject them into a frame with drift.inject")
        if len(source) < n:
            raise ValueError(
                f"frame has {len(source)} rows; train_size + periods * period_size needs {n}"
            )
        if time_column in source.columns:
            source = source.sort_values(time_column, kind="stable")
        return source.iloc[:n].reset_index(drop=True)
    if not callable(getattr(source, "sample", None)) or not hasattr(source, "features"):
        raise TypeError(f"source must be a World or a DataFrame, got {type(source).__name__}")
    step = pd.Timedelta(period) / period_size
    if step <= pd.Timedelta(0):
        raise ValueError(f"period must be a positive duration, got {period!r}")
    first = pd.Timestamp(start) - train_size * step
    return source.sample(n, start=first, freq=step, drifts=drifts, rng=rng)


def simulate(
    source: Any,
    model: Any,
    policy: Policy,
    *,
    periods: int,
    period_size: int | None = None,
    train_size: int | None = None,
    window: int | None = None,
    label_delay: int = 0,
    drifts: Any = (),
    start: Any = "2024-01-01",
    period: Any = "7D",
    features: Any = None,
    target: str = "target",
    time_column: str = "timestamp",
    label_cost: float = 0.0,
    retrain_cost: float = 0.0,
    error_cost: float = 1.0,
    task: str | None = None,
    feedback: Feedback | None = None,
    rng: object = None,
) -> pd.DataFrame:
    """Run a model through ``periods`` periods under a retraining ``policy``.

    Parameters
    ----------
    source : World or DataFrame
        A world is sampled (``train_size + periods * period_size`` rows, ``drifts`` applied) so
        that period 0 starts at ``start`` and each period lasts ``period``; put a drift at the
        start of period ``k`` with ``start + k * period``. A frame is sorted by
        ``time_column`` and cut into the same consecutive chunks of rows.
    model : estimator or None
        Unfitted; cloned at each (re)training. None: :func:`~mlsys_helpers.train.make_pipeline_for`.
    policy : Policy
        Used on a deep copy (the object passed in is not changed).
    periods : int
    period_size : int, optional
        Rows served per period. Default: 2000 for a world; for a frame, its rows shared out
        (``(len(frame) - train_size) // periods``, or ``len(frame) // (periods + 1)`` when
        ``train_size`` is not given either).
    train_size : int, optional
        Rows before period 0 used for the first model (default ``period_size``).
    window : int, optional
        Retraining uses the last ``window`` labelled rows (default ``train_size``).
    label_delay : int, default 0
        Labels of period ``p`` arrive at the end of period ``p + label_delay``.
    drifts : Drift or sequence of Drift
        For a world source.
    start, period : timestamp-like and duration, default "2024-01-01" and "7D"
    features : sequence of str, optional
        Default: the world's features, or every column of the frame except the target, the time
        and the truth columns.
    target, time_column : str
    label_cost, retrain_cost, error_cost : float
        Per label bought, per retraining, per error (a misclassified row, or one unit of
        absolute error for regression).
    task : {"classification", "regression"}, optional
        Default: the world's task, else guessed from the target (float -> regression). Give it
        for integer counts (e.g. bikes per hour), which would otherwise count as classes.
    feedback : Feedback, optional
        Let the model decide who gets a label (binary classification with ``predict_proba``);
        see :class:`Feedback`. Default: every served row is labelled.
    rng : None, int or Generator
        Samples the world.

    Returns
    -------
    DataFrame
        One row per period: ``period, start, n_rows``, ``accuracy`` (classification) or ``mae``
        (regression), ``retrained`` (at the end of this period; never at the end of the last
        one, whose new model would never serve, so it is neither trained nor billed),
        ``n_retrains`` (so far),
        ``labels_available`` (bought and arrived so far; 0 for :class:`Never`), ``drift_weight`` (mean over the period's rows,
        when the source has it, else NaN) and the cumulative costs ``cost_labels,
        cost_retraining, cost_errors, cost``. With ``feedback``, ``accuracy`` is still measured
        on every applicant (the simulator knows all outcomes), and four columns say what the
        team can see: ``approval_rate``, ``accuracy_approved`` (on this period's approved rows,
        the only ones that will get a label), ``explored`` (rows approved at random this
        period, exploration and holdout) and ``explored_defaults`` (defaults among them, so far).

    Examples
    --------
    >>> from mlsys_helpers.world import LoanWorld
    >>> out = simulate(LoanWorld(), None, Periodic(every=2), periods=5, period_size=500, rng=0)
    >>> out[["period", "retrained", "n_retrains"]].to_dict("list")
    {'period': [0, 1, 2, 3, 4], 'retrained': [False, True, False, True, False], 'n_retrains': [0, 1, 1, 2, 2]}
    >>> bool(out["accuracy"].between(0.7, 0.95).all())
    True
    """
    # Fits here are small (thousands of rows): BLAS threads only fight each other (and other
    # processes) for the cores, which can make a fit 10x slower. One thread while we run.
    with threadpool_limits(limits=1, user_api="blas"):
        return _simulate(
            source,
            model,
            policy,
            periods=periods,
            period_size=period_size,
            train_size=train_size,
            window=window,
            label_delay=label_delay,
            drifts=drifts,
            start=start,
            period=period,
            features=features,
            target=target,
            time_column=time_column,
            label_cost=label_cost,
            retrain_cost=retrain_cost,
            error_cost=error_cost,
            task=task,
            feedback=feedback,
            rng=rng,
        )


def _simulate(
    source,
    model,
    policy,
    *,
    periods,
    period_size,
    train_size,
    window,
    label_delay,
    drifts,
    start,
    period,
    features,
    target,
    time_column,
    label_cost,
    retrain_cost,
    error_cost,
    task,
    feedback,
    rng,
) -> pd.DataFrame:
    if not isinstance(policy, Policy):
        raise TypeError(
            f"policy must be a Policy (Never, Periodic, ...), got {type(policy).__name__}"
        )
    periods = _check_int("periods", periods, 1)
    period_size, train_size = _sizes(source, periods, period_size, train_size)
    window = train_size if window is None else _check_int("window", window, 2)
    label_delay = _check_int("label_delay", label_delay, 0)
    costs = {
        name: _check_cost(name, v)
        for name, v in (
            ("label_cost", label_cost),
            ("retrain_cost", retrain_cost),
            ("error_cost", error_cost),
        )
    }
    frame = _frame_from(
        source,
        periods=periods,
        period_size=period_size,
        train_size=train_size,
        period=period,
        start=start,
        drifts=drifts,
        rng=rng,
        time_column=time_column,
    )
    if target not in frame.columns:
        raise ValueError(f"target {target!r} is not a column of the source")
    if features is None:
        features = (
            list(source.features)
            if hasattr(source, "features") and not isinstance(source, pd.DataFrame)
            else sum(feature_columns(frame, target, time_column=time_column), [])
        )
    features = list(features)
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task must be 'classification', 'regression' or None, got {task!r}")
    task = task or getattr(source, "task", None) or infer_task(frame[target])
    if model is None:
        model = make_pipeline_for(frame, target, features=features, task=task)
    policy = copy.deepcopy(policy)

    X, y = frame[features], frame[target].to_numpy()
    bounds = [(0, train_size)] + [
        (train_size + k * period_size, train_size + (k + 1) * period_size) for k in range(periods)
    ]

    def loss(pred: np.ndarray, truth: np.ndarray) -> np.ndarray:
        if task == "classification":
            return (pred != truth).astype(float)
        return np.abs(pred.astype(float) - truth.astype(float))

    if feedback is not None:
        if not isinstance(feedback, Feedback):
            raise TypeError(f"feedback must be a Feedback, got {type(feedback).__name__}")
        if task != "classification" or len(np.unique(y)) > 2:
            raise ValueError("feedback needs a binary classification target (1 = decline)")
        setup = {"train_size": train_size, "window": window, "label_delay": label_delay}
        return _simulate_feedback(frame, X, y, bounds, model, policy, feedback, costs=costs,
                                  time_column=time_column, **setup)  # fmt: skip
    current = clone(model).fit(X.iloc[:train_size], y[:train_size])
    version, age, labelled_end = 0, 0, train_size  # labelled rows are frame[:labelled_end]
    cache: dict[int, tuple[int, np.ndarray]] = {}  # period -> (model version, predictions)
    totals = dict.fromkeys(("labels", "retraining", "errors"), 0.0)
    n_retrains, n_labels = 0, 0
    rows = []
    for p in range(periods):
        lo, hi = bounds[p + 1]
        pred = np.asarray(current.predict(X.iloc[lo:hi]))
        cache[p] = (version, pred)
        period_loss = loss(pred, y[lo:hi])
        totals["errors"] += costs["error_cost"] * float(period_loss.sum())
        age += 1
        arrived = p - label_delay
        errors, arrived_rows = np.array([]), X.iloc[0:0]
        if arrived >= 0:
            a_lo, a_hi = bounds[arrived + 1]
            labelled_end = a_hi
            if policy.needs_labels:  # Never buys no labels: it has none
                n_labels += a_hi - a_lo
                totals["labels"] += costs["label_cost"] * (a_hi - a_lo)
            cached_version, cached = cache.pop(arrived)
            if cached_version != version:
                cached = np.asarray(current.predict(X.iloc[a_lo:a_hi]))
            errors, arrived_rows = loss(cached, y[a_lo:a_hi]), X.iloc[a_lo:a_hi]
        observation = Observation(
            p, age, n_labels=n_labels, errors=errors, labelled=arrived_rows, served=X.iloc[lo:hi]
        )
        # the policy still sees the last period, but a model trained after it would never serve:
        # it is neither trained nor billed
        retrained = bool(policy.decide(observation)) and p < periods - 1
        if retrained:
            w_lo = max(0, labelled_end - window)
            current = clone(model).fit(X.iloc[w_lo:labelled_end], y[w_lo:labelled_end])
            version, age = version + 1, 0
            n_retrains += 1
            totals["retraining"] += costs["retrain_cost"]
            policy.reset()
        score = (
            {"mae": float(period_loss.mean())}
            if task == "regression"
            else {"accuracy": 1.0 - float(period_loss.mean())}
        )
        rows.append(
            _period_row(
                frame, time_column, p, lo, hi, score, retrained, n_retrains, n_labels, totals
            )  # fmt: skip
        )
    return pd.DataFrame(rows)


def _period_row(frame, time_column, p, lo, hi, score, retrained, n_retrains, n_labels, totals):
    """One row of :func:`simulate`'s result (``score``: ``{"accuracy": ...}`` or ``{"mae": ...}``)."""
    return {
        "period": p,
        "start": frame[time_column].iloc[lo] if time_column in frame.columns else pd.NaT,
        "n_rows": hi - lo,
        **score,
        "retrained": retrained,
        "n_retrains": n_retrains,
        "labels_available": n_labels,
        "drift_weight": float(frame["drift_weight"].iloc[lo:hi].mean())
        if "drift_weight" in frame.columns
        else np.nan,
        "cost_labels": totals["labels"],
        "cost_retraining": totals["retraining"],
        "cost_errors": totals["errors"],
        "cost": sum(totals.values()),
    }


def _fit_weighted(model: Any, X: pd.DataFrame, y: np.ndarray, weight: np.ndarray) -> Any:
    """Clone and fit ``model``, passing ``weight`` to its last step when not all ones."""
    fitted = clone(model)
    if np.all(weight == 1.0):
        return fitted.fit(X, y)
    key = f"{fitted.steps[-1][0]}__sample_weight" if hasattr(fitted, "steps") else "sample_weight"
    return fitted.fit(X, y, **{key: weight})


def _simulate_feedback(
    frame, X, y, bounds, model, policy, feedback, *, costs, time_column, train_size, window,
    label_delay,
) -> pd.DataFrame:  # fmt: skip
    """:func:`simulate` when the model's decisions choose which rows get a label."""
    draws = np.random.default_rng([feedback.seed, 16])
    n = len(frame)
    labelled = np.zeros(n, dtype=bool)  # approved (the label exists once it has arrived)
    labelled[:train_size] = True
    pool = labelled.copy()  # rows retraining may use (holdout: the random group only)
    weight = np.ones(n)
    current = clone(model).fit(X.iloc[:train_size], y[:train_size])
    version, age, labelled_end = 0, 0, train_size
    cache: dict[int, tuple[int, np.ndarray]] = {}
    totals = dict.fromkeys(("labels", "retraining", "errors"), 0.0)
    n_retrains, n_labels, explored_defaults = 0, 0, 0
    rows = []
    for p in range(len(bounds) - 1):
        lo, hi = bounds[p + 1]
        pred = (current.predict_proba(X.iloc[lo:hi])[:, 1] >= feedback.threshold).astype(y.dtype)
        cache[p] = (version, pred)
        hold = draws.random(hi - lo) < feedback.holdout
        explored = ~hold & (pred == 1) & (draws.random(hi - lo) < feedback.explore)
        approved = hold | explored | (pred == 0)
        labelled[lo:hi] = approved
        pool[lo:hi] = hold if feedback.holdout > 0 else approved
        if feedback.ipw:
            weight[lo:hi][explored] = 1.0 / feedback.explore
        explored_defaults += int((y[lo:hi][hold | explored] == 1).sum())
        wrong = pred != y[lo:hi]
        totals["errors"] += costs["error_cost"] * float(wrong.sum())
        age += 1
        arrived = p - label_delay
        errors, arrived_rows = np.array([]), X.iloc[0:0]
        if arrived >= 0:
            a_lo, a_hi = bounds[arrived + 1]
            labelled_end = a_hi
            got = np.flatnonzero(labelled[a_lo:a_hi]) + a_lo
            if policy.needs_labels:
                n_labels += got.size
                totals["labels"] += costs["label_cost"] * got.size
            cached_version, cached = cache.pop(arrived)
            if cached_version != version:
                cached = (
                    current.predict_proba(X.iloc[a_lo:a_hi])[:, 1] >= feedback.threshold
                ).astype(y.dtype)
            errors = (cached[got - a_lo] != y[got]).astype(float)
            arrived_rows = X.iloc[got]
        observation = Observation(
            p, age, n_labels=n_labels, errors=errors, labelled=arrived_rows, served=X.iloc[lo:hi]
        )
        retrained = bool(policy.decide(observation)) and p < len(bounds) - 2  # as in _simulate
        if retrained:
            usable = np.flatnonzero(pool[:labelled_end])[-window:]
            current = _fit_weighted(model, X.iloc[usable], y[usable], weight[usable])
            version, age = version + 1, 0
            n_retrains += 1
            totals["retraining"] += costs["retrain_cost"]
            policy.reset()
        score = {"accuracy": 1.0 - float(wrong.mean())}
        rows.append(
            _period_row(
                frame, time_column, p, lo, hi, score, retrained, n_retrains, n_labels, totals
            )  # fmt: skip
            | {
                "approval_rate": float(approved.mean()),
                "accuracy_approved": 1.0 - float(wrong[approved].mean())
                if approved.any()
                else np.nan,
                "explored": int((hold | explored).sum()),
                "explored_defaults": explored_defaults,
            }
        )
    return pd.DataFrame(rows)


def compare_policies(
    source: Any, model: Any, policies: Mapping[str, Policy], *, rng: object = None, **kwargs: Any
) -> pd.DataFrame:
    """Run :func:`simulate` for several policies on the *same* data; stack the results.

    A world is sampled once (so every policy sees the same rows); ``kwargs`` go to
    :func:`simulate`. Returns its columns plus ``policy`` (first).

    Examples
    --------
    >>> from mlsys_helpers.world import LoanWorld
    >>> out = compare_policies(LoanWorld(), None, {"never": Never(), "weekly": Periodic(1)},
    ...                        periods=3, period_size=300, rng=0)
    >>> out.groupby("policy")["n_retrains"].max().to_dict()
    {'never': 0, 'weekly': 2}
    """
    if not isinstance(policies, Mapping) or not policies:
        raise TypeError("policies must be a non-empty dict of name -> Policy")
    if not isinstance(source, pd.DataFrame):
        sizes = {k: kwargs.get(k) for k in ("periods", "period_size", "train_size")}
        if sizes["periods"] is None:
            raise ValueError("periods is required")
        period_size = _check_int("period_size", sizes["period_size"] or 2000, 1)
        train_size = sizes["train_size"] or period_size
        frame = _frame_from(
            source,
            periods=_check_int("periods", sizes["periods"], 1),
            period_size=period_size,
            train_size=_check_int("train_size", train_size, 2),
            period=kwargs.get("period", "7D"),
            start=kwargs.get("start", "2024-01-01"),
            drifts=kwargs.pop("drifts", ()),
            rng=rng,
            time_column=kwargs.get("time_column", "timestamp"),
        )
        kwargs.setdefault("features", list(source.features))
        source = frame
    parts = []
    for name, policy in policies.items():
        out = simulate(source, model, policy, **kwargs)
        out.insert(0, "policy", name)
        parts.append(out)
    return pd.concat(parts, ignore_index=True)
