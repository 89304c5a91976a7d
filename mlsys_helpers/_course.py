"""Graded exercises: an nbgrader course built from the executed chapters.

The chapters are the single source (``notebooks/NN_topic.ipynb``); nothing here is hand-kept per
exercise. For each chapter, :func:`course_notebook` finds every exercise, that is an exercise
cell (``answer = None`` + ``mh.exercises.check("NN.k", answer)``, see :mod:`._classroom`)
followed by its ``solution``-tagged cell, and replaces the pair with two nbgrader cells:

- an **answer cell** (nbgrader ``solution``): the worked solution between ``### BEGIN SOLUTION``
  and ``### END SOLUTION``, then the visible self-check. ``nbgrader generate_assignment``
  replaces the region with :data:`CODE_STUB` (``answer = None``), so the released notebook reads
  and runs like the student version and the self-check keeps helping;
- a **test cell** (nbgrader ``grade``, :data:`POINTS` points, locked). Its visible part only
  asserts that an answer was given; the correctness test sits between ``### BEGIN HIDDEN TESTS``
  and ``### END HIDDEN TESTS`` (a test such as ``answer == "enough data"`` would give the key
  away), so it is absent from the release and restored by ``nbgrader autograde``.

Every other cell keeps its source and stored outputs (``ClearOutput`` is switched off in the
course's ``nbgrader_config.py``: learners see the published plots and tables); the outputs of
the answer and test cells are cleared. A new exercise written with the same cell pattern
appears in the course without any other change.

Command line (``make assignments`` and ``make grade``)::

    python -m mlsys_helpers._course assignments build/course [NAMES ...]
    python -m mlsys_helpers._course grade build/course

``grade`` autogrades every ``build/course/submitted/STUDENT/ASSIGNMENT/`` one at a time; a
submission that is not a valid notebook (or that nbgrader cannot grade) is reported and scores
0 while the others are still graded; the results go to ``build/course/grades.csv``.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsys_helpers import _classroom

NOTEBOOKS = _classroom.NOTEBOOKS
COURSE_ID = "mlsys-workbook"
POINTS = 1
CHECK_LINE = re.compile(r"""^mh\.exercises\.check\(\s*["']([0-9]{2}\.[0-9]+)["']""", re.M)
CODE_STUB = "# YOUR ANSWER HERE: replace None with your answer, then run the cell\nanswer = None"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
NBGRADER_CONFIG = f"""\
# nbgrader configuration of the mlsys-workbook course, written by `make assignments`.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{COURSE_ID}"
# The released chapters keep the published outputs (plots, tables); the answer and test cells
# are cleared when the course is built.
c.ClearOutput.enabled = False
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
# Each chapter runs in well under a minute; a cell slower than this is a broken submission.
c.Execute.timeout = 300
"""
GRADES_HEADER = ("student", "assignment", "score", "max_score", "status")


@dataclass(frozen=True)
class GradedExercise:
    """One exercise of the course: its id ("03.2"), its points and its two nbgrader cell ids."""

    exercise_id: str
    points: float
    answer_cell: str
    test_cell: str


@dataclass(frozen=True)
class Grade:
    """One row of ``grades.csv``: ``status`` is "graded" or why the submission scored 0."""

    student: str
    assignment: str
    score: float
    max_score: float
    status: str


def exercise_id_of(cell: Any) -> str | None:
    """The exercise id a code cell checks (``"03.2"``), or None.

    >>> exercise_id_of({"cell_type": "code", "source": 'answer = None\\nmh.exercises.check("03.2", answer)'})
    '03.2'
    >>> exercise_id_of({"cell_type": "markdown", "source": "mh.exercises.check('03.2', a)"}) is None
    True
    """
    if cell["cell_type"] != "code":
        return None
    found = CHECK_LINE.search(cell["source"])
    return found.group(1) if found else None


def _slug(exercise_id: str) -> str:
    return "ex" + exercise_id.replace(".", "_")


def answer_source(solution: str, exercise_id: str) -> str:
    """The answer cell of the course: the solution inside the nbgrader region, then the check.

    >>> print(answer_source('answer = 6 * 7\\nmh.exercises.check("99.1", answer)', "99.1"))
    ### BEGIN SOLUTION
    answer = 6 * 7
    ### END SOLUTION
    mh.exercises.check("99.1", answer)
    """
    body = [line for line in solution.rstrip().splitlines() if not CHECK_LINE.match(line)]
    return "\n".join(
        [BEGIN_SOLUTION, *body, END_SOLUTION, f'mh.exercises.check("{exercise_id}", answer)']
    )


def grading_source(exercise_id: str, points: float) -> str:
    """The autograded test cell: a visible attempt check, the key test hidden."""
    return "\n".join(
        [
            f"# Autograded: exercise {exercise_id} ({points:g} point{'s' if points != 1 else ''}).",
            f'assert answer is not None, "{exercise_id} not attempted: set `answer` in the cell above"',
            BEGIN_HIDDEN,
            "import mlsys_helpers.exercises as _exercises",
            f'assert _exercises.EXERCISES["{exercise_id}"].checker(answer), "{exercise_id} is not correct"',
            END_HIDDEN,
        ]
    )


def _nbgrader_meta(grade_id: str, *, solution: bool, points: float | None) -> dict:
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": points is not None,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return meta


def course_notebook(nb: Any, *, points: float = POINTS) -> tuple[Any, list[GradedExercise]]:
    """The nbgrader source version of an executed chapter, and its graded exercises.

    Each exercise cell followed by its solution cell becomes an answer cell and a test cell (see
    the module docstring); an exercise cell without a following solution cell, or a solution cell
    with no exercise before it, raises ValueError (the pattern is broken and the course would
    silently lose or leak an exercise). The input is not modified.
    """
    import nbformat

    if points <= 0:
        raise ValueError(f"points must be > 0, got {points}")
    out = copy.deepcopy(nb)
    cells, exercises = [], []
    k = 0
    while k < len(out.cells):
        cell = out.cells[k]
        if _classroom.is_solution(cell):
            raise ValueError(
                f"nb must have its exercise cell before each solution cell, got a solution cell "
                f"{k} that does not follow an exercise cell"
            )
        if not _classroom.is_exercise(cell):
            cells.append(cell)
            k += 1
            continue
        exercise_id = exercise_id_of(cell)
        following = out.cells[k + 1] if k + 1 < len(out.cells) else None
        if following is None or not _classroom.is_solution(following):
            raise ValueError(
                f"nb must have a solution cell after each exercise cell, got exercise {exercise_id} "
                "with no solution cell after it"
            )
        if exercise_id_of(following) != exercise_id:
            raise ValueError(
                f"nb must follow each exercise cell by its own solution, got exercise {exercise_id} "
                f"followed by the solution of {exercise_id_of(following)}"
            )
        slug = _slug(exercise_id)
        answer = nbformat.v4.new_code_cell(
            answer_source(following["source"], exercise_id),
            id=f"{slug}-answer",
            metadata={"nbgrader": _nbgrader_meta(f"{slug}_answer", solution=True, points=None)},
        )
        test = nbformat.v4.new_code_cell(
            grading_source(exercise_id, points),
            id=f"{slug}-test",
            metadata={"nbgrader": _nbgrader_meta(f"{slug}_test", solution=False, points=points)},
        )
        cells += [answer, test]
        exercises.append(GradedExercise(exercise_id, points, answer.id, test.id))
        k += 2
    out.cells = cells
    return out, exercises


def write_course(
    root: str | Path, *, source: str | Path = NOTEBOOKS, names: tuple[str, ...] = ()
) -> dict[str, list[GradedExercise]]:
    """Write ``root/nbgrader_config.py`` and ``root/source/STEM/STEM.ipynb`` for every chapter.

    Returns the graded exercises per assignment (the chapter's file stem). Nothing is released
    yet: :func:`release` runs ``nbgrader generate_assignment``.
    """
    import nbformat

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    course = {}
    for path in _classroom._executed_chapters(Path(source), names):
        nb, exercises = course_notebook(nbformat.read(path, as_version=4))
        folder = root / "source" / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        (folder / path.name).write_text(_classroom._notebooks.to_text(nb), encoding="utf-8")
        course[path.stem] = exercises
    return course


def _api(root: Path) -> Any:
    """nbgrader's Python API on the course in ``root`` (its nbgrader_config.py loaded)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    # nbgrader runs `alembic` (the gradebook's migrations) as a command: it must be found next to
    # this Python even when the virtual environment is not activated.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root.resolve())
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def release(root: str | Path, assignments: list[str]) -> list[Path]:
    """Run ``nbgrader generate_assignment`` for each assignment; return the released notebooks.

    Raises RuntimeError with nbgrader's log when one fails.
    """
    root = Path(root)
    api = _api(root)
    released = []
    for name in assignments:
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{result['log']}")
        released += sorted((root / "release" / name).glob("*.ipynb"))
    return released


def _invalid_reason(folder: Path, assignment: str) -> str | None:
    import nbformat

    expected = folder / f"{assignment}.ipynb"
    if not expected.exists():
        return f"invalid: {expected.name} is missing"
    try:
        nbformat.validate(nbformat.read(expected, as_version=4))
    except Exception as error:  # any unreadable file is an invalid submission
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"invalid: not a valid notebook ({first[:120]})"
    return None


def _max_score(root: Path, assignment: str) -> float:
    import nbformat

    nb = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    return float(
        sum(
            c.metadata.get("nbgrader", {}).get("points", 0)
            for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")
        )
    )


def grade(root: str | Path, *, out: str | Path | None = None) -> list[Grade]:
    """Autograde every ``root/submitted/STUDENT/ASSIGNMENT/`` and write ``grades.csv``.

    Each submission is graded on its own: one that is not a valid notebook, or that nbgrader
    fails on, becomes a row with score 0 and the reason in ``status``, and the others are still
    graded. ``out`` defaults to ``root/grades.csv``. Returns the rows, sorted by student and
    assignment.
    """
    from nbgrader.api import Gradebook

    root = Path(root)
    submitted = sorted(p for p in (root / "submitted").glob("*/*") if p.is_dir())
    known = {p.name for p in (root / "source").iterdir() if p.is_dir()}
    api = _api(root) if submitted else None
    rows = []
    for folder in submitted:
        student, assignment = folder.parent.name, folder.name
        if assignment not in known:
            rows.append(Grade(student, assignment, 0.0, 0.0, "invalid: no such assignment"))
            continue
        max_score = _max_score(root, assignment)
        reason = _invalid_reason(folder, assignment)
        if reason is None:
            result = api.autograde(assignment, student, force=True, create=True)
            if not result["success"]:
                lines = [s for s in (result.get("error") or result["log"]).splitlines() if s]
                reason = "invalid: autograde failed" + (f" ({lines[-1][:120]})" if lines else "")
        if reason is not None:
            print(f"{student}/{assignment}: {reason}; scored 0", file=sys.stderr)
            rows.append(Grade(student, assignment, 0.0, max_score, reason))
            continue
        with Gradebook(f"sqlite:///{root.resolve() / 'gradebook.db'}") as gradebook:
            score = float(gradebook.find_submission(assignment, student).score)
        rows.append(Grade(student, assignment, score, max_score, "graded"))
    target = Path(out) if out is not None else root / "grades.csv"
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GRADES_HEADER)
        for row in rows:
            writer.writerow(
                [row.student, row.assignment, f"{row.score:g}", f"{row.max_score:g}", row.status]
            )
    return rows


USAGE = (
    "usage: python -m mlsys_helpers._course assignments COURSE_FOLDER [NAME ...]\n"
    "       python -m mlsys_helpers._course grade COURSE_FOLDER"
)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("assignments", "grade"):
        print(USAGE, file=sys.stderr)
        return 2
    root = Path(argv[1])
    if argv[0] == "assignments":
        course = write_course(root, names=tuple(argv[2:]))
        if not course:
            print(f"no executed chapters found in {NOTEBOOKS}", file=sys.stderr)
            return 1
        for path in release(root, list(course)):
            points = sum(e.points for e in course[path.parent.name])
            print(
                f"{path}: released ({len(course[path.parent.name])} exercises, {points:g} points)"
            )
        print(f"course in {root}: hand out {root / 'release'}; collect into {root / 'submitted'}")
        return 0
    if not (root / "source").is_dir():
        print(f"no course in {root}: run `make assignments` first", file=sys.stderr)
        return 1
    rows = grade(root)
    if not rows:
        print(f"nothing to grade: put submissions in {root / 'submitted'}/STUDENT/ASSIGNMENT/")
        return 1
    for row in rows:
        print(
            f"{row.student:>16} {row.assignment:<36} {row.score:g}/{row.max_score:g} {row.status}"
        )
    print(f"{root / 'grades.csv'}: written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
