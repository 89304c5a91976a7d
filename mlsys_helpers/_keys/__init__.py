"""Answer checkers for the exercises, one module per chapter (``chNN.py``, each defining a tuple
``EXERCISES`` of :class:`mlsys_helpers.exercises.Exercise`). Keys are computed from the helper API
or compared by hash where the answer must stay secret; never typed results of a notebook run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Exercise", "close_to", "equals", "one_of", "text_is"]


@dataclass(frozen=True)
class Exercise:
    """An exercise: a checker returning True for a correct answer, and what to say either way."""

    exercise_id: str
    checker: Callable[[Any], bool]
    explanation: str
    hint: str


def text_is(expected: str) -> Callable[[Any], bool]:
    """Checker: a string equal to ``expected`` up to case and surrounding spaces."""

    def checker(answer: Any) -> bool:
        return isinstance(answer, str) and answer.strip().lower() == expected.lower()

    return checker


def equals(expected: Any) -> Callable[[Any], bool]:
    """Checker: exactly ``expected``, of the same type (``True`` is not ``1``)."""

    def checker(answer: Any) -> bool:
        return type(answer) is type(expected) and answer == expected

    return checker


def close_to(expected: float | Callable[[], float], *, tol: float) -> Callable[[Any], bool]:
    """Checker: a real number within ``tol`` of ``expected`` (a number, or a function computing
    it from the helper API, so answer keys are derived rather than typed)."""

    def checker(answer: Any) -> bool:
        import numbers

        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return False
        target = expected() if callable(expected) else expected
        return abs(float(answer) - float(target)) <= tol

    return checker


def one_of(*options: str) -> Callable[[Any], bool]:
    """Checker: one of several accepted strings (case and spaces ignored)."""
    accepted = {o.strip().lower() for o in options}

    def checker(answer: Any) -> bool:
        return isinstance(answer, str) and answer.strip().lower() in accepted

    return checker
