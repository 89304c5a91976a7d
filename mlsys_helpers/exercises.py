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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Exercise:
    """An exercise: a checker returning True for a correct answer, and what to say either way."""

    exercise_id: str
    checker: Callable[[Any], bool]
    explanation: str
    hint: str


def _normalised_text(expected: str) -> Callable[[Any], bool]:
    def checker(answer: Any) -> bool:
        return isinstance(answer, str) and answer.strip().lower() == expected

    return checker


def _equals(expected: Any) -> Callable[[Any], bool]:
    def checker(answer: Any) -> bool:
        return type(answer) is type(expected) and answer == expected

    return checker


def _first_draw_of_seed_42(answer: Any) -> bool:
    import numpy as np

    expected = int(np.random.default_rng(42).integers(0, 100))
    return isinstance(answer, (int, np.integer)) and int(answer) == expected


EXERCISES: dict[str, Exercise] = {
    ex.exercise_id: ex
    for ex in (
        Exercise(
            "00.1",
            _normalised_text("monitor"),
            "Serving is where predictions meet the world; monitoring is how you find out what "
            "happened.",
            "Look at the map of stations at the top of this chapter: what watches a served model?",
        ),
        Exercise(
            "00.2",
            _first_draw_of_seed_42,
            "A Generator made from the same seed replays the same draws, on every machine.",
            "Make a fresh `np.random.default_rng(42)` and call `.integers(0, 100)` once on it.",
        ),
        Exercise(
            "00.3",
            _equals(False),
            "Reusing one Generator moves it forward: the second call gives new numbers. Re-create "
            "it (or re-run the seeding cell) to replay.",
            "Call `rng.normal()` twice on the *same* generator and compare the two results.",
        ),
    )
}


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
