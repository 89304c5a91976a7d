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
import reprlib
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
            raise TypeError(f"signal must be 'error' or a column name, got {type(signal).__name__}")
        self.detector = detector
        self.signal = signal

    def decide(self, observation: Observation) -> bool:
        """Feed the period's signal one value at a time; True if the detector fired."""
        if self.signal == "error":
            values = observation.errors
        elif self.signal in observation.served.columns:
            values = observation.served[self.signal].to_numpy(dtype=float)
        else:
            raise ValueError(
                f"signal must be 'error' or a column of the served rows, got {self.signal!r}"
            )
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
    rng : None, int or Generator, default 0
        Seeds the random approvals. A Feedback is a setting reused by every run it is given to,
        so it keeps an int: a Generator (or None: fresh entropy) is drawn from once, when the
        Feedback is made, and ``rng`` then holds the int drawn. The same Feedback (or the same
        int) gives the same coin flips on the same data.

    Examples
    --------
    >>> Feedback(explore=0.05, ipw=True)
    Feedback(threshold=0.5, explore=0.05, ipw=True, holdout=0.0, rng=0)
    >>> Feedback(rng=np.random.default_rng(0)).rng  # one draw from the Generator
    3653403231
    >>> Feedback(ipw=True)
    Traceback (most recent call last):
    ...
    ValueError: explore must be > 0 when ipw=True (a declined row is never labelled, so it has no weight), got 0.0
    """

    threshold: float = 0.5
    explore: float = 0.0
    ipw: bool = False
    holdout: float = 0.0
    rng: int | np.random.Generator | None = 0

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
            raise TypeError(f"ipw must be a bool, got {type(self.ipw).__name__}")
        if self.ipw and self.explore == 0:
            raise ValueError(
                "explore must be > 0 when ipw=True (a declined row is never labelled, so it "
                f"has no weight), got {self.explore!r}"
            )
        object.__setattr__(self, "rng", _seed_from(self.rng))


# ----------------------------------------------------------------------------- simulation
def _seed_from(rng: Any, *, high: int | None = None, name: str = "rng") -> int:
    """An int seed from ``rng``, for settings that must keep one (to be reused, cached or mixed
    with fixed stream ids): an int is checked (>= 0, and <= ``high``) and kept; a Generator (or
    None: fresh entropy) gives one draw in [0, 2**32).

    Also used by :mod:`mlsys_helpers._panels` and :mod:`mlsys_helpers.incidents`.

    >>> _seed_from(7), _seed_from(np.random.default_rng(0))
    (7, 3653403231)
    """
    if rng is None or isinstance(rng, np.random.Generator):
        return int(np.random.default_rng(rng).integers(0, 2**32))
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"{name} must be an int or a numpy Generator, got {type(rng).__name__}")
    if rng < 0 or (high is not None and rng > high):
        expected = ">= 0" if high is None else f"in [0, {high}]"
        raise ValueError(f"{name} must be an int {expected}, got {rng!r}")
    return int(rng)


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
            needed = periods + 1 if train_size is None else train_size + periods
            raise ValueError(
                f"source must have at least {needed} rows for {periods} periods after training "
                f"(or give period_size and train_size), got a frame of {len(source)} rows"
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
            raise ValueError(
                "drifts must be empty when source is a frame (inject them into the frame with "
                f"drift.inject), got {reprlib.repr(drifts)}"
            )
        if len(source) < n:
            raise ValueError(
                f"source must have train_size + periods * period_size = {n} rows, got a frame "
                f"of {len(source)} rows"
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
    periods, period_size, train_size, window, label_delay, costs = _settings(
        source, policy, periods, period_size, train_size, window, label_delay,
        {"label_cost": label_cost, "retrain_cost": retrain_cost, "error_cost": error_cost},
    )  # fmt: skip
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
    features, task = _features_and_task(source, frame, features, target, time_column, task)
    if model is None:
        model = make_pipeline_for(frame, target, features=features, task=task)
    bounds = [(0, train_size)] + [
        (train_size + k * period_size, train_size + (k + 1) * period_size) for k in range(periods)
    ]
    run = _Run(frame, frame[features], frame[target].to_numpy(), model, copy.deepcopy(policy),
               costs=costs, time_column=time_column, train_size=train_size, window=window,
               label_delay=label_delay, bounds=bounds)  # fmt: skip
    if feedback is None:
        return _serve_all(run, task)
    if not isinstance(feedback, Feedback):
        raise TypeError(f"feedback must be a Feedback, got {type(feedback).__name__}")
    if task != "classification" or len(np.unique(run.y)) > 2:
        raise ValueError(
            "target must be binary (1 = decline) when feedback is given, got a "
            f"{task} target with {len(np.unique(run.y))} values"
        )
    return _serve_with_feedback(run, feedback)


def _settings(source, policy, periods, period_size, train_size, window, label_delay, costs):
    """The checked sizes and costs of a simulation (``period_size``, ``train_size`` and
    ``window`` derived when not given)."""
    if not isinstance(policy, Policy):
        raise TypeError(
            f"policy must be a Policy (Never, Periodic, ...), got {type(policy).__name__}"
        )
    periods = _check_int("periods", periods, 1)
    period_size, train_size = _sizes(source, periods, period_size, train_size)
    window = train_size if window is None else _check_int("window", window, 2)
    label_delay = _check_int("label_delay", label_delay, 0)
    costs = {name: _check_cost(name, value) for name, value in costs.items()}
    return periods, period_size, train_size, window, label_delay, costs


def _features_and_task(source, frame, features, target, time_column, task) -> tuple[list, str]:
    """The model inputs and the task, defaulted from the source (checked)."""
    if target not in frame.columns:
        raise ValueError(f"target must be a column of source, got {target!r}")
    if features is None:
        features = (
            list(source.features)
            if hasattr(source, "features") and not isinstance(source, pd.DataFrame)
            else sum(feature_columns(frame, target, time_column=time_column), [])
        )
    if task not in (None, "classification", "regression"):
        raise ValueError(f"task must be 'classification', 'regression' or None, got {task!r}")
    task = task or getattr(source, "task", None) or infer_task(frame[target])
    return list(features), task


@dataclass(eq=False)
class _Run:
    """One simulation: its data and settings (fixed), and the state that moves period by period.

    Shared by both paths of :func:`simulate` (every row labelled, or :class:`Feedback`): the
    bookkeeping of labels, costs, retrainings and cached predictions lives here once.
    """

    frame: pd.DataFrame
    X: pd.DataFrame
    y: np.ndarray
    model: Any  # unfitted: cloned at each (re)training
    policy: Policy  # a deep copy
    costs: dict
    time_column: str
    train_size: int
    window: int
    label_delay: int
    bounds: list  # [(0, train_size), (lo, hi) of period 0, ...]
    current: Any = None  # the fitted model serving now
    version: int = 0  # retrainings so far: which model made a cached prediction
    age: int = 0  # periods served by the current model
    labelled_end: int = 0  # labels of frame[:labelled_end] have arrived
    n_retrains: int = 0
    n_labels: int = 0
    totals: dict = field(
        default_factory=lambda: dict.fromkeys(("labels", "retraining", "errors"), 0.0)
    )
    cache: dict = field(default_factory=dict)  # period -> (model version, predictions)

    @property
    def periods(self) -> int:
        return len(self.bounds) - 1

    def start(self) -> None:
        """Fit the first model on the ``train_size`` rows before period 0."""
        first = slice(0, self.train_size)
        self.current = clone(self.model).fit(self.X.iloc[first], self.y[first])
        self.labelled_end = self.train_size

    def served(self, p: int, pred: np.ndarray, loss: np.ndarray) -> None:
        """Book period ``p``'s predictions (for when its labels arrive) and its errors' cost."""
        self.cache[p] = (self.version, pred)
        self.totals["errors"] += self.costs["error_cost"] * float(loss.sum())
        self.age += 1

    def arrived(self, p: int, predict, labelled: np.ndarray | None = None):
        """Labels of period ``p - label_delay`` arrive (for all its rows, or where ``labelled``).

        Pays for them and returns ``(rows, features, predictions)`` of the rows that got one
        (``predictions``: the current model's), or None when nothing arrives yet. A prediction
        cached from an older model is redone with ``predict(lo, hi)``: the policy judges the
        model it would replace.
        """
        arrived = p - self.label_delay
        if arrived < 0:
            return None
        lo, hi = self.bounds[arrived + 1]
        self.labelled_end = hi
        if labelled is None:
            got, features = np.arange(lo, hi), self.X.iloc[lo:hi]
        else:
            got = np.flatnonzero(labelled[lo:hi]) + lo
            features = self.X.iloc[got]
        if self.policy.needs_labels:  # Never buys no labels: it has none
            self.n_labels += got.size
            self.totals["labels"] += self.costs["label_cost"] * got.size
        version, pred = self.cache.pop(arrived)
        if version != self.version:
            pred = predict(lo, hi)
        return got, features, pred[got - lo]

    def decide(self, p: int, errors: np.ndarray, arrived_rows: pd.DataFrame) -> bool:
        """The policy's decision at the end of period ``p`` (never after the last one: a model
        trained then would never serve, so it is neither trained nor billed)."""
        lo, hi = self.bounds[p + 1]
        observation = Observation(p, self.age, n_labels=self.n_labels, errors=errors,
                                  labelled=arrived_rows, served=self.X.iloc[lo:hi])  # fmt: skip
        return bool(self.policy.decide(observation)) and p < self.periods - 1

    def retrain(self, fitted: Any) -> None:
        """``fitted`` serves from the next period: count it, bill it, reset the policy."""
        self.current = fitted
        self.version, self.age = self.version + 1, 0
        self.n_retrains += 1
        self.totals["retraining"] += self.costs["retrain_cost"]
        self.policy.reset()

    def row(self, p: int, score: dict, retrained: bool) -> dict:
        """One row of :func:`simulate`'s result (``score``: ``{"accuracy": ...}`` or
        ``{"mae": ...}``)."""
        frame, (lo, hi) = self.frame, self.bounds[p + 1]
        return {
            "period": p,
            "start": frame[self.time_column].iloc[lo] if self.time_column in frame.columns
            else pd.NaT,
            "n_rows": hi - lo,
            **score,
            "retrained": retrained,
            "n_retrains": self.n_retrains,
            "labels_available": self.n_labels,
            "drift_weight": float(frame["drift_weight"].iloc[lo:hi].mean())
            if "drift_weight" in frame.columns
            else np.nan,
            "cost_labels": self.totals["labels"],
            "cost_retraining": self.totals["retraining"],
            "cost_errors": self.totals["errors"],
            "cost": sum(self.totals.values()),
        }  # fmt: skip


def _loss(task: str, pred: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per-row loss: 0/1 mistakes (classification) or absolute errors (regression)."""
    if task == "classification":
        return (pred != truth).astype(float)
    return np.abs(pred.astype(float) - truth.astype(float))


def _serve_all(run: _Run, task: str) -> pd.DataFrame:
    """:func:`simulate` when every served row gets its label."""
    X, y = run.X, run.y

    def predict(lo, hi):
        return np.asarray(run.current.predict(X.iloc[lo:hi]))

    run.start()
    rows = []
    for p in range(run.periods):
        lo, hi = run.bounds[p + 1]
        pred = predict(lo, hi)
        period_loss = _loss(task, pred, y[lo:hi])
        run.served(p, pred, period_loss)
        errors, arrived_rows = np.array([]), X.iloc[0:0]
        arrived = run.arrived(p, predict)
        if arrived is not None:
            got, arrived_rows, pred_arrived = arrived
            errors = _loss(task, pred_arrived, y[got])
        retrained = run.decide(p, errors, arrived_rows)
        if retrained:
            recent = slice(max(0, run.labelled_end - run.window), run.labelled_end)
            run.retrain(clone(run.model).fit(X.iloc[recent], y[recent]))
        mean = float(period_loss.mean())
        score = {"mae": mean} if task == "regression" else {"accuracy": 1.0 - mean}
        rows.append(run.row(p, score, retrained))
    return pd.DataFrame(rows)


def _fit_weighted(model: Any, X: pd.DataFrame, y: np.ndarray, weight: np.ndarray) -> Any:
    """Clone and fit ``model``, passing ``weight`` to its last step when not all ones."""
    fitted = clone(model)
    if np.all(weight == 1.0):
        return fitted.fit(X, y)
    key = f"{fitted.steps[-1][0]}__sample_weight" if hasattr(fitted, "steps") else "sample_weight"
    return fitted.fit(X, y, **{key: weight})


def _approve(draws: np.random.Generator, pred: np.ndarray, feedback: Feedback):
    """Who gets a label among a period's rows: ``(hold, explored, approved)`` masks (the random
    holdout, the declined rows approved at random, and every approved row)."""
    hold = draws.random(pred.size) < feedback.holdout
    explored = ~hold & (pred == 1) & (draws.random(pred.size) < feedback.explore)
    return hold, explored, hold | explored | (pred == 0)


def _serve_with_feedback(run: _Run, feedback: Feedback) -> pd.DataFrame:
    """:func:`simulate` when the model's decisions choose which rows get a label."""
    X, y = run.X, run.y
    draws = np.random.default_rng([feedback.rng, 16])
    labelled = np.zeros(len(y), dtype=bool)  # approved (the label exists once it has arrived)
    labelled[: run.train_size] = True
    pool = labelled.copy()  # rows retraining may use (holdout: the random group only)
    weight = np.ones(len(y))
    explored_defaults = 0

    def predict(lo, hi):
        proba = run.current.predict_proba(X.iloc[lo:hi])[:, 1]
        return (proba >= feedback.threshold).astype(y.dtype)

    run.start()
    rows = []
    for p in range(run.periods):
        lo, hi = run.bounds[p + 1]
        pred = predict(lo, hi)
        hold, explored, approved = _approve(draws, pred, feedback)
        labelled[lo:hi] = approved
        pool[lo:hi] = hold if feedback.holdout > 0 else approved
        if feedback.ipw:
            weight[lo:hi][explored] = 1.0 / feedback.explore
        explored_defaults += int((y[lo:hi][hold | explored] == 1).sum())
        wrong = pred != y[lo:hi]
        run.served(p, pred, wrong)
        errors, arrived_rows = np.array([]), X.iloc[0:0]
        arrived = run.arrived(p, predict, labelled)
        if arrived is not None:
            got, arrived_rows, pred_arrived = arrived
            errors = _loss("classification", pred_arrived, y[got])
        retrained = run.decide(p, errors, arrived_rows)
        if retrained:
            usable = np.flatnonzero(pool[: run.labelled_end])[-run.window :]
            run.retrain(_fit_weighted(run.model, X.iloc[usable], y[usable], weight[usable]))
        rows.append(
            run.row(p, {"accuracy": 1.0 - float(wrong.mean())}, retrained)
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
        given = "an empty dict" if isinstance(policies, Mapping) else type(policies).__name__
        raise TypeError(f"policies must be a non-empty dict of name -> Policy, got {given}")
    if not isinstance(source, pd.DataFrame):
        sizes = {k: kwargs.get(k) for k in ("periods", "period_size", "train_size")}
        if sizes["periods"] is None:
            raise ValueError("periods must be given (an int >= 1), got None")
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
