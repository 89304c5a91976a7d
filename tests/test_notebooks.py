"""Each chapter's .ipynb is the executed twin of its py:percent source, and follows the conventions.

The sources are ``notebooks/.sources/NN_topic.py`` (hidden from learners, see
``tests/test_make_lab.py``); the notebooks ``notebooks/NN_topic.ipynb``.

nbval (run by `make test` with --nbval on notebooks/*.ipynb) re-executes every notebook and compares
outputs; these tests check what nbval cannot: pairing with the source, in-order execution, and the
shape every chapter promises (goals, exercises with self-checks and hidden solutions, takeaways).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from mlsys_helpers import _notebooks

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = _notebooks.chapter_sources(NOTEBOOKS)
IDS = [p.stem for p in SOURCES]


def test_there_are_chapters():
    assert SOURCES, "no notebooks/.sources/NN_*.py found"


def test_every_ipynb_has_a_source():
    stems = {p.stem for p in SOURCES}
    orphans = [p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if p.stem not in stems]
    assert orphans == []


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_ipynb_matches_its_py_source(source):
    assert _notebooks.pairing_problems(source) == []


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_ipynb_is_fully_executed_in_order(source):
    assert _notebooks.execution_problems(_notebooks.notebook_path(source)) == []


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_chapter_follows_the_conventions(source):
    nb = nbformat.read(_notebooks.notebook_path(source), as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Learning goals" in markdown
    assert "Key takeaways" in markdown
    assert "In production" in markdown
    checks = [c for c in nb.cells if c.cell_type == "code" and "mh.exercises.check(" in c.source]
    shipped = [c for c in checks if "solution" not in c.metadata.get("tags", [])]
    solutions = [c for c in checks if "solution" in c.metadata.get("tags", [])]
    assert len(shipped) >= 3, "every chapter has at least 3 exercises"
    assert len(solutions) == len(shipped), "every exercise has a solution cell"
    for cell in shipped:
        assert re.search(r"^answer = None$", cell.source, flags=re.M), cell.source
    for cell in solutions:
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True
    for i, cell in enumerate(nb.cells):
        if "solution" in cell.metadata.get("tags", []):
            assert nb.cells[i - 1] in shipped, "a solution follows its exercise cell"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_ignored_outputs_say_why(source):
    nb = nbformat.read(_notebooks.notebook_path(source), as_version=4)
    for cell in nb.cells:
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            first = cell.source.splitlines()[0]
            assert first.startswith("#") and len(first) > 20, "say why the output is unstable"


def test_generated_ids_are_deterministic():
    first = _notebooks.notebook_from_source(SOURCES[0])
    second = _notebooks.notebook_from_source(SOURCES[0])
    assert [c.id for c in first.cells] == [c.id for c in second.cells]
    assert len({c.id for c in first.cells}) == len(first.cells)


def test_executing_twice_gives_identical_files(tmp_path):
    source = SOURCES[0]
    nb = _notebooks.notebook_from_source(source)
    folder = _notebooks.notebook_path(source).parent
    once = _notebooks.to_text(_notebooks.execute(nb, cwd=folder))
    twice = _notebooks.to_text(_notebooks.execute(nb, cwd=folder))
    assert once == twice
    assert once == _notebooks.notebook_path(source).read_text(encoding="utf-8")


def test_every_exercise_is_used_by_its_chapter_and_every_check_has_a_key():
    from mlsys_helpers.exercises import EXERCISES

    used = set()
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        ids = set(re.findall(r'mh\.exercises\.check\("([0-9]{2}\.[0-9]+)"', text))
        assert all(i.startswith(source.stem[:2]) for i in ids), f"{source.name} uses {ids}"
        used |= ids
    assert used <= set(EXERCISES), f"checks without a key: {sorted(used - set(EXERCISES))}"
    chapters = {s.stem[:2] for s in SOURCES}
    unused = {i for i in EXERCISES if i[:2] in chapters} - used
    assert unused == set(), f"keys no chapter uses: {sorted(unused)}"


def test_rebuilding_keeps_volatile_outputs_of_ignored_cells(tmp_path):
    (tmp_path / ".sources").mkdir()
    source = tmp_path / ".sources" / "99_volatile.py"
    source.write_text(
        '# %% tags=["nbval-ignore-output"]\n'
        "# wall-clock time: differs on every run\n"
        "import time\n"
        "print(time.perf_counter_ns())\n"
        "\n"
        "# %%\n"
        "print(6 * 7)\n",
        encoding="utf-8",
    )
    target, changed, _ = _notebooks.build(source)
    assert changed and target == tmp_path / "99_volatile.ipynb"
    first = target.read_text(encoding="utf-8")
    _, changed_again, _ = _notebooks.build(source)
    assert not changed_again
    assert target.read_text(encoding="utf-8") == first
    source.write_text(source.read_text().replace("6 * 7", "6 * 8"), encoding="utf-8")
    _, changed_source, _ = _notebooks.build(source)
    assert changed_source and "48" in target.read_text(encoding="utf-8")


def test_the_dry_check_finds_no_problem_in_the_workbook():
    assert _notebooks.folder_problems(NOTEBOOKS) == []
    assert _notebooks.main(["check", str(NOTEBOOKS)]) == 0


def test_the_dry_check_catches_orphans_stale_notebooks_and_sources_in_sight(tmp_path):
    (tmp_path / ".sources").mkdir()
    source = tmp_path / ".sources" / "98_small.py"
    source.write_text("# %%\nprint(6 * 7)\n", encoding="utf-8")
    _notebooks.build(source)
    assert _notebooks.folder_problems(tmp_path) == []
    source.write_text("# %%\nprint(6 * 8)\n", encoding="utf-8")  # edited, not rebuilt
    (tmp_path / "97_orphan.ipynb").write_text((tmp_path / "98_small.ipynb").read_text())
    (tmp_path / "96_visible.py").write_text("# %%\n", encoding="utf-8")
    problems = _notebooks.folder_problems(tmp_path)
    assert any("cell 0 of 98_small.ipynb differs" in p for p in problems)
    assert any("97_orphan.ipynb has no source" in p for p in problems)
    assert any("96_visible.py is a source outside .sources/" in p for p in problems)
    assert _notebooks.main(["check", str(tmp_path)]) == 1
