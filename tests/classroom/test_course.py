"""The nbgrader course (`make assignments`, `make grade`), built from the executed chapters.

The structure is checked for every chapter; real autograding (nbgrader executes the whole
chapter in a kernel, 10-20 s a submission) runs on chapter 00 only, with four learners: one
solved everything, one handed the release back untouched, one solved exactly one exercise, and
one handed in a file that is not a notebook.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from mlsys_helpers import _classroom, _course

# nbgrader 0.9.6 triggers SQLAlchemy 2 "not in session" warnings inside its own gradebook code.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = _classroom._executed_chapters(NOTEBOOKS, ())  # what `make assignments` reads
GRADED = "00_start_here"


def _exercise_ids(nb):
    return [_course.exercise_id_of(c) for c in nb.cells if _classroom.is_exercise(c)]


def _tiny_chapter(n_exercises=2):
    cells = [nbformat.v4.new_markdown_cell("# 99 · Tiny"), nbformat.v4.new_code_cell("x = 2")]
    for k in range(1, n_exercises + 1):
        cells.append(
            nbformat.v4.new_code_cell(f'answer = None\nmh.exercises.check("99.{k}", answer)')
        )
        cells.append(
            nbformat.v4.new_code_cell(
                f'answer = x * {k}\nprint(answer)\nmh.exercises.check("99.{k}", answer)',
                metadata={"tags": ["solution"]},
            )
        )
    return nbformat.from_dict(nbformat.v4.new_notebook(cells=cells))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course of every executed chapter: source written, every assignment released."""
    root = tmp_path_factory.mktemp("course")
    graded = _course.write_course(root)
    _course.release(root, list(graded))
    return root, graded


def _released(root, stem):
    return nbformat.read(root / "release" / stem / f"{stem}.ipynb", as_version=4)


def _source(root, stem):
    return nbformat.read(root / "source" / stem / f"{stem}.ipynb", as_version=4)


def test_each_exercise_becomes_an_answer_cell_and_a_test_cell_worth_its_points():
    nb, graded = _course.course_notebook(_tiny_chapter(3))
    assert [g.exercise_id for g in graded] == ["99.1", "99.2", "99.3"]
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(answers) == len(tests) == 3
    assert all(c.metadata["nbgrader"]["points"] == _course.POINTS for c in tests)
    assert all(c.metadata["nbgrader"]["locked"] for c in tests)
    assert not any(_classroom.is_solution(c) for c in nb.cells)
    first = answers[0].source
    assert first.index(_course.BEGIN_SOLUTION) < first.index("answer = x * 1")
    assert first.index("answer = x * 1") < first.index(_course.END_SOLUTION)
    assert first.rstrip().endswith('mh.exercises.check("99.1", answer)')
    assert _course.BEGIN_HIDDEN in tests[0].source and "EXERCISES" in tests[0].source


def test_course_notebook_does_not_modify_its_input():
    nb = _tiny_chapter()
    before = nbformat.writes(nb)
    _course.course_notebook(nb)
    assert nbformat.writes(nb) == before


def test_an_exercise_without_its_solution_cell_is_refused():
    nb = _tiny_chapter(1)
    del nb.cells[-1]
    with pytest.raises(ValueError, match="got exercise 99.1 with no solution cell"):
        _course.course_notebook(nb)


def test_a_solution_without_its_exercise_cell_is_refused():
    nb = _tiny_chapter(1)
    del nb.cells[-2]
    with pytest.raises(ValueError, match="does not follow an exercise cell"):
        _course.course_notebook(nb)


def test_points_must_be_positive():
    with pytest.raises(ValueError, match="points must be > 0, got 0"):
        _course.course_notebook(_tiny_chapter(), points=0)


@pytest.mark.parametrize("ipynb", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_every_exercise_of_every_chapter_is_graded_in_the_course(ipynb, course):
    root, graded = course
    original = nbformat.read(ipynb, as_version=4)
    ids = _exercise_ids(original)
    assert ids, f"{ipynb.name} has exercises"
    assert [g.exercise_id for g in graded[ipynb.stem]] == ids
    tests = [
        c for c in _source(root, ipynb.stem).cells if c.metadata.get("nbgrader", {}).get("grade")
    ]
    assert sum(c.metadata["nbgrader"]["points"] for c in tests) == len(ids) * _course.POINTS


@pytest.mark.parametrize("ipynb", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_released_notebook_has_no_solution_source_and_no_hidden_test(ipynb, course):
    root, _ = course
    original = nbformat.read(ipynb, as_version=4)
    released = _released(root, ipynb.stem)
    solutions = [c for c in original.cells if _classroom.is_solution(c)]
    shipped = [c for c in original.cells if not _classroom.is_solution(c)]

    def lines(cells):
        return {s.strip() for c in cells for s in c.source.splitlines() if len(s.strip()) >= 6}

    secret = lines(solutions) - lines(shipped)
    assert secret, "solution cells have lines of their own"
    assert not secret & lines(released.cells)
    text = nbformat.writes(released)
    assert _course.BEGIN_SOLUTION not in text and _course.BEGIN_HIDDEN not in text
    assert "EXERCISES[" not in text
    # the released chapter keeps the published outputs of the ordinary cells
    kept = sum(bool(c.get("outputs")) for c in released.cells if c.cell_type == "code")
    assert kept >= sum(bool(c.get("outputs")) for c in shipped if c.cell_type == "code") - len(
        solutions
    )


def _submission(root, student, nb):
    folder = root / "submitted" / student / GRADED
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{GRADED}.ipynb")


def _answered(root, solved):
    """The release of GRADED with the answer cells of the exercises in ``solved`` filled in."""
    source = {c.id: c.source for c in _source(root, GRADED).cells}
    nb = _released(root, GRADED)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            exercise_id = _course.exercise_id_of(cell)
            if exercise_id in solved:
                body = re.search(
                    rf"{_course.BEGIN_SOLUTION}\n(.*)\n{_course.END_SOLUTION}",
                    source[cell.id],
                    re.S,
                ).group(1)
                cell.source = f'{body}\nmh.exercises.check("{exercise_id}", answer)'
    return nb


def test_autograde_scores_solved_untouched_one_solved_and_reports_a_broken_file(course):
    root, graded = course
    ids = [g.exercise_id for g in graded[GRADED]]
    assert len(ids) >= 2, "chapter 00 has several exercises"
    points = {g.exercise_id: g.points for g in graded[GRADED]}
    shutil.rmtree(root / "submitted", ignore_errors=True)
    _submission(root, "ada", _answered(root, set(ids)))
    _submission(root, "bert", _released(root, GRADED))
    _submission(root, "cleo", _answered(root, {ids[1]}))
    broken = root / "submitted" / "dora" / GRADED
    broken.mkdir(parents=True)
    (broken / f"{GRADED}.ipynb").write_text('{"cells": [', encoding="utf-8")

    rows = {r.student: r for r in _course.grade(root)}

    total = sum(points.values())
    assert rows["ada"].score == total == rows["ada"].max_score
    assert rows["bert"].score == 0 and rows["bert"].status == "graded"
    assert rows["cleo"].score == points[ids[1]]
    assert rows["dora"].score == 0 and rows["dora"].status.startswith("invalid: not a valid")
    with open(root / "grades.csv", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [r["student"] for r in table] == ["ada", "bert", "cleo", "dora"]
    assert {r["student"]: float(r["score"]) for r in table} == {
        "ada": total,
        "bert": 0,
        "cleo": points[ids[1]],
        "dora": 0,
    }
