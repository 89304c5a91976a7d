"""Schemas: what each column of trusted (reference) data looked like.

:func:`infer_schema` learns, per column, its kind (numeric / categorical / boolean / datetime),
range, allowed categories and their shares, null rate and uniqueness, as a :class:`Schema` of
:class:`ColumnSchema` (JSON round trip with :meth:`Schema.to_json` / :meth:`Schema.from_json`).
:func:`mlsys_helpers.quality.validate` checks new data against it, and the model service
screens single request fields with :meth:`ColumnSchema.check_value`.

These names are re-exported by :mod:`mlsys_helpers.quality`; import them from there.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
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
        Reference range of numeric columns (None for other kinds).
    categories : tuple of str or None
        Allowed values of categorical and boolean columns and of class-label columns
        (None when the set is open: more than ``max_categories`` values, e.g. an identifier).
    unique : bool
        All non-missing reference values were distinct (identifiers, timestamps).
    shares : tuple of float or None
        Share of each of ``categories`` among non-missing reference values (the label mix).

    Examples
    --------
    >>> column = ColumnSchema("age", "numeric", "int64", 0.0, 18.0, 90.0)
    >>> column.check_value(35) is None, column.check_value("35")
    (True, "expected a number for 'age', got str '35'")
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

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not 0.0 <= self.null_rate <= 1.0:
            raise ValueError(f"null_rate must be in [0, 1], got {self.null_rate}")
        if self.categories is not None:
            object.__setattr__(self, "categories", tuple(str(c) for c in self.categories))
        if self.shares is not None:
            object.__setattr__(self, "shares", tuple(float(s) for s in self.shares))
            if self.categories is None or len(self.shares) != len(self.categories):
                raise ValueError("shares must have one entry per category")

    def within_range(self, number: float, *, margin: float = 0.0) -> bool:
        """Whether ``number`` lies in the reference [min, max] widened by ``margin`` times its span
        on each side (True when the column has no range).

        Examples
        --------
        >>> column = ColumnSchema("age", "numeric", "float64", min=20.0, max=60.0)
        >>> column.within_range(65.0), column.within_range(65.0, margin=0.25)
        (False, True)
        """
        if self.min is None or self.max is None:
            return True
        slack = margin * (self.max - self.min)
        return self.min - slack <= number <= self.max + slack

    def check_value(self, value: Any, *, margin: float = 0.0) -> str | None:
        """Describe what is wrong with one scalar value, or return None if it looks fine.

        Used by the serving side to screen a single request field. Missing values are a problem
        only if the reference had none. Numbers must lie in the reference [min, max], widened by
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
            raise ValueError(f"column names must be unique, got {names}")

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

        Examples
        --------
        >>> Schema.from_dict({"columns": [{"name": "x", "kind": "numeric", "dtype": "float64"}]}).names
        ('x',)
        """
        if not isinstance(data, dict) or "columns" not in data:
            raise ValueError("data must be a dict with a 'columns' list (from Schema.to_dict)")
        columns = []
        for entry in data["columns"]:
            entry = dict(entry)
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
    if kind == "numeric":
        if len(values):
            low, high = float(values.min()), float(values.max())
        unique = unique and not pd.api.types.is_float_dtype(series)
        integral = len(values) > 0 and bool(np.all(np.mod(values.to_numpy(dtype=float), 1) == 0))
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
    )


def infer_schema(
    frame: pd.DataFrame,
    *,
    exclude: Sequence[str] = (),
    labels: Sequence[str] = ("target",),
    max_categories: int = _MAX_CATEGORIES,
) -> Schema:
    """Learn a :class:`Schema` from a trusted reference frame.

    Kinds come from dtypes: bool -> boolean, datetime -> datetime, other numbers -> numeric,
    everything else -> categorical. Categorical and boolean columns record their categories and
    shares; so do numeric columns listed in ``labels`` that hold at most ``max_categories``
    integral values (a 0/1 target), so their class mix is checked too. A string column with more
    than ``max_categories`` values (an identifier, free text) gets an open category set (None). Float columns are never marked unique (continuous values are distinct by
    accident). Datetime columns get no range: time moves on, new data is always "out of range".

    Parameters
    ----------
    frame : DataFrame
    exclude : sequence of str
        Columns to leave out, e.g. ground truth such as ``world.TRUTH_COLUMNS``; validation
        ignores them too.
    labels : sequence of str, default ("target",)
        Numeric columns to treat as class labels when they look discrete.
    max_categories : int, default 50

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
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if isinstance(exclude, str) or isinstance(labels, str):
        raise TypeError("exclude and labels must be sequences of column names, not a single str")
    unknown = [c for c in exclude if c not in frame.columns]
    if unknown:
        raise ValueError(f"exclude names columns not in frame: {unknown}")
    if (
        isinstance(max_categories, bool)
        or not isinstance(max_categories, int)
        or max_categories < 2
    ):
        raise ValueError(f"max_categories must be an int >= 2, got {max_categories!r}")
    if not frame.columns.is_unique:
        raise ValueError("frame has duplicated column names")
    kept = [c for c in frame.columns if c not in exclude]
    columns = tuple(
        _infer_column(frame[c], labels=tuple(labels), max_classes=max_categories) for c in kept
    )
    duplicate_rate = float(frame[kept].duplicated().mean()) if len(frame) and kept else 0.0
    return Schema(
        columns=columns,
        ignored=tuple(str(c) for c in exclude),
        duplicate_rate=duplicate_rate,
        n_rows=len(frame),
    )
