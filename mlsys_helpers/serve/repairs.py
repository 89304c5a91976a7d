"""Reading one request: what :class:`~mlsys_helpers.serve.ModelService` repairs, and how.

Every row of this table is one small pure function of this module (last column; the service's
answer to a request it cannot repair is decided in :mod:`~mlsys_helpers.serve.fallback`).
``tests/test_service_repairs.py`` reads the table and checks each row against its function and
against the service's answer. Each repair is reported in ``Response.problems``.

=========================  ===========================================================  =========  ========================
request                    what the service does                                        served by  function
=========================  ===========================================================  =========  ========================
renamed field              ``DebtRatio`` / ``debt-ratio`` matched to ``debt_ratio``     model      ``_renamed_to``
                           (case, ``_``, ``-`` and spaces ignored; unambiguous only)
extra field                ignored                                                      model      ``_renamed_to``
reordered fields           nothing to do: fields are read by name                       model      ``_given_fields``
number sent as a string    ``"52000"`` parsed with ``float``                            model      ``_number_from_string``
category case / spaces     ``" North"`` matched to ``"north"``                          model      ``_match_category``
missing field, null, NaN   left missing: the model's imputer fills it                   model      ``_is_missing``
unseen category            kept: the pipeline's one-hot encoder ignores it              model      ``_read_category``
too many missing fields    more than ``max_missing`` of the schema's fields             fallback   ``_missing_problem``
wrong type, inf, garbage   field cannot be read (the fallback sees it as missing)       fallback   ``_read_number``
out of range               beyond the training range by more than ``range_margin``      fallback   ``_range_problem``
                           times its span (units changed? an outlier?), outside the
                           column's hard bounds (a negative income; see
                           ``infer_schema``), or a number too large for a float
not a JSON object, or no   nothing can be read: answered as ``rejected`` with reason    rejected   ``_read_request``
field readable             ``"nothing could be read"`` (never a decision)
model too slow             modelled latency over ``latency_budget_ms``                  fallback   ``_over_budget``
model raises               the error is reported                                        fallback   ``_call``
=========================  ===========================================================  =========  ========================

A field reader returns ``(value, problems, fatal)``: the value the model sees (NaN when the
field is unusable), the problems found, and why the model must not answer (``""`` when it may).
"""

from __future__ import annotations

import datetime
import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NOTHING_READ"]

#: Reason of a request the service could not read at all (answered ``rejected``).
NOTHING_READ = "nothing could be read"
_UNREADABLE = "unreadable field"
_OUT_OF_RANGE = "out of range"


@dataclass
class _Parsed:
    values: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    fatal: str = ""


def _short(value: Any, limit: int = 40) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _norm(key: str) -> str:
    return re.sub(r"[\s_\-]+", "", key).casefold()


def _missing(name: str) -> str:
    return f"missing {name!r} (left to the model's imputer)"


def _wrong_type(name: str, expected: str, value: Any) -> str:
    return f"unreadable {name!r}: expected {expected}, got {type(value).__name__} {_short(value)}"


# ------------------------------------------------------------------ the repairs, one each
def _renamed_to(key: Any, by_norm: dict[str, list[str]], given: dict) -> str | None:
    """The schema field an unknown key stands for, or None (an extra field, ignored).

    >>> _renamed_to("DebtRatio", {"debtratio": ["debt_ratio"]}, {})
    'debt_ratio'
    >>> _renamed_to("DebtRatio", {"debtratio": ["debt_ratio"]}, {"debt_ratio": 0.2}) is None
    True
    """
    names = by_norm.get(_norm(key), []) if isinstance(key, str) else []
    return names[0] if len(names) == 1 and names[0] not in given else None


def _given_fields(request: dict, columns: dict, by_norm: dict) -> tuple[dict, list[str]]:
    """The request's values by schema field (read by name: order does not matter), and problems.

    >>> _given_fields({"X": 1, "debug": 2}, {"x": None}, {"x": ["x"]})
    ({'x': 1}, ["renamed field 'X' -> 'x'", "extra field 'debug' ignored"])
    """
    given = {
        key: value for key, value in request.items() if isinstance(key, str) and key in columns
    }
    problems = []
    for key, value in request.items():
        if isinstance(key, str) and key in columns:
            continue
        name = _renamed_to(key, by_norm, given)
        if name is not None:
            problems.append(f"renamed field {_short(key)} -> {name!r}")
            given[name] = value
        else:
            problems.append(f"extra field {_short(key)} ignored")
    return given, problems


def _number_from_string(value: Any) -> float | None:
    """The finite number a short string holds, or None.

    >>> _number_from_string(" 52000 "), _number_from_string("inf"), _number_from_string(3)
    (52000.0, None, None)
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _match_category(value: str, categories: list[str]) -> str | None:
    """The one training category equal to ``value`` up to case and spaces, or None.

    >>> _match_category(" North", ["north", "south"]), _match_category("east", ["north"])
    ('north', None)
    """
    matches = [c for c in categories if c.strip().casefold() == value.strip().casefold()]
    return matches[0] if len(matches) == 1 else None


def _is_missing(value: Any) -> bool:
    """None or NaN: left to the model's imputer.

    >>> _is_missing(None), _is_missing(float("nan")), _is_missing(0.0)
    (True, True, False)
    """
    return value is None or (isinstance(value, float) and math.isnan(value))


def _missing_problem(n_missing: int, n_fields: int, max_missing: float) -> tuple[str, str]:
    """Problem and fatal reason when too few fields could be read (``("", "")`` otherwise).

    >>> _missing_problem(2, 3, 0.5)
    ('too many missing fields (2 of 3)', 'too many missing fields')
    >>> _missing_problem(3, 3, 0.5)
    ('no field of the schema could be read', 'nothing could be read')
    """
    if n_fields and n_missing == n_fields:
        return "no field of the schema could be read", NOTHING_READ
    if n_fields and n_missing > max_missing * n_fields:
        return f"too many missing fields ({n_missing} of {n_fields})", "too many missing fields"
    return "", ""


def _range_problem(column: Any, number: float, margin: float) -> str:
    """Why a numeric value is refused: beyond a hard bound or the widened training range.

    ``""`` when it is accepted (the rule of :meth:`~mlsys_helpers.quality.ColumnSchema.check_value`).
    """
    name = column.name
    side = column.out_of_bounds(number)
    if side is not None:
        bound = column.lower_bound if side == "lower" else column.upper_bound
        where = "below" if side == "lower" else "above"
        return f"{name!r}={number:g} is {where} the hard {side} bound {bound:g}, impossible here"
    if not column.within_range(number, margin=margin):
        return f"{name!r}={number:g} outside training range [{column.min:g}, {column.max:g}]"
    return ""


# ------------------------------------------------------------------ the field readers
def _read_number(column: Any, value: Any, margin: float) -> tuple[Any, list[str], str]:
    """A numeric or boolean field: a finite float in range (or 0/1), else NaN and a reason."""
    name = column.name
    if isinstance(value, bool | np.bool_):
        if column.kind == "boolean":
            return float(value), [], ""
        return np.nan, [f"unreadable {name!r}: expected a number, got bool"], _UNREADABLE
    problems = []
    number = _number_from_string(value)
    if number is not None:
        problems.append(f"parsed {name!r} from string {_short(value)}")
        value = number
    if not isinstance(value, numbers.Real):
        return np.nan, [*problems, _wrong_type(name, "a number", value)], _UNREADABLE
    try:
        number = float(value)
    except OverflowError:  # an int with hundreds of digits
        problems.append(f"{name!r} is out of range: a number too large for a float")
        return np.nan, problems, _OUT_OF_RANGE
    if math.isnan(number):
        return np.nan, [*problems, _missing(name)], ""
    if not math.isfinite(number):
        return np.nan, [*problems, f"unreadable {name!r}: non-finite {number}"], _UNREADABLE
    if column.kind == "boolean":
        if number not in (0.0, 1.0):
            problems.append(f"unreadable {name!r}: expected a boolean, got {number:g}")
            return np.nan, problems, _UNREADABLE
        return number, problems, ""
    problem = _range_problem(column, number, margin)
    return number, [*problems, problem] if problem else problems, _OUT_OF_RANGE if problem else ""


def _read_datetime(column: Any, value: Any) -> tuple[Any, list[str], str]:
    """A datetime field: a Timestamp (from a datetime or a short string), else NaT."""
    if isinstance(value, (pd.Timestamp, datetime.datetime, np.datetime64)):
        stamp = pd.Timestamp(value)
        if not pd.isna(stamp):
            return stamp, [], ""
    elif isinstance(value, str) and len(value) <= 64:
        try:
            return pd.Timestamp(value), [], ""
        except (ValueError, TypeError):
            pass
    return pd.NaT, [f"unreadable {column.name!r}: not a datetime {_short(value)}"], _UNREADABLE


def _read_category(column: Any, value: Any) -> tuple[Any, list[str], str]:
    """A categorical field: a known category, a repaired one, or an unseen one kept."""
    name, categories = column.name, column.categories
    if isinstance(value, numbers.Real) and not isinstance(value, str):
        text = _short(value, 64)
        if categories is not None and text in categories:
            return text, [f"converted {name!r} from {type(value).__name__} to {text!r}"], ""
        return np.nan, [_wrong_type(name, "a string", value)], _UNREADABLE
    if not isinstance(value, str):
        return np.nan, [_wrong_type(name, "a string", value)], _UNREADABLE
    if categories is None or value in categories:
        return value, [], ""
    match = _match_category(value, categories)
    if match is not None:
        return match, [f"matched {name!r} {_short(value)} to {match!r}"], ""
    return value, [f"unseen category {_short(value)} for {name!r} (the model ignores it)"], ""


def _read_value(column: Any, value: Any, margin: float) -> tuple[Any, list[str], str]:
    """Clean one field: the value the model sees (NaN if unusable), problems, fatal reason."""
    if _is_missing(value):
        return np.nan, [_missing(column.name)], ""
    if column.kind in ("numeric", "boolean"):
        return _read_number(column, value, margin)
    if column.kind == "datetime":
        return _read_datetime(column, value)
    return _read_category(column, value)


# ------------------------------------------------------------------ one request
def _parse(
    request: Any, columns: dict, by_norm: dict, margin: float, max_missing: float
) -> _Parsed:
    parsed = _Parsed()
    if not isinstance(request, dict):
        parsed.problems.append(f"request must be a JSON object, got {type(request).__name__}")
        parsed.fatal = NOTHING_READ
        parsed.values = dict.fromkeys(columns, np.nan)
        return parsed
    given, parsed.problems = _given_fields(request, columns, by_norm)
    n_missing = 0
    for name, column in columns.items():
        if name not in given:
            problem = f"missing field {name!r} (left to the model's imputer)"
            value, problems, fatal = np.nan, [problem], ""
        else:
            try:
                value, problems, fatal = _read_value(column, given[name], margin)
            except Exception as error:  # noqa: BLE001 - report on the field, keep the others
                text = f"{type(error).__name__}: {_clip(str(error), 80)}"
                value, problems, fatal = np.nan, [f"unreadable {name!r}: {text}"], _UNREADABLE
        parsed.problems.extend(problems)
        parsed.fatal = parsed.fatal or fatal
        n_missing += value is np.nan or (isinstance(value, float) and math.isnan(value))
        parsed.values[name] = value
    problem, fatal = _missing_problem(n_missing, len(columns), max_missing)
    if problem:
        parsed.problems.append(problem)
        parsed.fatal = fatal if fatal == NOTHING_READ else parsed.fatal or fatal
    return parsed


def _read_request(
    request: Any, columns: dict, by_norm: dict, *, margin: float, max_missing: float
) -> _Parsed:
    """Read one request against the schema's fields; never raises (an internal error is fatal).

    >>> from mlsys_helpers.quality import infer_schema
    >>> schema = infer_schema(pd.DataFrame({"debt_ratio": [0.1, 0.9]}))
    >>> columns = {c.name: c for c in schema.columns}
    >>> parsed = _read_request({"DebtRatio": "0.5"}, columns, {"debtratio": ["debt_ratio"]},
    ...                        margin=0.1, max_missing=0.5)
    >>> parsed.values, parsed.problems, parsed.fatal
    ({'debt_ratio': 0.5}, ["renamed field 'DebtRatio' -> 'debt_ratio'", "parsed 'debt_ratio' from string '0.5'"], '')
    """
    try:
        return _parse(request, columns, by_norm, margin, max_missing)
    except Exception as error:  # noqa: BLE001 - report, never crash
        bad = _Parsed(values=dict.fromkeys(columns, np.nan))
        bad.problems.append(f"internal error while reading the request: {_clip(repr(error))}")
        bad.fatal = "internal error"
        return bad
