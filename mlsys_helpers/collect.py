"""Collection: what goes wrong between the world and the training table.

Every function takes a DataFrame and returns a *new* one (the input is never mutated), with the
pathology applied at a rate you choose and a ``rng`` for reproducibility:

- :func:`sampling_bias` keeps rows with a probability that depends on a feature or a group;
- :func:`make_missing` blanks cells completely at random (MCAR), depending on another observed
  column (MAR) or on the hidden value itself (MNAR);
- :func:`label_noise` flips class labels uniformly, per class, or depending on a feature;
- :func:`delay_labels` gives each label an arrival time, :func:`labels_available` hides the labels
  that have not arrived yet at a given moment;
- :func:`duplicate_rows` re-ingests some rows a second time;
- :func:`outdated` keeps only an old period (a model trained on it is trained on stale data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "outcome_trace",
    "sampling_bias",
    "make_missing",
    "label_noise",
    "delay_labels",
    "labels_available",
    "duplicate_rows",
    "outdated",
]

_MECHANISMS = ("MCAR", "MAR", "MNAR")
_NOISE_KINDS = ("uniform", "class_conditional", "feature")
_DELAYS = ("fixed", "exponential")


# --------------------------------------------------------------------------- validation helpers
def _check_frame(frame: object) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")


def _check_column(frame: pd.DataFrame, column: object, argument: str) -> None:
    if not isinstance(column, str):
        raise TypeError(f"{argument} must be a column name (str), got {type(column).__name__}")
    if column not in frame.columns:
        raise ValueError(
            f"{argument} must be a column of frame {list(frame.columns)}, got {column!r}"
        )


def _check_rate(rate: object, argument: str) -> float:
    if isinstance(rate, bool) or not isinstance(rate, int | float | np.integer | np.floating):
        raise TypeError(f"{argument} must be a number in [0, 1], got {type(rate).__name__}")
    rate = float(rate)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{argument} must be in [0, 1], got {rate}")
    return rate


def _check_number(value: object, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{argument} must be a number, got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{argument} must be finite, got {value}")
    return float(value)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _standardise(series: pd.Series, argument: str) -> np.ndarray:
    """Numeric (or boolean) column -> z-scores; missing values get z = 0."""
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise TypeError(
            f"{argument} must be a numeric or boolean column, got {series.name!r} of dtype "
            f"{series.dtype}"
        )
    values = series.to_numpy(dtype=float, na_value=np.nan)
    centre, spread = np.nanmean(values), np.nanstd(values)
    z = (values - centre) / spread if spread > 0 else np.zeros_like(values)
    return np.nan_to_num(z, nan=0.0)


def _calibrated_probabilities(z: np.ndarray, rate: float, strength: float) -> np.ndarray:
    """``p_i = sigmoid(a + strength * z_i)`` with the intercept ``a`` solved so that mean(p) = rate.

    The mean is increasing in ``a``, so bisection on a wide bracket finds it to machine precision.
    """
    if rate in (0.0, 1.0) or z.size == 0:
        return np.full(z.shape, rate)
    low, high = -50.0 - abs(strength) * np.abs(z).max(), 50.0 + abs(strength) * np.abs(z).max()
    for _ in range(100):
        mid = 0.5 * (low + high)
        if np.mean(_sigmoid(mid + strength * z)) < rate:
            low = mid
        else:
            high = mid
    return _sigmoid(0.5 * (low + high) + strength * z)


def _as_timestamp(value: object, argument: str, like: pd.Series) -> pd.Timestamp:
    """Parse ``value`` and give it the time zone of the column ``like`` if it has none."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{argument} must be a timestamp, got {value!r}") from error
    if pd.isna(stamp):
        raise ValueError(f"{argument} must be a timestamp, got {value!r}")
    zone = getattr(like.dtype, "tz", None)
    if zone is not None and stamp.tz is None:
        stamp = stamp.tz_localize(zone)
    return stamp


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _as_list(columns: str | Sequence[str], argument: str) -> list[str]:
    if isinstance(columns, str):
        return [columns]
    if not isinstance(columns, Sequence):
        raise TypeError(
            f"{argument} must be a column name or a sequence of names, got {type(columns).__name__}"
        )
    for column in columns:
        if not isinstance(column, str):
            raise TypeError(f"{argument} must hold column names (str), got {type(column).__name__}")
    if len(columns) == 0:
        raise ValueError(f"{argument} must name at least one column, got {columns!r}")
    return list(columns)


# --------------------------------------------------------------------------------- sampling bias
def sampling_bias(
    frame: pd.DataFrame,
    *,
    column: str,
    keep: Mapping[object, float] | None = None,
    strength: float | None = None,
    rng=None,
) -> pd.DataFrame:
    """Keep each row with a probability that depends on one column (selection bias).

    Give exactly one of ``keep`` or ``strength``:

    - ``keep`` maps values of a group column to the probability of keeping a row of that group
      (values not in the mapping are always kept), e.g. ``{"rural": 0.2}``: rural customers
      rarely reach the data set.
    - ``strength`` biases on a numeric column: a row is kept with probability
      ``sigmoid(strength * z)``, where ``z`` is the column's z-score (missing values count as
      ``z = 0``). ``strength > 0`` favours high values; ``strength = 0`` keeps an unbiased half.

    Parameters
    ----------
    frame : DataFrame
    column : str
        The column selection depends on.
    keep : mapping of value -> float in [0, 1], optional
    strength : float, optional
    rng : int, Generator or None

    Returns
    -------
    DataFrame
        The kept rows, in their original order, with their original index labels (so you can
        see which rows were dropped).

    Examples
    --------
    >>> frame = pd.DataFrame({"group": ["a", "b"] * 500, "x": range(1000)})
    >>> kept = sampling_bias(frame, column="group", keep={"b": 0.0}, rng=0)
    >>> kept["group"].unique().tolist(), len(kept)
    (['a'], 500)
    >>> biased = sampling_bias(frame, column="x", strength=3.0, rng=0)
    >>> bool(biased["x"].mean() > frame["x"].mean())
    True
    """
    _check_frame(frame)
    _check_column(frame, column, "column")
    if (keep is None) == (strength is None):
        raise ValueError(
            "keep or strength must be given (exactly one: per-group probabilities or a number), "
            f"got keep={keep!r} and strength={strength!r}"
        )
    rng = np.random.default_rng(rng)
    if keep is not None:
        if not isinstance(keep, Mapping):
            raise TypeError(
                f"keep must be a mapping of value -> probability, got {type(keep).__name__}"
            )
        for value, probability in keep.items():
            _check_rate(probability, f"keep[{value!r}]")
        probabilities = frame[column].map(lambda v: keep.get(v, 1.0)).to_numpy(dtype=float)
    else:
        strength = _check_number(strength, "strength")
        probabilities = _sigmoid(strength * _standardise(frame[column], "column"))
    mask = rng.random(len(frame)) < probabilities
    return frame.loc[mask].copy()


# -------------------------------------------------------------------------------- missing values
def make_missing(
    frame: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    rate: float,
    mechanism: str = "MCAR",
    depends_on: str | None = None,
    strength: float = 2.0,
    rng=None,
) -> pd.DataFrame:
    """Blank cells of ``columns`` so that a share ``rate`` of each column goes missing.

    Mechanisms (Rubin's taxonomy):

    - ``"MCAR"``: each cell is blanked independently with probability ``rate``.
    - ``"MAR"``: the probability depends on another, *observed* numeric column ``depends_on``:
      ``p_i = sigmoid(a + strength * z_i)`` with ``z`` its z-score.
    - ``"MNAR"``: the same formula on the cell's *own* value (e.g. high incomes go unreported):
      numeric columns only.

    The intercept ``a`` is solved so the expected share of blanked cells is exactly ``rate``.
    ``strength > 0`` makes high values more likely to go missing. Cells that were already missing
    stay missing (they count among the blanked ones). Integer columns become float (NaN needs it),
    boolean columns become object.

    Parameters
    ----------
    frame : DataFrame
    columns : str or sequence of str
        Columns to blank (each independently).
    rate : float in [0, 1]
        Expected share of missing cells per column.
    mechanism : {"MCAR", "MAR", "MNAR"}
    depends_on : str, optional
        Required for MAR (and only for MAR); must not be one of ``columns``.
    strength : float, default 2.0
        Slope of the logistic dependence (MAR, MNAR).
    rng : int, Generator or None

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> frame = pd.DataFrame({"income": np.arange(10_000.0), "age": np.arange(10_000) % 80})
    >>> out = make_missing(frame, columns="income", rate=0.2, mechanism="MNAR", rng=0)
    >>> round(float(out["income"].isna().mean()), 2)
    0.2
    >>> bool(out["income"].mean() < frame["income"].mean())  # high incomes went missing
    True
    """
    _check_frame(frame)
    columns = _as_list(columns, "columns")
    for column in columns:
        _check_column(frame, column, "columns")
    rate = _check_rate(rate, "rate")
    strength = _check_number(strength, "strength")
    if mechanism not in _MECHANISMS:
        raise ValueError(f"mechanism must be one of {_MECHANISMS}, got {mechanism!r}")
    if mechanism == "MAR":
        if depends_on is None:
            raise ValueError(
                "depends_on must name the observed column that mechanism='MAR' depends on, got None"
            )
        _check_column(frame, depends_on, "depends_on")
        if depends_on in columns:
            raise ValueError(
                f"depends_on must not be one of columns (that is MNAR), got {depends_on!r}"
            )
        driver = _standardise(frame[depends_on], "depends_on")
    elif depends_on is not None:
        raise ValueError(
            f"depends_on must be None unless mechanism='MAR' (it is only used with MAR), got "
            f"{depends_on!r} with mechanism={mechanism!r}"
        )
    rng = np.random.default_rng(rng)
    out = frame.copy()
    for column in columns:
        if mechanism == "MCAR":
            probabilities = np.full(len(frame), rate)
        elif mechanism == "MAR":
            probabilities = _calibrated_probabilities(driver, rate, strength)
        else:
            if not _is_numeric(frame[column]):
                raise TypeError(
                    f"columns must be numeric for mechanism='MNAR', got {column!r} of dtype "
                    f"{frame[column].dtype}"
                )
            probabilities = _calibrated_probabilities(
                _standardise(frame[column], "columns"), rate, strength
            )
        mask = rng.random(len(frame)) < probabilities
        out[column] = out[column].where(~mask)
    return out


# ----------------------------------------------------------------------------------- label noise
def label_noise(
    frame: pd.DataFrame,
    *,
    rate: float | Mapping[object, float],
    kind: str = "uniform",
    column: str = "target",
    depends_on: str | None = None,
    strength: float = 2.0,
    record: str | None = None,
    rng=None,
) -> pd.DataFrame:
    """Replace some class labels by a *different* class, chosen uniformly among the others.

    Kinds:

    - ``"uniform"``: every label flips with probability ``rate`` (a float).
    - ``"class_conditional"``: ``rate`` maps a class to its flip probability, e.g.
      ``{1: 0.3}``: 30 % of defaults are recorded as repaid (classes not listed never flip).
    - ``"feature"``: the flip probability depends on a numeric column ``depends_on`` through
      ``sigmoid(a + strength * z)`` (z-score), with ``a`` solved so the mean flip rate is ``rate``
      (e.g. annotators err more on long documents).

    The classes are the distinct non-missing values of ``column``; missing labels stay missing.
    For two classes a flip is the other class. Continuous (non-integer float) columns are refused.

    Parameters
    ----------
    frame : DataFrame
    rate : float in [0, 1] or mapping class -> float
    kind : {"uniform", "class_conditional", "feature"}
    column : str, default "target"
    depends_on : str, optional
        Required for (and only for) ``kind="feature"``.
    strength : float, default 2.0
    record : str, optional
        If given, add a boolean column of that name marking the flipped rows (ground truth).
    rng : int, Generator or None

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> frame = pd.DataFrame({"target": [0, 1] * 5000})
    >>> noisy = label_noise(frame, rate=0.1, record="flipped", rng=0)
    >>> round(float(noisy["flipped"].mean()), 2), bool((noisy["target"] != frame["target"]).equals(noisy["flipped"]))
    (0.1, True)
    >>> noisy = label_noise(frame, rate={1: 0.5}, kind="class_conditional", rng=0)
    >>> round(float(noisy["target"].mean()), 2)  # half the ones became zeros
    0.25
    """
    _check_frame(frame)
    _check_column(frame, column, "column")
    if kind not in _NOISE_KINDS:
        raise ValueError(f"kind must be one of {_NOISE_KINDS}, got {kind!r}")
    if record is not None and not isinstance(record, str):
        raise TypeError(f"record must be a column name (str) or None, got {type(record).__name__}")
    labels = frame[column]
    if pd.api.types.is_float_dtype(labels):
        values = labels.dropna().to_numpy()
        if not np.all(values == np.round(values)):
            raise ValueError(
                f"column must hold class labels, got {column!r}, which looks continuous"
            )
    strength = _check_number(strength, "strength")
    observed = labels.notna().to_numpy()
    classes = pd.unique(labels[observed])
    probabilities = _noise_probabilities(frame, labels, kind, rate, depends_on, strength)
    rng = np.random.default_rng(rng)
    flip = (rng.random(len(frame)) < probabilities) & observed
    if len(classes) < 2:
        flip[:] = False
    out = frame.copy()
    if flip.any():
        codes = pd.Index(classes).get_indexer(labels[flip])
        # a uniform draw among the k - 1 other classes: shift by 1..k-1 modulo k
        shift = rng.integers(1, len(classes), size=codes.size)
        new_values = classes[(codes + shift) % len(classes)]
        column_values = out[column].to_numpy(copy=True)
        column_values[flip] = new_values
        out[column] = pd.Series(column_values, index=out.index, dtype=labels.dtype)
    if record is not None:
        out[record] = flip
    return out


def _noise_probabilities(
    frame: pd.DataFrame,
    labels: pd.Series,
    kind: str,
    rate: object,
    depends_on: str | None,
    strength: float,
) -> np.ndarray:
    """Each row's probability of a flip, for ``label_noise`` (which validated the rest)."""
    if kind == "class_conditional":
        if not isinstance(rate, Mapping):
            raise TypeError(
                "rate must be a mapping class -> probability with kind='class_conditional', got "
                f"{type(rate).__name__}"
            )
        for label, probability in rate.items():
            _check_rate(probability, f"rate[{label!r}]")
        probabilities = labels.map(lambda v: rate.get(v, 0.0)).to_numpy(dtype=float, na_value=0.0)
    else:
        rate = _check_rate(rate, "rate")
        if kind == "uniform":
            probabilities = np.full(len(frame), rate)
        else:
            if depends_on is None:
                raise ValueError(
                    "depends_on must name the column the noise depends on with kind='feature', "
                    "got None"
                )
            _check_column(frame, depends_on, "depends_on")
            driver = _standardise(frame[depends_on], "depends_on")
            probabilities = _calibrated_probabilities(driver, rate, strength)
    if depends_on is not None and kind != "feature":
        raise ValueError(
            f"depends_on must be None unless kind='feature' (it is only used there), got "
            f"{depends_on!r} with kind={kind!r}"
        )
    return probabilities


# --------------------------------------------------------------------------------- label delays
def delay_labels(
    frame: pd.DataFrame,
    *,
    delay: str | pd.Timedelta,
    distribution: str = "exponential",
    never: float = 0.0,
    time_column: str = "timestamp",
    arrival_column: str = "label_arrival",
    rng=None,
) -> pd.DataFrame:
    """Give each row's label an arrival time: ``arrival = time + delay``.

    ``distribution="fixed"`` delays every label by exactly ``delay``; ``"exponential"`` draws
    delays with mean ``delay`` (many labels come fast, a few very late). A share ``never`` of the
    labels never arrives (arrival ``NaT``), e.g. a loan that is sold before it can default.

    Parameters
    ----------
    frame : DataFrame
    delay : str or Timedelta
        E.g. ``"30D"``; must be >= 0.
    distribution : {"exponential", "fixed"}
    never : float in [0, 1], default 0
    time_column : str, default "timestamp"
        When the prediction was made (a datetime column).
    arrival_column : str, default "label_arrival"
        Name of the added column.
    rng : int, Generator or None

    Returns
    -------
    DataFrame
        A copy with the added datetime column ``arrival_column``.

    Examples
    --------
    >>> frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=3, freq="D")})
    >>> delay_labels(frame, delay="2D", distribution="fixed")["label_arrival"].dt.day.tolist()
    [3, 4, 5]
    """
    _check_frame(frame)
    _check_column(frame, time_column, "time_column")
    if not pd.api.types.is_datetime64_any_dtype(frame[time_column]):
        raise TypeError(
            f"time_column must be a datetime column, got {time_column!r} of dtype "
            f"{frame[time_column].dtype}"
        )
    try:
        delay = pd.Timedelta(delay)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"delay must be a Timedelta or a string like '3D', got {delay!r}"
        ) from error
    if pd.isna(delay) or delay < pd.Timedelta(0):
        raise ValueError(f"delay must be >= 0, got {delay}")
    if distribution not in _DELAYS:
        raise ValueError(f"distribution must be one of {_DELAYS}, got {distribution!r}")
    never = _check_rate(never, "never")
    if not isinstance(arrival_column, str):
        raise TypeError(f"arrival_column must be a str, got {type(arrival_column).__name__}")
    rng = np.random.default_rng(rng)
    n = len(frame)
    scale = rng.exponential(1.0, size=n) if distribution == "exponential" else np.ones(n)
    delays = pd.to_timedelta(scale * delay.value, unit="ns")
    arrival = frame[time_column] + delays.to_numpy()
    lost = rng.random(n) < never
    out = frame.copy()
    out[arrival_column] = arrival.where(~lost)
    return out


def labels_available(
    frame: pd.DataFrame,
    *,
    at: str | pd.Timestamp,
    column: str = "target",
    arrival_column: str = "label_arrival",
) -> pd.DataFrame:
    """Hide the labels that have not arrived by time ``at`` (set them to missing).

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`delay_labels`.
    at : str or Timestamp
        The moment you look at the data.
    column : str, default "target"
    arrival_column : str, default "label_arrival"

    Returns
    -------
    DataFrame
        A copy where ``column`` is missing for rows whose label arrives after ``at`` (or never).

    Examples
    --------
    >>> frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=3, freq="D"),
    ...                       "target": [1, 0, 1]})
    >>> late = delay_labels(frame, delay="1D", distribution="fixed")
    >>> labels_available(late, at="2024-01-03")["target"].tolist()
    [1.0, 0.0, nan]
    """
    _check_frame(frame)
    _check_column(frame, column, "column")
    _check_column(frame, arrival_column, "arrival_column")
    at = _as_timestamp(at, "at", frame[arrival_column])
    arrived = (frame[arrival_column] <= at).fillna(False).to_numpy(dtype=bool)
    out = frame.copy()
    out[column] = out[column].where(arrived)
    return out


# ---------------------------------------------------------------------------------- duplicates
def duplicate_rows(
    frame: pd.DataFrame, *, rate: float, record: str | None = None, rng=None
) -> pd.DataFrame:
    """Ingest ``round(rate * len(frame))`` randomly chosen rows a second time.

    Each duplicate is placed right after its original (a time-ordered frame stays ordered) and
    the result gets a fresh ``RangeIndex``.

    Parameters
    ----------
    frame : DataFrame
    rate : float in [0, 1]
        Number of extra rows as a share of the input rows.
    record : str, optional
        If given, add a boolean column of that name, True on the extra copies.
    rng : int, Generator or None

    Returns
    -------
    DataFrame
        ``len(frame) + round(rate * len(frame))`` rows.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": range(100)})
    >>> out = duplicate_rows(frame, rate=0.1, rng=0)
    >>> len(out), int(out.duplicated().sum())
    (110, 10)
    """
    _check_frame(frame)
    rate = _check_rate(rate, "rate")
    if record is not None and not isinstance(record, str):
        raise TypeError(f"record must be a column name (str) or None, got {type(record).__name__}")
    rng = np.random.default_rng(rng)
    n = len(frame)
    extra = rng.choice(n, size=round(rate * n), replace=False) if n else np.array([], dtype=int)
    positions = np.concatenate([np.arange(n), np.sort(extra)])
    is_copy = np.concatenate([np.zeros(n, dtype=bool), np.ones(extra.size, dtype=bool)])
    order = np.lexsort((is_copy, positions))
    out = frame.iloc[positions[order]].reset_index(drop=True)
    if record is not None:
        out[record] = is_copy[order]
    return out


# ------------------------------------------------------------------------------------- outdated
def outdated(
    frame: pd.DataFrame, *, before: str | pd.Timestamp, time_column: str = "timestamp"
) -> pd.DataFrame:
    """Keep only the rows observed before ``before``: training data that has gone stale.

    Parameters
    ----------
    frame : DataFrame
    before : str or Timestamp
        Rows with ``time_column < before`` are kept.
    time_column : str, default "timestamp"

    Returns
    -------
    DataFrame
        The old rows, original index labels kept.

    Raises
    ------
    ValueError
        If no row is older than ``before`` (an empty training set is never what you meant).

    Examples
    --------
    >>> frame = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=5, freq="D")})
    >>> len(outdated(frame, before="2024-01-03"))
    2
    """
    _check_frame(frame)
    _check_column(frame, time_column, "time_column")
    if not pd.api.types.is_datetime64_any_dtype(frame[time_column]):
        raise TypeError(
            f"time_column must be a datetime column, got {time_column!r} of dtype "
            f"{frame[time_column].dtype}"
        )
    before = _as_timestamp(before, "before", frame[time_column])
    mask = (frame[time_column] < before).to_numpy(dtype=bool)
    if not mask.any():
        raise ValueError(
            f"before must be after the first {time_column} ({frame[time_column].min()}), got "
            f"{before}: no row is older"
        )
    return frame.loc[mask].copy()


# ------------------------------------------------------------------------- traces of the outcome
def outcome_trace(
    frame: pd.DataFrame,
    *,
    name: str,
    rate: float | Mapping[object, float],
    column: str = "target",
    rng=None,
) -> pd.DataFrame:
    """Add a 0/1 column that is 1 with a probability depending on the label: a shortcut feature.

    How records are gathered can leave a trace of the outcome in the data. Say the files of
    defaulted loans were scanned by the collections team (they needed them), while most repaid
    loans stayed on paper: in the archive, ``file_scanned`` is 1 for most defaults and few
    repaid loans, although scanning a file never caused anything. A model learns that trace.

    - ``rate`` as a mapping class -> probability, e.g. ``{1: 0.9, 0: 0.05}``: the column knows
      the label (classes not listed get 0).
    - ``rate`` as a float: every row gets the same probability; the column no longer says
      anything about the label (e.g. ``1.0`` once every new application is scanned at intake).

    Parameters
    ----------
    frame : DataFrame
    name : str
        The new column (an existing column of that name is replaced).
    rate : float in [0, 1] or mapping class -> float in [0, 1]
    column : str, default "target"
        The label the trace depends on; missing labels get probability 0.
    rng : int, Generator or None

    Returns
    -------
    DataFrame
        A copy with the int64 column ``name`` added.

    Examples
    --------
    >>> frame = pd.DataFrame({"target": [0, 1] * 5000})
    >>> traced = outcome_trace(frame, name="file_scanned", rate={1: 0.9, 0: 0.05}, rng=0)
    >>> traced.groupby("target")["file_scanned"].mean().round(2).tolist()
    [0.05, 0.9]
    >>> outcome_trace(frame, name="file_scanned", rate=1.0)["file_scanned"].unique().tolist()
    [1]
    """
    _check_frame(frame)
    _check_column(frame, column, "column")
    if not isinstance(name, str):
        raise TypeError(f"name must be a column name (str), got {type(name).__name__}")
    if name == column:
        raise ValueError(f"name must differ from column (the label would be lost), got {name!r}")
    if isinstance(rate, Mapping):
        for label, probability in rate.items():
            _check_rate(probability, f"rate[{label!r}]")
        probabilities = (
            frame[column].map(lambda v: rate.get(v, 0.0)).to_numpy(dtype=float, na_value=0.0)
        )
    else:
        probabilities = np.full(len(frame), _check_rate(rate, "rate"))
    rng = np.random.default_rng(rng)
    out = frame.copy()
    out[name] = (rng.random(len(frame)) < probabilities).astype(np.int64)
    return out
