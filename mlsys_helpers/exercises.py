"""Self-checks for the exercises in the notebooks.

Every exercise cell in a chapter ships as ``answer = None``; the learner fills it in and runs
``mh.exercises.check("00.1", answer)``, which answers in one line:

- *not attempted yet* while the answer is ``None`` (so every chapter runs top to bottom as shipped),
- *correct*, with a sentence on why it matters,
- *not quite*, with what is wrong with the answer's form if anything ("expected a fraction
  between 0 and 1, got a pandas Series of 3 values: reduce it to one number first") and a hint
  (never the answer).

>>> import mlsys_helpers as mh
>>> mh.exercises.check("00.1", None)
00.1 not attempted yet: replace `answer = None` with your answer and run the cell again.
>>> mh.exercises.check("00.1", "monitor")
00.1 correct! Serving is where predictions meet the world; monitoring is how you find out what happened.
>>> mh.exercises.check("00.1", "train").passed
False
>>> mh.exercises.check("00.2", "45").message.split(" Hint")[0]
"00.2 not quite: expected a whole number, got the string '45': drop the quotes."
"""

from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass
from typing import Any

from mlsys_helpers._keys import (
    Checker,
    Date,
    Exercise,
    Month,
    Number,
    Text,
    WholeNumber,
    close_to,
    equals,
    one_of,
    text_is,
)

__all__ = [
    "CheckResult",
    "Checker",
    "Date",
    "Exercise",
    "EXERCISES",
    "Month",
    "Number",
    "Text",
    "WholeNumber",
    "check",
    "close_to",
    "equals",
    "hint_code",
    "run_hint_code",
    "one_of",
    "text_is",
]

NOT_ATTEMPTED, PASSED, FAILED = "not attempted", "passed", "failed"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer; shows as a single line in a notebook."""

    exercise_id: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = {PASSED: "#1a7f37", FAILED: "#b35806", NOT_ATTEMPTED: "#57606a"}[self.status]
        return (
            f'<div style="border-left: 4px solid {colour}; padding: 2px 8px;">'
            f"{html.escape(self.message)}</div>"
        )


def _load_exercises() -> dict[str, Exercise]:
    """Collect ``EXERCISES`` from every chapter module in ``mlsys_helpers/_keys``."""
    import importlib
    import pkgutil

    from mlsys_helpers import _keys

    found: dict[str, Exercise] = {}
    for info in sorted(pkgutil.iter_modules(_keys.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_keys.__name__}.{info.name}")
        for exercise in module.EXERCISES:
            if exercise.exercise_id in found:
                raise RuntimeError(f"exercise {exercise.exercise_id} is defined twice")
            found[exercise.exercise_id] = exercise
    return found


EXERCISES: dict[str, Exercise] = _load_exercises()


def check(exercise_id: str, answer: Any) -> CheckResult:
    """Check ``answer`` for exercise ``exercise_id`` and return a one-line verdict.

    Parameters
    ----------
    exercise_id : str
        The id printed next to the exercise, e.g. ``"03.2"``.
    answer : object
        Your answer; ``None`` means not attempted yet.
    """
    if not isinstance(exercise_id, str):
        raise TypeError(f"exercise_id must be a str like '03.2', got {exercise_id!r}")
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise ValueError(f"exercise_id must be one of {known}, got {exercise_id!r}")
    exercise = EXERCISES[exercise_id]
    if answer is None and os.environ.get("MLSYS_CHECK_HINTS"):
        caller = sys._getframe(1).f_globals
        if "mh" in caller:  # called from a notebook (or script) that set up the chapter
            run_hint_code(exercise_id, caller)
    if answer is None:
        return CheckResult(
            exercise_id,
            NOT_ATTEMPTED,
            f"{exercise_id} not attempted yet: replace `answer = None` with your answer and run "
            "the cell again.",
        )
    try:
        ok = bool(exercise.checker(answer))
    except Exception:  # a malformed answer is a wrong answer, not a crash
        ok = False
    if ok:
        return CheckResult(exercise_id, PASSED, f"{exercise_id} correct! {exercise.explanation}")
    problem = None
    diagnose = getattr(exercise.checker, "diagnose", None)
    if diagnose is not None:
        try:
            problem = diagnose(answer)
        except Exception:  # a message must never crash the check
            problem = None
    verdict = f"not quite: {problem}." if problem else "not quite."
    return CheckResult(exercise_id, FAILED, f"{exercise_id} {verdict} Hint: {exercise.hint}")


def hint_code(hint: str) -> list[str]:
    """The code a hint names: each `backticked` fragment that is not a bare method (``.mean()``).

    Every fragment must be a Python expression that runs in the notebook at the exercise
    (``tests/test_exercises.py`` parses them; the chapters' nbval run evaluates them, see
    :func:`run_hint_code`).

    >>> hint_code("Use `frame['a'].mean()` and `.round(3)`.")
    ["frame['a'].mean()"]
    """
    import re

    return [f for f in re.findall(r"`([^`]+)`", hint) if not f.startswith(".")]


def run_hint_code(exercise_id: str, namespace: dict) -> None:
    """Evaluate every code fragment the hint of ``exercise_id`` names in ``namespace`` (a notebook's
    globals), raising if one fails: a hint that raises KeyError when followed is a broken hint.

    The check cells call it when the environment variable ``MLSYS_CHECK_HINTS`` is set (the test
    suite sets it, so the nbval run of every chapter follows every hint at its exercise)."""
    exercise = EXERCISES[exercise_id]
    for fragment in hint_code(exercise.hint):
        try:
            eval(compile(fragment, f"<hint {exercise_id}>", "eval"), dict(namespace))  # noqa: S307
        except Exception as error:
            raise AssertionError(
                f"the hint of {exercise_id} names `{fragment}`, which fails here: "
                f"{type(error).__name__}: {error}"
            ) from error
