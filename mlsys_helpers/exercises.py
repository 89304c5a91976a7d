"""Self-checks for the exercises in the notebooks.

Every exercise cell in a chapter ships as ``answer = None``; the learner fills it in and runs
``mh.exercises.check("00.1", answer)``, which answers in one line:

- *not attempted yet* while the answer is ``None`` (so every chapter runs top to bottom as shipped),
- *correct*, with a sentence on why it matters,
- *not quite*, with a hint (never the answer).

>>> import mlsys_helpers as mh
>>> mh.exercises.check("00.1", None)
00.1 not attempted yet: replace `answer = None` with your answer and run the cell again.
>>> mh.exercises.check("00.1", "monitor")
00.1 correct! Serving is where predictions meet the world; monitoring is how you find out what happened.
>>> mh.exercises.check("00.1", "train").passed
False
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from mlsys_helpers._keys import Exercise, close_to, equals, one_of, text_is

__all__ = [
    "CheckResult",
    "Exercise",
    "EXERCISES",
    "check",
    "close_to",
    "equals",
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
        raise ValueError(f"exercise_id must be one of {known}; got {exercise_id!r}")
    exercise = EXERCISES[exercise_id]
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
    return CheckResult(exercise_id, FAILED, f"{exercise_id} not quite. Hint: {exercise.hint}")
