"""Schemas: what each column of trusted (reference) data looked like.

:func:`infer_schema` learns, per column, its kind (numeric / categorical / boolean / datetime),
range, hard bounds, allowed categories and their shares, null rate and uniqueness, as a
:class:`Schema` of :class:`ColumnSchema` (JSON round trip with :meth:`Schema.to_dict` /
:meth:`Schema.from_dict`, which refuses inconsistent schemas). :meth:`Schema.to_pandera` turns it
into a pandera ``DataFrameSchema`` (the contract a frame must meet, value by value);
:func:`mlsys_helpers.quality.validate` runs that contract plus the reference-aware checks pandera
lacks, and the model service screens single request fields with :meth:`ColumnSchema.check_value`.

Two kinds of numeric limits:

* the **reference range** ``[min, max]``: what the trusted data held (finite values only). New
  data may stray a little outside it (widen it with ``margin``, tolerate a share of values
  outside it in ``validate``);
* the **hard bounds** ``[lower_bound, upper_bound]``: what is physically possible (money and
  ratios are never negative, applicants are adults). No margin ever widens them and no tolerance
  forgives a value outside them. ``infer_schema`` gives a column whose reference minimum is >= 0
  the lower bound 0; the rest is domain knowledge: edit with :meth:`Schema.with_bounds`.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["KINDS", "ColumnSchema", "Schema", "infer_schema"]

KINDS = ("numeric", "categorical", "boolean", "datetime")
_MAX_CATEGORIES = 50
_BOOL_CATEGORIES = ("False", "True")


# ------------------------------------------------------------------------------------ schema
@dataclass(frozen=True)
class ColumnSchema:
    """What one column looked like in the reference data.

    Attributes
    ----------
    name : str
    kind : {"numeric", "categorical", "boolean", "datetime"}
    dtype : str
        The reference pandas dtype (informative; checks use ``kind``).
    null_rate : float
        Share of missing values in the reference.
    min, max : float or None
        Reference range of numeric columns: the smallest and largest *finite* reference value
        (None for other kinds).
    categories : tuple of str or None
        Allowed values of categorical and boolean columns and of class-label columns
        (None when the set is open: more than ``max_categories`` values, e.g. an identifier).
    unique : bool
        All non-missing reference values were distinct (identifiers, timestamps).
    shares : tuple of float or None
        Share of each of ``categories`` among non-missing reference values (the label mix).
    lower_bound, upper_bound : float or None
        Hard bounds of numeric columns (None: unbounded on that side). They must contain the
        reference range.

    Raises
    ------
    ValueError
        For an inconsistent column (unknown kind, ``min > max``, a non-finite range, bounds
        that exclude the reference range, ...); the message names the column.

    Examples
    --------
    >>> column = ColumnSchema("age", "numeric", "int64", 0.0, 18.0, 90.0, lower_bound=18.0)
    >>> column.check_value(35) is None, column.check_value("35")
    (True, "expected a number for 'age', got str '35'")
    >>> column.check_value(12, margin=0.5)
    "'age'=12 is below the hard lower bound 18"
    >>> ColumnSchema("age", "numeric", "int64", min=90.0, max=18.0)
    Traceback (most recent call last):
    ...
    ValueError: min must be <= max (18), got 90 (column 'age')
    """

    name: str
    kind: str
    dtype: str
    null_rate: float = 0.0
    min: float | None = None
    max: float | None = None
    categories: tuple[str, ...] | None = None
    unique: bool = False
    shares: tuple[float, ...] | None = None
    lower_bound: float | None = None
    upper_bound: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty str, got {self.name!r}")

        def fail(problem: str) -> None:
            raise ValueError(f"{problem} (column {self.name!r})")

        if self.kind not in KINDS:
            fail(f"kind must be one of {KINDS}, got {self.kind!r}")
        if (
            isinstance(self.null_rate, bool)
            or not isinstance(self.null_rate, numbers.Real)
            or not 0.0 <= self.null_rate <= 1.0
        ):
            fail(f"null_rate must be in [0, 1], got {self.null_rate!r}")
        for key in ("min", "max", "lower_bound", "upper_bound"):
            value = getattr(self, key)
            if value is None:
                continue
            if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
                fail(f"{key} must be a number or None, got {value!r}")
            if not math.isfinite(float(value)):
                fail(f"{key} must be finite, got {value!r}")
            if self.kind != "numeric":
                fail(f"{key} must be None for a {self.kind!r} column, got {value!r}")
            object.__setattr__(self, key, float(value))
        low, high = self.min, self.max
        lower, upper = self.lower_bound, self.upper_bound
        if low is not None and high is not None and low > high:
            fail(f"min must be <= max ({high:g}), got {low:g}")
        if lower is not None and upper is not None and lower > upper:
            fail(f"lower_bound must be <= upper_bound ({upper:g}), got {lower:g}")
        if lower is not None and low is not None and low < lower:
            fail(f"min must be >= the hard lower_bound ({lower:g}), got {low:g}")
        if upper is not None and high is not None and high > upper:
            fail(f"max must be <= the hard upper_bound ({upper:g}), got {high:g}")
        if self.categories is not None:
            object.__setattr__(self, "categories", tuple(str(c) for c in self.categories))
        if self.shares is not None:
            object.__setattr__(self, "shares", tuple(float(s) for s in self.shares))
            if self.categories is None or len(self.shares) != len(self.categories):
                fail("shares must have one entry per category")
            if not all(0.0 <= share <= 1.0 for share in self.shares):
                fail(f"shares must lie in [0, 1], got {self.shares}")

    def out_of_bounds(self, number: float) -> str | None:
        """Which hard bound ``number`` breaks (``"lower"``/``"upper"``), or None.

        Examples
        --------
        >>> ColumnSchema("income", "numeric", "float64", lower_bound=0.0).out_of_bounds(-1.0)
        'lower'
        """
        if self.lower_bound is not None and number < self.lower_bound:
            return "lower"
        if self.upper_bound is not None and number > self.upper_bound:
            return "upper"
        return None

    def within_range(self, number: float, *, margin: float = 0.0) -> bool:
        """Whether ``number`` lies in the reference [min, max] widened by ``margin`` times its span
        on each side, and inside the hard bounds (which no margin widens). True when the column
        has neither range nor bounds.

        Examples
        --------
        >>> column = ColumnSchema("age", "numeric", "float64", min=20.0, max=60.0, lower_bound=18.0)
        >>> column.within_range(65.0), column.within_range(65.0, margin=0.25)
        (False, True)
        >>> column.within_range(12.0, margin=0.25)  # 20 - 0.25 * 40 = 10, but adults are >= 18
        False
        """
        low, high = self.allowed_range(margin=margin)
        return (low is None or number >= low) and (high is None or number <= high)

    def allowed_range(self, *, margin: float = 0.0) -> tuple[float | None, float | None]:
        """The interval :meth:`within_range` accepts: the reference [min, max] widened by
        ``margin`` times its span, clipped to the hard bounds (None where a side is open).
        The serving side's request contract uses the same interval.

        Examples
        --------
        >>> ColumnSchema("income", "numeric", "float64", min=0.0, max=100.0,
        ...              lower_bound=0.0).allowed_range(margin=0.1)
        (0.0, 110.0)
        """
        low, high = self.lower_bound, self.upper_bound
        if self.min is not None and self.max is not None:
            slack = margin * (self.max - self.min)
            low = self.min - slack if low is None else max(self.min - slack, low)
            high = self.max + slack if high is None else min(self.max + slack, high)
        return low, high

    def check_value(self, value: Any, *, margin: float = 0.0) -> str | None:
        """Describe what is wrong with one scalar value, or return None if it looks fine.

        Used by the serving side to screen a single request field. Missing values are a problem
        only if the reference had none. Numbers must lie inside the hard bounds (no margin), and
        in the reference [min, max], widened by
        ``margin`` times its span on each side (default 0: a clean value falls outside the range
        of n reference values with probability about 2 / n; widen it if that is too strict, but
        a fraction of the span is loose on the short side of a skewed column).

        Parameters
        ----------
        value : scalar
        margin : float, default 0.0

        Returns
        -------
        str or None

        Examples
        --------
        >>> column = ColumnSchema("region", "categorical", "str", categories=("north", "south"))
        >>> column.check_value("north") is None
        True
        >>> column.check_value("mars")
        "unseen category 'mars' for 'region' (known: north, south)"
        """
        if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
            return (
                None
                if self.null_rate > 0
                else f"missing value for {self.name!r} (none in reference)"
            )
        if value is pd.NaT or value is pd.NA:
            return (
                None
                if self.null_rate > 0
                else f"missing value for {self.name!r} (none in reference)"
            )
        if self.kind == "numeric":
            if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
                return f"expected a number for {self.name!r}, got {type(value).__name__} {value!r}"
            if not math.isfinite(float(value)):
                return f"non-finite value {value!r} for {self.name!r}"
            if self.categories is not None and _label_key(value) not in self.categories:
                return f"unseen class {value!r} for {self.name!r} (known: {', '.join(self.categories)})"
            side = self.out_of_bounds(float(value))
            if side is not None:
                bound = self.lower_bound if side == "lower" else self.upper_bound
                return f"{self.name!r}={value!r} is {'below' if side == 'lower' else 'above'} the hard {side} bound {bound:g}"
            if not self.within_range(float(value), margin=margin):
                return f"{self.name!r}={value!r} is out of range [{self.min:g}, {self.max:g}]"
            return None
        if self.kind == "boolean":
            if not isinstance(value, bool | np.bool_):
                return f"expected a boolean for {self.name!r}, got {type(value).__name__} {value!r}"
            return None
        if self.kind == "datetime":
            if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
                return None
            if isinstance(value, str):
                try:
                    pd.Timestamp(value)
                except ValueError:
                    return f"cannot parse {value!r} as a datetime for {self.name!r}"
                return None
            return f"expected a datetime for {self.name!r}, got {type(value).__name__} {value!r}"
        if not isinstance(value, str):
            return f"expected a string for {self.name!r}, got {type(value).__name__} {value!r}"
        if self.categories is not None and value not in self.categories:
            return (
                f"unseen category {value!r} for {self.name!r} (known: {', '.join(self.categories)})"
            )
        return None


@dataclass(frozen=True)
class Schema:
    """The columns of a reference frame, plus frame-level facts.

    Attributes
    ----------
    columns : tuple of ColumnSchema
    ignored : tuple of str
        Columns excluded at inference (e.g. ground truth); :func:`validate` ignores them.
    duplicate_rate : float
        Share of fully duplicated rows in the reference.
    n_rows : int
        Number of reference rows.

    Examples
    --------
    >>> schema = infer_schema(pd.DataFrame({"x": [1.0, 2.0], "g": ["a", "b"]}))
    >>> schema.names, schema["g"].categories
    (('x', 'g'), ('a', 'b'))
    >>> Schema.from_dict(schema.to_dict()) == schema
    True
    """

    columns: tuple[ColumnSchema, ...]
    ignored: tuple[str, ...] = ()
    duplicate_rate: float = 0.0
    n_rows: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "ignored", tuple(self.ignored))
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"columns must have unique names, got {names}")

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(c.name for c in self.columns)

    def __getitem__(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"no column {name!r} in schema; columns are {list(self.names)}")

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def with_bounds(self, bounds: Mapping[str, tuple[float | None, float | None]]) -> Schema:
        """A copy with the hard bounds of some numeric columns replaced (domain knowledge).

        Parameters
        ----------
        bounds : mapping of column name to (lower, upper)
            None leaves that side unbounded. The bounds must contain the reference range.

        Examples
        --------
        >>> schema = infer_schema(pd.DataFrame({"age": [23, 41, 67], "income": [-2.0, 3.0, 5.0]}))
        >>> schema["age"].lower_bound, schema["income"].lower_bound  # inferred: min >= 0 -> 0
        (0.0, None)
        >>> adults = schema.with_bounds({"age": (18, 120)})
        >>> adults["age"].lower_bound, adults["age"].upper_bound
        (18.0, 120.0)
        """
        if not isinstance(bounds, Mapping):
            raise TypeError(
                f"bounds must be a mapping of column name to (lower, upper), got {type(bounds).__name__}"
            )
        edited = {}
        for name, pair in bounds.items():
            column = self[name]
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise ValueError(f"bounds[{name!r}] must be a (lower, upper) pair, got {pair!r}")
            if column.kind != "numeric":
                raise ValueError(
                    f"bounds[{name!r}] must be for a numeric column, got a {column.kind} column"
                )
            edited[name] = replace(column, lower_bound=pair[0], upper_bound=pair[1])
        return replace(self, columns=tuple(edited.get(c.name, c) for c in self.columns))

    def to_pandera(self, *, reference_range: bool = False) -> Any:
        """The value-by-value contract of this schema as a pandera ``DataFrameSchema``.

        One ``pandera.Column`` per schema column, with the checks that hold for every single
        value: ``type`` (the kind), ``finite`` (no +-inf), ``bounds`` (the hard bounds),
        ``unseen_category`` (known categories or classes) and uniqueness; at frame level,
        ``rows`` (the batch is not empty) and ``strict`` (no column the schema does not know;
        ignored columns are optional and unchecked). Missing values are allowed (their *rate*
        is compared with the reference by :func:`~mlsys_helpers.quality.validate`).

        The reference ``[min, max]`` is not a rule for single values (a clean sample's extremes
        fall outside the old sample's), so it is a check only with ``reference_range=True``;
        ``validate`` uses that and tolerates a share of failures. pandera has no notion of a
        reference frame: null rate, label mix and duplicates are compared in ``validate``.

        Parameters
        ----------
        reference_range : bool, default False
            Add a ``range`` check on the reference [min, max] of numeric columns.

        Returns
        -------
        pandera.pandas.DataFrameSchema

        Examples
        --------
        >>> schema = infer_schema(pd.DataFrame({"income": [30.0, 45.0], "region": ["n", "s"]}))
        >>> contract = schema.to_pandera()
        >>> sorted(contract.columns), [check.name for check in contract.columns["income"].checks]
        (['income', 'region'], ['type', 'finite', 'bounds'])
        >>> contract.validate(pd.DataFrame({"income": [99.0], "region": ["s"]})).shape
        (1, 2)
        """
        from mlsys_helpers.quality.checks import _to_pandera

        return _to_pandera(self, reference_range=reference_range)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (lists instead of tuples, plain floats).

        Examples
        --------
        >>> import json
        >>> schema = infer_schema(pd.DataFrame({"x": [1, 2, 3]}))
        >>> json.loads(json.dumps(schema.to_dict()))["columns"][0]["max"]
        3.0
        """
        columns = []
        for column in self.columns:
            entry = asdict(column)
            for key in ("categories", "shares"):
                if entry[key] is not None:
                    entry[key] = list(entry[key])
            columns.append(entry)
        return {
            "columns": columns,
            "ignored": list(self.ignored),
            "duplicate_rate": float(self.duplicate_rate),
            "n_rows": int(self.n_rows),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        """Rebuild a schema from :meth:`to_dict` output.

        Inconsistent schemas are refused with a message naming the column (the checks of
        :class:`ColumnSchema`), so a hand-edited file cannot silently disable a check.

        Examples
        --------
        >>> Schema.from_dict({"columns": [{"name": "x", "kind": "numeric", "dtype": "float64"}]}).names
        ('x',)
        >>> Schema.from_dict({"columns": [{"name": "x", "kind": "number", "dtype": "float64"}]})
        Traceback (most recent call last):
        ...
        ValueError: kind must be one of ('numeric', 'categorical', 'boolean', 'datetime'), got 'number' (column 'x')
        """
        if not isinstance(data, dict) or "columns" not in data:
            raise ValueError(
                "data must be a dict with a 'columns' list (from Schema.to_dict), "
                f"got {type(data).__name__}"
            )
        fields = set(ColumnSchema.__dataclass_fields__)
        columns = []
        for position, entry in enumerate(data["columns"]):
            if not isinstance(entry, dict) or "name" not in entry:
                raise ValueError(f"columns[{position}] must be a dict with a 'name', got {entry!r}")
            entry = dict(entry)
            unknown = sorted(set(entry) - fields)
            if unknown:
                raise ValueError(
                    f"columns[{position}] must have only ColumnSchema fields, "
                    f"got {unknown} in column {entry['name']!r}"
                )
            missing = sorted({"kind", "dtype"} - set(entry))
            if missing:
                raise ValueError(
                    f"columns[{position}] must have the fields ['dtype', 'kind'], "
                    f"missing {missing} in column {entry['name']!r}"
                )
            for key in ("categories", "shares"):
                if entry.get(key) is not None:
                    entry[key] = tuple(entry[key])
            columns.append(ColumnSchema(**entry))
        return cls(
            columns=tuple(columns),
            ignored=tuple(data.get("ignored", ())),
            duplicate_rate=float(data.get("duplicate_rate", 0.0)),
            n_rows=int(data.get("n_rows", 0)),
        )


# --------------------------------------------------------------------------------- inference
def _label_key(value: Any) -> str:
    """String key of a class value: integral floats print as ints (1.0 -> '1')."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _label_keys(values: pd.Series) -> pd.Series:
    """Vectorised :func:`_label_key` over non-missing values (object columns go value by value)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(bool).map({False: "False", True: "True"})
    if pd.api.types.is_integer_dtype(values):
        return values.astype("int64").astype(str)
    if pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy(dtype=float)
        if np.all(np.mod(numbers, 1) == 0) and np.all(np.abs(numbers) < 2**53):
            return pd.Series(numbers.astype(np.int64), index=values.index).astype(str)
        return values.map(_label_key)
    if values.dtype == object:
        return values.map(_label_key)
    return values.astype(str)


def _kind_of(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    if series.dtype == object:
        values = series.dropna()
        if len(values) and values.map(lambda v: isinstance(v, bool | np.bool_)).all():
            return "boolean"
    return "categorical"


def _shares(values: pd.Series, categories: tuple[str, ...]) -> tuple[float, ...]:
    counts = _label_keys(values).value_counts()
    total = max(len(values), 1)
    return tuple(float(counts.get(c, 0)) / total for c in categories)


def _infer_column(series: pd.Series, *, labels: Sequence[str], max_classes: int) -> ColumnSchema:
    kind = _kind_of(series)
    values = series.dropna()
    null_rate = float(series.isna().mean()) if len(series) else 0.0
    unique = bool(len(values) >= 2 and values.is_unique and kind != "boolean")
    low = high = None
    categories = shares = None
    lower = None
    if kind == "numeric":
        numbers = values.to_numpy(dtype=float)
        finite = numbers[np.isfinite(numbers)]  # +-inf is its own check, never part of a range
        if len(finite):
            low, high = float(finite.min()), float(finite.max())
            lower = 0.0 if low >= 0 else None
        unique = unique and not pd.api.types.is_float_dtype(series)
        integral = 0 < len(finite) == len(numbers) and bool(np.all(np.mod(finite, 1) == 0))
        if series.name in labels and integral and values.nunique() <= max_classes:
            categories = tuple(sorted({_label_key(v) for v in values.unique()}, key=float))
    elif kind == "boolean":
        categories = _BOOL_CATEGORIES
    elif kind == "categorical":
        keys = sorted({_label_key(v) for v in values.unique()})
        if len(keys) <= max_classes:
            categories = tuple(keys)
    if categories is not None:
        shares = _shares(values, categories)
    return ColumnSchema(
        name=str(series.name),
        kind=kind,
        dtype=str(series.dtype),
        null_rate=null_rate,
        min=low,
        max=high,
        categories=categories,
        unique=unique,
        shares=shares,
        lower_bound=lower,
    )


def infer_schema(
    frame: pd.DataFrame,
    *,
    exclude: Sequence[str] = (),
    labels: Sequence[str] = ("target",),
    max_categories: int = _MAX_CATEGORIES,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> Schema:
    """Learn a :class:`Schema` from a trusted reference frame.

    Kinds come from dtypes: bool -> boolean, datetime -> datetime, other numbers -> numeric,
    everything else -> categorical. Categorical and boolean columns record their categories and
    shares; so do numeric columns listed in ``labels`` that hold at most ``max_categories``
    integral values (a 0/1 target), so their class mix is checked too. A string column with more
    than ``max_categories`` values (an identifier, free text) gets an open category set (None). Float columns are never marked unique (continuous values are distinct by
    accident). Datetime columns get no range: time moves on, new data is always "out of range".

    Numeric ranges come from finite values only (an inf in the reference is reported by
    ``validate``'s ``finite`` check, it never widens the range). Hard bounds: a numeric column
    whose reference minimum is >= 0 gets ``lower_bound=0`` (money, counts, ratios: a negative
    value later is impossible, not unusual); anything else the data cannot tell (adult ages,
    ratios capped at 1) comes from ``bounds`` or :meth:`Schema.with_bounds`. The inferred bound is
    a guess from the data: temperatures in deg C from a summer-only sample would get one too,
    wrongly; remove it with ``bounds={"temperature": (None, None)}``.

    Parameters
    ----------
    frame : DataFrame
    exclude : sequence of str
        Columns to leave out, e.g. ground truth such as ``world.TRUTH_COLUMNS``; validation
        ignores them too.
    labels : sequence of str, default ("target",)
        Numeric columns to treat as class labels when they look discrete.
    max_categories : int, default 50
    bounds : mapping of column name to (lower, upper), optional
        Hard bounds to set instead of the inferred ones (see :meth:`Schema.with_bounds`).

    Returns
    -------
    Schema

    Examples
    --------
    >>> frame = pd.DataFrame({"income": [30.5, 52.0, 41.0], "region": ["n", "s", "n"],
    ...                       "target": [0, 1, 0]})
    >>> schema = infer_schema(frame)
    >>> schema["income"].min, schema["region"].categories, schema["target"].shares
    (30.5, ('n', 's'), (0.666..., 0.333...))
    >>> schema["income"].lower_bound  # incomes were never negative: they cannot be
    0.0
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if isinstance(exclude, str) or isinstance(labels, str):
        name = "exclude" if isinstance(exclude, str) else "labels"
        raise TypeError(f"{name} must be a sequence of column names, got str")
    unknown = [c for c in exclude if c not in frame.columns]
    if unknown:
        raise ValueError(f"exclude must name columns of frame, got {unknown} (not in frame)")
    if (
        isinstance(max_categories, bool)
        or not isinstance(max_categories, int)
        or max_categories < 2
    ):
        raise ValueError(f"max_categories must be an int >= 2, got {max_categories!r}")
    if not frame.columns.is_unique:
        raise ValueError(
            "frame must have unique column names, got duplicates "
            f"{frame.columns[frame.columns.duplicated()].unique().tolist()}"
        )
    kept = [c for c in frame.columns if c not in exclude]
    columns = tuple(
        _infer_column(frame[c], labels=tuple(labels), max_classes=max_categories) for c in kept
    )
    duplicate_rate = float(frame[kept].duplicated().mean()) if len(frame) and kept else 0.0
    schema = Schema(
        columns=columns,
        ignored=tuple(str(c) for c in exclude),
        duplicate_rate=duplicate_rate,
        n_rows=len(frame),
    )
    return schema if bounds is None else schema.with_bounds(bounds)
