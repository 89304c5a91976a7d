"""Seeded synthetic worlds: features over time, a true concept, noise, and drift ground truth.

A world generates rows with :meth:`World.sample`: a ``timestamp``, the features, a ``target``
drawn from the true concept, and the ground-truth columns ``drift_weight`` (how much of a new
regime the row carries, see :mod:`mlsys_helpers.drift`) and ``true_proba`` (classification) or
``true_mean`` (regression). Those truth columns are listed in :data:`TRUTH_COLUMNS`: they are
never features.

The concept is a sum of named terms, one per feature (``eta = intercept + sum(term_f)``, each term
roughly zero-mean): ``true_proba = sigmoid(eta)`` for :class:`LoanWorld` and
``true_mean = exp(eta)`` for :class:`BikeWorld`. Worlds take drifts natively:

* covariate drift moves a feature *before* the label is drawn from the unchanged concept (so a
  well-specified model stays right); numeric shifts use the world's reference mean and std
  (from 100,000 rows drawn once per world with an internal fixed seed, which never touches
  your ``rng``; the base rate ``pi`` below comes from the same sample);
* prior drift (classification only) draws rows from P(X | y) with the new class balance
  (rejection sampling with acceptance ``p*a + (1-p)*b``, ``a = r/pi``, ``b = (1-r)/(1-pi)``,
  where ``pi`` is the world's base rate and ``r`` the asked rate); ``true_proba`` is then the
  prior-adjusted posterior ``p*a / (p*a + (1-p)*b)``;
* concept drift multiplies the term of ``column`` (default :attr:`World.concept_column`) by
  ``1 - 2 * magnitude * weight`` while the features keep their distribution.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlsys_helpers.drift import DRIFT_WEIGHT, Drift, _move_values

__all__ = ["TRUTH_COLUMNS", "World", "LoanWorld", "BikeWorld"]

TRUTH_COLUMNS = ("drift_weight", "true_proba", "true_mean")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _choice(rng: np.random.Generator, categories: tuple[str, ...], p: Sequence[float], n: int):
    """Draw ``n`` categories with probabilities ``p`` (one comparison per category, not per row)."""
    u = rng.random(n)
    idx = np.zeros(n, dtype=np.intp)
    for edge in np.cumsum(p)[:-1]:
        idx += u >= edge
    return np.asarray(categories, dtype=object)[idx]


class World:
    """Base class of the synthetic worlds (use :class:`LoanWorld` or :class:`BikeWorld`).

    Subclasses define ``task``, ``numeric_features``, ``categorical_features``,
    ``concept_column``, ``intercept`` and the hooks ``_features(timestamps, rng)`` (dict of
    arrays) and ``_terms(columns, timestamps)`` (dict feature -> contribution to the concept).
    The work is done by this module's private functions, in three groups: drift application
    (``_moved_features``, ``_eta``, ``_prior_ab``), truth (``_truth``, ``_expected_truth``) and
    sampling under prior drift (``_prior_resample``).

    Examples
    --------
    >>> world = LoanWorld()
    >>> world.task, world.target, world.features[:2]
    ('classification', 'target', ('income', 'debt_ratio'))
    """

    task: str = ""
    target: str = "target"
    numeric_features: tuple[str, ...] = ()
    categorical_features: tuple[str, ...] = ()
    concept_column: str = ""
    intercept: float = 0.0

    @property
    def features(self) -> tuple[str, ...]:
        """All feature columns, numeric first (the order of :meth:`sample` columns).

        Examples
        --------
        >>> BikeWorld().features
        ('hour', 'weekday', 'temperature', 'humidity', 'windspeed', 'weather')
        """
        return self.numeric_features + self.categorical_features

    @property
    def truth_column(self) -> str:
        """``"true_proba"`` for classification, ``"true_mean"`` for regression.

        Examples
        --------
        >>> LoanWorld().truth_column, BikeWorld().truth_column
        ('true_proba', 'true_mean')
        """
        return "true_proba" if self.task == "classification" else "true_mean"

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"

    # -- hooks ---------------------------------------------------------------------------
    def _features(self, timestamps: pd.DatetimeIndex, rng: np.random.Generator) -> dict:
        raise NotImplementedError

    def _terms(self, cols: dict, timestamps: pd.DatetimeIndex) -> dict:
        raise NotImplementedError

    def _draw_target(self, truth: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    # -- reference statistics (a fixed internal sample, computed once per world) --------------
    def _reference(self) -> dict:
        if getattr(self, "_ref", None) is None:
            ts = pd.date_range("2024-01-01", periods=100_000, freq="h")
            cols = self._features(ts, np.random.default_rng(20240101))
            ref = {}
            for name in self.numeric_features:
                x = np.asarray(cols[name], dtype=float)
                ref[name] = (float(x.mean()), float(x.std()))
            for name in self.categorical_features:
                ref[name] = pd.Series(cols[name]).value_counts().sort_index().idxmin()
            eta = self.intercept + sum(self._terms(cols, ts).values())
            ref["base_rate"] = float(_sigmoid(eta).mean())
            self._ref = ref
        return self._ref

    # -- public API -----------------------------------------------------------------------------
    def sample(
        self,
        n: int,
        *,
        start: Any = "2024-01-01",
        freq: Any = "h",
        drifts: Drift | Sequence[Drift] = (),
        rng: Any = None,
    ) -> pd.DataFrame:
        """Draw ``n`` consecutive rows, one every ``freq`` from ``start``.

        Parameters
        ----------
        n : int
            Number of rows (>= 0).
        start : timestamp-like, default "2024-01-01"
        freq : str or DateOffset, default "h"
            Spacing of the ``timestamp`` column (any pandas frequency).
        drifts : Drift or sequence of Drift, default ()
            Changes to apply; ``drift_weight`` is the maximum over drifts.
        rng : None, int or numpy.random.Generator
            The same seed gives the same frame, bit for bit.

        Returns
        -------
        pandas.DataFrame
            Columns ``timestamp``, the features, ``target``, ``drift_weight`` and
            ``true_proba`` or ``true_mean``. Categorical features are plain strings.

        Examples
        --------
        >>> frame = LoanWorld().sample(3, rng=0)
        >>> list(frame.columns)[:3], frame.shape
        (['timestamp', 'income', 'debt_ratio'], (3, 12))
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"n must be an int, got {type(n).__name__}")
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        drifts = _check_drifts(self, drifts)
        try:
            timestamps = pd.date_range(start, periods=int(n), freq=freq)
        except (ValueError, TypeError) as err:
            raise ValueError(
                f"start and freq must define a date range, got start={start!r}, freq={freq!r} "
                f"({err})"
            ) from err
        rng = np.random.default_rng(rng)
        weights = [d.row_weights(_when(d, timestamps), rng=rng) for d in drifts]
        cols = _moved_features(self, timestamps, drifts, weights, rng)
        if any(d.kind == "prior" for d in drifts):
            cols, truth = _prior_resample(self, cols, timestamps, drifts, weights, rng)
        else:
            truth = _truth(self, cols, timestamps, drifts, weights)
        data = {"timestamp": timestamps}
        data |= {name: cols[name] for name in self.numeric_features}
        data |= {name: pd.array(cols[name], dtype="str") for name in self.categorical_features}
        data[self.target] = self._draw_target(truth, rng)
        data[DRIFT_WEIGHT] = np.maximum.reduce([np.zeros(n), *weights])
        data[self.truth_column] = truth
        return pd.DataFrame(data)

    def true_label(self, frame: pd.DataFrame, *, drifts: Drift | Sequence[Drift] = ()) -> Any:
        """The concept's answer for each row: ``true_proba >= 0.5`` as int, or ``true_mean``.

        Examples
        --------
        >>> world = LoanWorld()
        >>> frame = world.sample(1000, rng=1)
        >>> bool((world.true_label(frame) == (frame["true_proba"] >= 0.5)).all())
        True
        """
        truth = _expected_truth(self, frame, drifts)
        if self.task == "classification":
            truth = (truth >= 0.5).astype(np.int64)
        return pd.Series(truth, index=frame.index, name=self.target)


# -- validation (World delegates its work to the functions below) ----------------------------------
def _check_drifts(world: World, drifts: Any) -> tuple[Drift, ...]:
    if isinstance(drifts, Drift):
        drifts = (drifts,)
    if not isinstance(drifts, Sequence) or not all(isinstance(d, Drift) for d in drifts):
        raise TypeError(
            f"drifts must be a Drift or a sequence of Drift, got {type(drifts).__name__}"
        )
    for d in drifts:
        if d.kind == "prior" and world.task != "classification":
            raise ValueError(
                f"drifts must not include prior drift in a {world.task} world "
                f"({type(world).__name__}), got kind 'prior'"
            )
        if d.kind == "prior" and d.column not in (None, world.target):
            raise ValueError(
                f"drift.column must be None or {world.target!r} for prior drift, got {d.column!r}"
            )
        if d.kind == "prior" and d.category not in (None, 0, 1):
            raise ValueError(f"drift.category must be 0 or 1 for prior drift, got {d.category!r}")
        if d.kind != "prior" and d.column is not None and d.column not in world.features:
            raise ValueError(f"drift.column must be one of {world.features}, got {d.column!r}")
    return tuple(drifts)


def _frame_inputs(world: World, frame: pd.DataFrame, drifts) -> tuple[dict, pd.DatetimeIndex]:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in world.features if c not in frame.columns]
    if missing:
        raise ValueError(f"frame must have the columns {list(world.features)}, missing {missing}")
    cols = {c: frame[c].to_numpy(dtype=float) for c in world.numeric_features}
    cols |= {c: frame[c].to_numpy(dtype=object) for c in world.categorical_features}
    if "timestamp" in frame.columns:
        timestamps = pd.DatetimeIndex(frame["timestamp"])
    elif any(not d.positional for d in drifts):
        raise ValueError(
            "frame must have a 'timestamp' column for drifts that start at a timestamp, got none"
        )
    else:
        timestamps = pd.DatetimeIndex(np.full(len(frame), np.datetime64("NaT"), "M8[ns]"))
    return cols, timestamps


# -- drift application: when a drift acts, what it does to the features and the concept ------------
def _when(drift: Drift, timestamps: pd.DatetimeIndex) -> Any:
    return np.arange(len(timestamps)) if drift.positional else timestamps


def _prior_target(drift: Drift) -> float:
    return 1.0 - drift.magnitude if drift.category == 0 else drift.magnitude


def _moved_features(world: World, timestamps, drifts, weights, rng) -> dict:
    cols = world._features(timestamps, rng)
    ref = world._reference()
    for d, w in zip(drifts, weights, strict=True):
        if d.kind == "covariate":
            values = pd.Series(cols[d.column])
            if d.column in world.numeric_features:
                mean, std = ref[d.column]
                moved = _move_values(values, d, w, rng, mean=mean, std=std)
            else:
                category = d.category if d.category is not None else ref[d.column]
                moved = _move_values(values, d, w, rng, category=category)
            cols[d.column] = moved.to_numpy(copy=True)
    return cols


def _eta(world: World, cols: dict, timestamps, drifts, weights) -> np.ndarray:
    terms = world._terms(cols, timestamps)
    for d, w in zip(drifts, weights, strict=True):
        if d.kind == "concept":
            name = d.column or world.concept_column
            terms[name] = terms[name] * (1.0 - 2.0 * d.magnitude * w)
    return world.intercept + sum(terms.values())


def _prior_ab(world: World, drifts, weights, n: int) -> tuple[np.ndarray, np.ndarray]:
    pi = world._reference()["base_rate"]
    rate = np.full(n, pi)
    for d, w in zip(drifts, weights, strict=True):
        if d.kind == "prior":
            rate = rate + w * (_prior_target(d) - rate)
    return rate / pi, (1.0 - rate) / (1.0 - pi)


# -- truth: the concept's answer, for sampled rows and for a given frame ---------------------------
def _truth(world: World, cols, timestamps, drifts, weights) -> np.ndarray:
    eta = _eta(world, cols, timestamps, drifts, weights)
    if world.task == "regression":
        return np.exp(eta)
    p = _sigmoid(eta)
    a, b = _prior_ab(world, drifts, weights, len(p))
    return p * a / (p * a + (1.0 - p) * b)


def _expected_truth(world: World, frame: pd.DataFrame, drifts: Any) -> np.ndarray:
    drifts = _check_drifts(world, drifts)
    cols, timestamps = _frame_inputs(world, frame, drifts)
    active = [d for d in drifts if d.kind != "covariate"]
    if len(active) > 8:
        raise ValueError(f"drifts must hold at most 8 concept/prior drifts, got {len(active)}")
    probs = [d.on_probability(_when(d, timestamps)) for d in active]
    total = np.zeros(len(frame))
    for states in itertools.product((False, True), repeat=len(active)):
        share = np.ones(len(frame))
        weights = []
        for on, (q, w) in zip(states, probs, strict=True):
            share = share * (q if on else 1.0 - q)
            weights.append(w if on else np.zeros(len(frame)))
        total += share * _truth(world, cols, timestamps, active, weights)
    return total


# -- sampling under prior drift --------------------------------------------------------------------
def _prior_resample(world: World, cols, timestamps, drifts, weights, rng):
    """Rejection sampling of rows under prior drift (see the module docstring)."""
    a, b = _prior_ab(world, drifts, weights, len(timestamps))
    todo = np.flatnonzero((a != 1.0) | (b != 1.0))
    p = _sigmoid(_eta(world, cols, timestamps, drifts, weights))
    accept = rng.random(todo.size) * np.maximum(a[todo], b[todo])
    accept = accept < p[todo] * a[todo] + (1 - p[todo]) * b[todo]
    todo = todo[~accept]
    for _ in range(10_000):
        if todo.size == 0:
            break
        ts = timestamps[todo]
        w_sub = [w[todo] for w in weights]
        new = _moved_features(world, ts, drifts, w_sub, rng)
        p_new = _sigmoid(_eta(world, new, ts, drifts, w_sub))
        at, bt = a[todo], b[todo]
        ok = rng.random(todo.size) * np.maximum(at, bt) < p_new * at + (1 - p_new) * bt
        for name in world.features:
            cols[name][todo[ok]] = new[name][ok]
        p[todo[ok]] = p_new[ok]
        todo = todo[~ok]
    if todo.size:
        raise RuntimeError(
            "prior drift: rejection sampling did not converge; is the asked rate reachable "
            "under the (drifted) concept?"
        )
    return cols, p * a / (p * a + (1.0 - p) * b)


class LoanWorld(World):
    """Loan applications and whether the loan defaults (binary classification).

    Features: ``income`` (dollars per year, log-normal, median about 52,000), ``debt_ratio``
    (monthly debt payments / monthly income), ``age`` (years, int, 18-80),
    ``employment_years``, ``credit_history_years``, ``loan_amount`` (dollars), ``region``
    (north/south/east/west) and ``channel`` (branch/online/broker). The default risk rises with
    debt ratio and falls with income and credit history; a loan larger than about 35% of a
    year's income is much riskier *when* the applicant has worked for less than two years (an
    interaction a tree learns and a single threshold does not). Base rate about 30%; a gradient
    boosting model trained on 5,000 rows reaches about 0.89 accuracy (the Bayes rate is about
    0.91). The default concept-drift column is ``debt_ratio`` (say, a payment-holiday scheme
    changes how debt turns into default).

    Parameters
    ----------
    label_noise : float, default 0.0
        Probability in [0, 0.5] that the observed ``target`` is flipped; ``true_proba`` stays
        the clean concept.

    Examples
    --------
    >>> world = LoanWorld(label_noise=0.1)
    >>> frame = world.sample(5, rng=0)
    >>> frame[["income", "region", "target"]].dtypes.astype(str).tolist()
    ['float64', 'str', 'int64']
    >>> import numpy as np
    >>> bool(np.allclose(world.true_proba(frame), frame["true_proba"]))
    True
    """

    task = "classification"
    numeric_features = (
        "income",
        "debt_ratio",
        "age",
        "employment_years",
        "credit_history_years",
        "loan_amount",
    )
    categorical_features = ("region", "channel")
    concept_column = "debt_ratio"
    intercept = -2.4
    REGIONS = ("north", "south", "east", "west")
    CHANNELS = ("branch", "online", "broker")

    def __init__(self, *, label_noise: float = 0.0) -> None:
        if isinstance(label_noise, bool) or not isinstance(label_noise, numbers.Real):
            raise TypeError(f"label_noise must be a float, got {type(label_noise).__name__}")
        if not 0.0 <= label_noise <= 0.5:
            raise ValueError(f"label_noise must be in [0, 0.5], got {label_noise}")
        self.label_noise = float(label_noise)
        self._ref = None

    def _features(self, timestamps, rng):
        n = len(timestamps)
        income = np.round(np.exp(rng.normal(np.log(52_000), 0.45, n)))
        age = np.clip(np.round(rng.normal(41, 12, n)), 18, 80)
        employment = np.round(np.minimum(rng.gamma(1.4, 4.5, n), age - 18), 1)
        history = np.round(np.minimum(rng.gamma(2.5, 3.0, n) + 0.2 * (age - 18), age - 18), 1)
        debt_ratio = np.round(rng.beta(2.2, 5.0, n), 3)
        loan = np.round(np.exp(rng.normal(np.log(12_000), 0.6, n)) * np.sqrt(income / 52_000), -1)
        return {
            "income": income,
            "debt_ratio": debt_ratio,
            "age": age.astype(np.int64),
            "employment_years": employment,
            "credit_history_years": history,
            "loan_amount": loan,
            "region": _choice(rng, self.REGIONS, (0.3, 0.2, 0.3, 0.2), n),
            "channel": _choice(rng, self.CHANNELS, (0.35, 0.5, 0.15), n),
        }

    def _terms(self, cols, timestamps):
        income = np.asarray(cols["income"], dtype=float)
        stretched = (np.asarray(cols["loan_amount"], dtype=float) / income > 0.35) & (
            np.asarray(cols["employment_years"], dtype=float) < 2.0
        )
        region = np.asarray(cols["region"])
        channel = np.asarray(cols["channel"])
        return {
            "income": -3.5 * (np.log(np.maximum(income, 1.0)) - np.log(52_000)) / 0.45,
            "debt_ratio": 17.5 * (np.asarray(cols["debt_ratio"], dtype=float) - 0.306),
            "age": 1.9 * (np.asarray(cols["age"], dtype=float) < 25) - 0.16,
            "employment_years": 6.4 * stretched - 0.37,
            "credit_history_years": -0.24 * (np.asarray(cols["credit_history_years"]) - 11.3),
            "loan_amount": 0.8 * (np.log(np.asarray(cols["loan_amount"], dtype=float)) - 9.39),
            "region": np.where(region == "south", 1.1, 0.0)
            - np.where(region == "west", 0.65, 0.0)
            - 0.09,
            "channel": np.where(channel == "broker", 2.4, 0.0)
            - np.where(channel == "branch", 0.65, 0.0)
            - 0.13,
        }

    def _draw_target(self, truth, rng):
        y = rng.random(truth.shape[0]) < truth
        flip = rng.random(truth.shape[0]) < self.label_noise
        return (y ^ flip).astype(np.int64)

    def true_proba(self, frame: pd.DataFrame, *, drifts: Drift | Sequence[Drift] = ()):
        """P(default = 1 | features, time) under the concept (with ``drifts`` applied).

        ``drifts=()`` gives the original concept; drifts with an int ``start`` count rows of
        ``frame``, the others use its ``timestamp`` column. Rows carry a drift at random when its
        pattern is "gradual" or ``fraction < 1``; the result then averages the old and new
        concepts with those probabilities (exact for concept drift, an approximation for
        prior drift, whose posterior also depends on the row's features).

        Examples
        --------
        >>> world = LoanWorld()
        >>> frame = world.sample(4, rng=0)
        >>> flip = Drift("concept", start="2024-01-01 02:00", magnitude=1.0)
        >>> p_old, p_new = world.true_proba(frame), world.true_proba(frame, drifts=flip)
        >>> bool((p_old[:2] == p_new[:2]).all()), bool((p_old[2:] != p_new[2:]).all())
        (True, True)
        """
        return pd.Series(_expected_truth(self, frame, drifts), index=frame.index, name="true_proba")


class BikeWorld(World):
    """Hourly bike-share rentals (regression) with daily, weekly and yearly seasonality.

    Features: ``hour`` (0-23), ``weekday`` (0 = Monday), ``temperature`` (deg C, yearly and
    daily cycles plus autocorrelated weather noise), ``humidity`` (%), ``windspeed`` (km/h)
    and ``weather`` (clear/cloudy/rain). Weekdays have commute peaks at 8:00 and 17:30,
    weekends one broad afternoon hump; demand peaks near 24 deg C and falls in rain. The
    default concept-drift column is ``hour`` (e.g. remote work flattens the commute peaks).

    Parameters
    ----------
    noise : float, default 0.2
        Standard deviation (>= 0) of the multiplicative log-normal noise around
        ``true_mean``; the noise has mean 1, so ``true_mean`` is the expected ``target``.

    Examples
    --------
    >>> world = BikeWorld()
    >>> frame = world.sample(48, rng=0)
    >>> int(frame["hour"].max()), frame["target"].dtype.name
    (23, 'float64')
    """

    task = "regression"
    numeric_features = ("hour", "weekday", "temperature", "humidity", "windspeed")
    categorical_features = ("weather",)
    concept_column = "hour"
    intercept = float(np.log(160.0))
    WEATHER = ("clear", "cloudy", "rain")

    def __init__(self, *, noise: float = 0.2) -> None:
        if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
            raise TypeError(f"noise must be a float, got {type(noise).__name__}")
        if not 0.0 <= noise <= 2.0:
            raise ValueError(f"noise must be in [0, 2], got {noise}")
        self.noise = float(noise)
        self._ref = None

    def _features(self, timestamps, rng):
        from scipy.signal import lfilter  # lazy: importing scipy.signal takes about 1 s

        n = len(timestamps)
        hour = timestamps.hour.to_numpy().astype(np.int64)
        doy = timestamps.day_of_year.to_numpy().astype(float)
        weather_noise = lfilter([np.sqrt(1 - 0.97**2)], [1.0, -0.97], rng.normal(0, 3.0, n))
        temperature = (
            13.0
            - 9.0 * np.cos(2 * np.pi * (doy - 20) / 365.25)
            - 3.5 * np.cos(2 * np.pi * (hour - 3) / 24)
            + weather_noise
        )
        humidity = np.clip(70.0 - 1.2 * (temperature - 13.0) + rng.normal(0, 10.0, n), 15, 100)
        p_rain = _sigmoid((humidity - 88.0) / 4.0)
        u = rng.random(n)
        weather = np.where(u < p_rain, "rain", np.where(u < p_rain + 0.3, "cloudy", "clear"))
        return {
            "hour": hour,
            "weekday": timestamps.day_of_week.to_numpy().astype(np.int64),
            "temperature": np.round(temperature, 1),
            "humidity": np.round(humidity, 1),
            "windspeed": np.round(rng.gamma(2.0, 6.0, n), 1),
            "weather": weather.astype(object),
        }

    def _terms(self, cols, timestamps):
        h = np.asarray(cols["hour"], dtype=float)
        weekend = np.asarray(cols["weekday"], dtype=float) >= 5
        commute = (
            0.15
            + 1.7 * np.exp(-((h - 8.0) ** 2) / 1.5)
            + 2.0 * np.exp(-((h - 17.5) ** 2) / 3.0)
            + 0.6 * np.exp(-((h - 13.0) ** 2) / 8.0)
        )
        leisure = 0.1 + 1.3 * np.exp(-((h - 14.0) ** 2) / 12.0)
        temp = np.asarray(cols["temperature"], dtype=float)
        weather = np.asarray(cols["weather"])
        return {
            "hour": np.log(np.where(weekend, leisure, commute)) + 0.45,
            "weekday": np.where(weekend, 0.1, -0.04),
            "temperature": -(((temp - 24.0) / 15.0) ** 2) + 0.45,
            "humidity": -0.012 * (np.asarray(cols["humidity"], dtype=float) - 70.0),
            "windspeed": -0.02 * (np.asarray(cols["windspeed"], dtype=float) - 12.0),
            "weather": np.where(weather == "rain", -0.9, np.where(weather == "clear", 0.08, -0.05)),
        }

    def _draw_target(self, truth, rng):
        z = rng.normal(0.0, 1.0, truth.shape[0])
        return truth * np.exp(self.noise * z - 0.5 * self.noise**2)

    def true_mean(self, frame: pd.DataFrame, *, drifts: Drift | Sequence[Drift] = ()):
        """Expected rentals per hour given the features and time (with ``drifts`` applied).

        ``drifts=()`` gives the original concept; rows that carry a drift at random (gradual
        pattern, ``fraction < 1``) get the probability-weighted mean of old and new concepts.

        Examples
        --------
        >>> world = BikeWorld()
        >>> frame = world.sample(24, rng=0)
        >>> import numpy as np
        >>> bool(np.allclose(world.true_mean(frame), frame["true_mean"]))
        True
        """
        return pd.Series(_expected_truth(self, frame, drifts), index=frame.index, name="true_mean")
