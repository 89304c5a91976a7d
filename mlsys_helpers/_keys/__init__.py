"""Answer checkers for the exercises, one module per chapter (``chNN.py``, each defining a tuple
``EXERCISES`` of :class:`mlsys_helpers.exercises.Exercise`). Keys are computed from the helper API
or compared by hash where the answer must stay secret; never typed results of a notebook run.

The rules every check follows (``tests/test_exercises.py`` enforces them for every exercise in the
registry, whichever chapter adds it):

- a checker knows its key (:meth:`Checker.key`) and what kind of answer it wants, so a wrong *type*
  gets its own message (:meth:`Checker.diagnose`): a Series is told to reduce itself, the string
  ``'0.8'`` to drop its quotes, ``80`` for a fraction that it looks like a percentage;
- equivalent forms pass: a number rounded to the precision the chapter shows (``decimals``), ``3.0``
  for ``3``, NumPy scalars, any date-like value (string, ``date``, ``Timestamp``, ``np.datetime64``,
  time-zone aware), text in any case and spacing;
- each exercise names the wrong answers a confused learner gives (``Exercise.wrong``): the
  neighbouring printed number, the wrong window or column, the plausible wrong method. Together
  with the generic ones (starter, sign, complement, x100, ...) every one must be rejected.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Checker",
    "Date",
    "Exercise",
    "Month",
    "Number",
    "Text",
    "WholeNumber",
    "close_to",
    "describe_type",
    "equals",
    "one_of",
    "text_is",
]


@dataclass(frozen=True)
class Exercise:
    """An exercise: a checker returning True for a correct answer, and what to say either way.

    ``wrong`` (optional) returns the named wrong answers a confused learner gives (label -> value),
    computed from the helper API like the key; ``tests/test_exercises.py`` checks each is rejected.
    """

    exercise_id: str
    checker: Callable[[Any], bool]
    explanation: str
    hint: str
    wrong: Callable[[], dict[str, Any]] | None = field(default=None, compare=False)


def describe_type(answer: Any) -> str:
    """A short, learner-readable name for the type of ``answer`` ("a pandas Series of 3 values")."""
    name = type(answer).__name__
    module = type(answer).__module__.split(".")[0]
    if module == "pandas" and hasattr(answer, "__len__"):
        return f"a pandas {name} of {len(answer)} values"
    if module == "numpy" and getattr(answer, "ndim", 0) > 0:
        return f"a NumPy array of shape {answer.shape}"
    if isinstance(answer, str):
        return f"the string {answer!r}"
    if isinstance(answer, list | tuple | set | dict):
        return f"a {name} of {len(answer)} items"
    return f"a {name}"


def _is_collection(answer: Any) -> bool:
    return not isinstance(answer, str | bytes | dict) and (
        hasattr(answer, "__len__") and getattr(answer, "ndim", 1) != 0
    )


def _as_real(answer: Any) -> float | None:
    """``answer`` as a float if it is one real number (Python or NumPy scalar, 0-d array)."""
    if isinstance(answer, bool) or type(answer).__name__ == "bool_":
        return None
    if getattr(answer, "ndim", None) == 0 and hasattr(answer, "item"):
        answer = answer.item()
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        value = float(answer)
        return value if value == value else None  # NaN is no answer
    return None


class Checker:
    """Base of the answer checkers: call it with an answer to get True or False."""

    kind = "an answer"

    def key(self) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def accepts(self, answer: Any) -> bool:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __call__(self, answer: Any) -> bool:
        return bool(self.accepts(answer))

    def diagnose(self, answer: Any) -> str | None:
        """What is wrong with the *form* of a rejected answer, or None if the form is right."""
        return None


def _resolve(expected: Any) -> Any:
    return expected() if callable(expected) else expected


class Number(Checker):
    """Checker: one real number within ``0.5 * 10**-decimals`` of the key (so the key rounded to
    ``decimals`` places passes, and so does any more precise value). ``fraction=True`` says the
    answer is a share between 0 and 1 (80 gets "looks like a percentage")."""

    def __init__(
        self, expected: float | Callable[[], float], *, decimals: int, fraction: bool = False
    ):
        if decimals < 0:
            raise ValueError(f"decimals must be >= 0, got {decimals}")
        self._expected, self.decimals, self.fraction = expected, decimals, fraction
        self.tol = 0.5 * 10.0**-decimals
        self.kind = "a fraction between 0 and 1" if fraction else "a number"

    def key(self) -> float:
        return float(_resolve(self._expected))

    def accepts(self, answer: Any) -> bool:
        value = _as_real(answer)
        # the tiny slack keeps a correctly rounded answer (0.0495 for 0.04949999) on the right side
        return value is not None and abs(value - self.key()) <= self.tol * (1 + 1e-9) + 1e-12

    def diagnose(self, answer: Any) -> str | None:
        if _as_real(answer) is not None:
            value = _as_real(answer)
            if self.fraction and not 0 <= value <= 1:
                if 1 < value <= 100 and abs(value / 100 - self.key()) <= self.tol:
                    return (
                        f"expected {self.kind}, got {value:g}: that looks like a percentage; "
                        "divide it by 100"
                    )
                return f"expected {self.kind}, got {value:g}, which is outside [0, 1]"
            return None
        if isinstance(answer, bool) or type(answer).__name__ == "bool_":
            return f"expected {self.kind}, got the boolean {answer}: compute the number itself"
        if isinstance(answer, str):
            return f"expected {self.kind}, got {describe_type(answer)}: drop the quotes"
        if _is_collection(answer):
            return (
                f"expected {self.kind}, got {describe_type(answer)}: reduce it to one number "
                "first (e.g. `.mean()`, `.sum()`, `.iloc[0]`)"
            )
        return f"expected {self.kind}, got {describe_type(answer)}"


class WholeNumber(Checker):
    """Checker: a whole number equal to the key (``3``, ``3.0`` and ``np.int64(3)`` alike)."""

    kind = "a whole number"

    def __init__(self, expected: int | Callable[[], int]):
        self._expected = expected

    def key(self) -> int:
        return int(_resolve(self._expected))

    def accepts(self, answer: Any) -> bool:
        value = _as_real(answer)
        return value is not None and value == self.key()

    def diagnose(self, answer: Any) -> str | None:
        value = _as_real(answer)
        if value is not None:
            return None if value.is_integer() else f"expected {self.kind}, got {value:g}"
        return Number(0, decimals=0).diagnose(answer).replace("a number", self.kind)


def _normal_text(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


class Text(Checker):
    """Checker: a string equal to one of ``options`` up to case and spacing (the first one is the
    key; the options may also be computed by a callable returning a string)."""

    kind = "a string"

    def __init__(self, *options: str | Callable[[], str]):
        if not options:
            raise ValueError("options must name at least one accepted answer, got none")
        self._options = options

    def key(self) -> str:
        return str(_resolve(self._options[0]))

    def accepts(self, answer: Any) -> bool:
        if not isinstance(answer, str):
            return False
        return _normal_text(answer) in {_normal_text(str(_resolve(o))) for o in self._options}

    def diagnose(self, answer: Any) -> str | None:
        if isinstance(answer, str):
            return None
        hint = ""
        if _is_collection(answer):
            hint = ": pick the one value (e.g. `.iloc[0]` or `.idxmin()`)"
        return (
            f"expected a string such as {self.key()!r} in quotes, got {describe_type(answer)}{hint}"
        )


def _as_day(answer: Any) -> Any:
    """Any date-like ``answer`` as a naive, normalised pandas Timestamp (its own wall-clock day),
    or None."""
    import numpy as np
    import pandas as pd

    if isinstance(answer, bool) or not isinstance(
        answer, str | _dt.date | np.datetime64 | pd.Timestamp | pd.Period
    ):
        return None
    try:
        if isinstance(answer, pd.Period):
            day = answer.start_time
        else:
            day = pd.Timestamp(answer.strip() if isinstance(answer, str) else answer)
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(day):
        return None
    if day.tz is not None:
        day = day.tz_localize(None)
    return day.normalize()


class Date(Checker):
    """Checker: any date-like value (``"2024-04-08"``, ``date``, ``Timestamp``, ``np.datetime64``,
    time-zone aware) whose day is within ``tol_days`` days of the key."""

    kind = 'a date such as "YYYY-MM-DD"'

    def __init__(self, expected: Any, *, tol_days: int = 0):
        self._expected, self.tol_days = expected, tol_days

    def key(self) -> str:
        return f"{_as_day(_resolve(self._expected)):%Y-%m-%d}"

    def accepts(self, answer: Any) -> bool:
        day = _as_day(answer)
        return day is not None and abs((day - _as_day(self.key())).days) <= self.tol_days

    def diagnose(self, answer: Any) -> str | None:
        if _as_day(answer) is not None:
            return None
        if _is_collection(answer):
            return f"expected {self.kind}, got {describe_type(answer)}: pick the one date first"
        return f"expected {self.kind}, got {describe_type(answer)}, which is not a date"


class Month(Checker):
    """Checker: a month, as ``"YYYY-MM"`` or any date-like value inside it."""

    kind = 'a month such as "YYYY-MM"'

    def __init__(self, expected: Any):
        self._expected = expected

    def key(self) -> str:
        return str(_resolve(self._expected))

    def accepts(self, answer: Any) -> bool:
        day = _as_day(answer)
        return day is not None and f"{day:%Y-%m}" == self.key()

    def diagnose(self, answer: Any) -> str | None:
        return Date(self.key() + "-01").diagnose(answer)


# The original builders, kept for chapters that use them (all return Checker objects now).


def text_is(expected: str) -> Text:
    """Checker: a string equal to ``expected`` up to case and spaces."""
    return Text(expected)


def one_of(*options: str) -> Text:
    """Checker: one of several accepted strings (case and spaces ignored)."""
    return Text(*options)


class _Equals(Checker):
    def __init__(self, expected: Any):
        self._expected = expected
        self.kind = f"a {type(expected).__name__}"

    def key(self) -> Any:
        return self._expected

    def accepts(self, answer: Any) -> bool:
        return type(answer) is type(self._expected) and answer == self._expected

    def diagnose(self, answer: Any) -> str | None:
        if type(answer) is type(self._expected):
            return None
        return f"expected {self.kind}, got {describe_type(answer)}"


def equals(expected: Any) -> Checker:
    """Checker: exactly ``expected``, of the same type (``True`` is not ``1``)."""
    return _Equals(expected)


class _CloseTo(Number):
    def __init__(self, expected: Any, *, tol: float):
        super().__init__(expected, decimals=0)
        self.tol = tol


def close_to(expected: float | Callable[[], float], *, tol: float) -> Checker:
    """Checker: a real number within ``tol`` of ``expected`` (a number, or a function computing
    it from the helper API, so answer keys are derived rather than typed). Prefer
    :class:`Number` with ``decimals``: one rule for how precise an answer must be."""
    return _CloseTo(expected, tol=tol)
