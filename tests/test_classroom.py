"""The classroom kit: student notebooks (`make student`) and static HTML handouts (`make html`).

The student tests re-execute every chapter's student version in a fresh kernel (5-20 s each): a
student copy must run top to bottom without its solutions, and every output it still shows must
be what the student's own run produces (a solution cell must not feed later cells).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import nbformat
import pytest

from mlsys_helpers import _classroom, _notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = [
    _notebooks.notebook_path(p)
    for p in _notebooks.chapter_sources(NOTEBOOKS)
    if _notebooks.notebook_path(p).exists()
]
IDS = [p.stem for p in EXECUTED]
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def _notebook(cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    return nbformat.from_dict(nb)


def _code(source, *, tags=(), outputs=(), count=None):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = count
    return cell


def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def _tiny_chapter():
    return _notebook(
        [
            nbformat.v4.new_markdown_cell("# 99 · Tiny\n\nA chapter."),
            _code("x = 2\nprint(x)", outputs=[_stream("2\n")], count=1),
            _code(
                'answer = None\nmh.exercises.check("99.1", answer)',
                outputs=[_stream("99.1 not attempted yet\n")],
                count=2,
            ),
            _code(
                'answer = x * 21\nmh.exercises.check("99.1", answer)',
                tags=["solution"],
                outputs=[_stream("99.1 correct!\n")],
                count=3,
            ),
            _code("print(x + 1)", outputs=[_stream("3\n")], count=4),
        ]
    )


def _text_lines(nb, *, cells=None):
    """Stripped lines (6+ characters) of the sources and text outputs of ``cells`` of ``nb``."""
    lines = set()
    for cell in nb.cells if cells is None else cells:
        chunks = [cell.source]
        for output in cell.get("outputs", []):
            chunks.append(output.get("text", ""))
            data = output.get("data", {})
            chunks += [data.get("text/plain", ""), data.get("text/html", "")]
        for chunk in chunks:
            text = "".join(chunk) if isinstance(chunk, list) else chunk
            lines |= {s.strip() for s in text.splitlines() if len(s.strip()) >= 6}
    return lines


def _sanitizer():
    pairs = re.findall(r"^regex: (.*)\nreplace: (.*)$", SANITIZE.read_text(), flags=re.M)
    return lambda text: functools.reduce(lambda t, p: re.sub(p[0], p[1], t), pairs, text)


def _comparable_outputs(cell, clean):
    """A cell's outputs as nbval compares them: streams, text/plain and text/html (no images)."""
    shown = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            shown.append((output["name"], clean(output["text"])))
        elif output["output_type"] in ("execute_result", "display_data"):
            data = output["data"]
            shown += [(m, clean(data[m])) for m in ("text/plain", "text/html") if m in data]
        else:
            shown.append((output["output_type"], output.get("ename", "")))
    return shown


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    """The student versions of every executed chapter, written by the command line of make student."""
    out = tmp_path_factory.mktemp("student")
    assert _classroom.main(["student", str(out)]) == 0
    return out


# --- the transformation, on a tiny hand-made chapter -------------------------------------------


def test_student_version_removes_solution_cells():
    student = _classroom.student_version(_tiny_chapter())
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    assert not any("x * 21" in c.source for c in student.cells)


def test_student_version_clears_only_the_exercise_outputs():
    student = _classroom.student_version(_tiny_chapter())
    by_source = {c.source: c for c in student.cells if c.cell_type == "code"}
    exercise = by_source['answer = None\nmh.exercises.check("99.1", answer)']
    assert exercise.outputs == [] and exercise.execution_count is None
    assert by_source["x = 2\nprint(x)"].outputs[0]["text"] == "2\n"
    assert by_source["print(x + 1)"].outputs[0]["text"] == "3\n"


def test_student_version_numbers_cells_as_a_run_of_the_student_copy_would():
    student = _classroom.student_version(_tiny_chapter())
    counts = [c.execution_count for c in student.cells if c.cell_type == "code"]
    assert counts == [1, None, 3]


def test_student_version_says_it_is_a_student_version_after_the_title():
    student = _classroom.student_version(_tiny_chapter())
    assert student.cells[0].source.startswith("# 99")
    assert "Student version" in student.cells[1].source


def test_student_version_does_not_modify_its_input():
    chapter = _tiny_chapter()
    before = nbformat.writes(chapter)
    _classroom.student_version(chapter)
    assert nbformat.writes(chapter) == before


# --- every real chapter -----------------------------------------------------------------------


def test_make_student_writes_every_executed_chapter(student_dir):
    assert sorted(p.name for p in student_dir.glob("*.ipynb")) == sorted(p.name for p in EXECUTED)


@pytest.mark.parametrize("ipynb", EXECUTED, ids=IDS)
def test_no_solution_source_survives_in_the_student_notebook(ipynb, student_dir):
    original = nbformat.read(ipynb, as_version=4)
    student = nbformat.read(student_dir / ipynb.name, as_version=4)
    solutions = [c for c in original.cells if _classroom.is_solution(c)]
    assert solutions, "every chapter has solution cells"
    assert not any(_classroom.is_solution(c) for c in student.cells)
    assert not {c.source for c in solutions} & {c.source for c in student.cells}
    shipped = [c for c in original.cells if not _classroom.is_solution(c)]
    secret = _text_lines(original, cells=solutions) - _text_lines(original, cells=shipped)
    assert secret, "solution cells have lines of their own"
    assert secret & _text_lines(student) == set()


@pytest.mark.parametrize("ipynb", EXECUTED, ids=IDS)
def test_student_exercise_cells_ship_without_outputs(ipynb, student_dir):
    student = nbformat.read(student_dir / ipynb.name, as_version=4)
    exercises = [c for c in student.cells if _classroom.is_exercise(c)]
    assert len(exercises) >= 3
    assert all(c.outputs == [] and c.execution_count is None for c in exercises)


@pytest.mark.parametrize("ipynb", EXECUTED, ids=IDS)
def test_student_notebook_runs_top_to_bottom_with_checks_not_attempted(ipynb, tmp_path):
    original = nbformat.read(ipynb, as_version=4)
    student = _classroom.student_version(original)
    # execute raises CellExecutionError if any cell fails; run in a foreign folder on purpose
    run = _notebooks.execute(student, cwd=tmp_path)
    exercises = [c for c in run.cells if _classroom.is_exercise(c)]
    verdicts = [_comparable_outputs(c, str) for c in exercises]
    assert all(any("not attempted yet" in text for _, text in v) for v in verdicts), verdicts
    # What the student copy still shows after a removed solution is what the student's own run
    # shows. (Cells before the first solution cannot depend on one: nbval and test_notebooks
    # check that their stored outputs are reproducible.)
    first = next(i for i, c in enumerate(original.cells) if _classroom.is_solution(c))
    after_a_solution = {c.id for c in original.cells[first:]}
    clean = _sanitizer()
    for shipped, fresh in zip(student.cells, run.cells, strict=True):
        tags = shipped.metadata.get("tags", [])
        if (
            shipped.cell_type != "code"
            or shipped.id not in after_a_solution
            or "nbval-ignore-output" in tags
            or not shipped.outputs
        ):
            continue
        assert _comparable_outputs(fresh, clean) == _comparable_outputs(shipped, clean), (
            f"{ipynb.name}: this cell shows other outputs without the solution cells "
            f"(or the stored notebook is stale: see test_notebooks):\n{shipped.source}"
        )


# --- HTML handouts ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    names = tuple(p.stem[:2] for p in EXECUTED[:2])
    written = _classroom.write_handouts(out, names=names)
    return out, written


def test_handouts_are_written_for_the_chosen_chapters_and_an_index(handouts):
    out, written = handouts
    assert [p.name for p in written] == [f"{p.stem}.html" for p in EXECUTED[:2]] + ["index.html"]


def test_index_links_to_existing_handouts_with_title_lesson_and_time(handouts):
    out, _ = handouts
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', index)
    assert links == [f"{p.stem}.html" for p in EXECUTED[:2]]
    assert all((out / link).is_file() for link in links)
    for ipynb in EXECUTED[:2]:
        info = _classroom.chapter_info(nbformat.read(ipynb, as_version=4), ipynb.stem)
        lesson, minutes = _classroom.CHAPTER_GUIDE[ipynb.stem[:2]]
        row = re.search(rf"<tr><td>{ipynb.stem[:2]}</td>.*?</tr>", index).group(0)
        assert info.title in row.replace("&#x27;", "'")
        assert lesson in row and f"{minutes} min" in row


def test_every_handout_links_back_to_the_index(handouts):
    out, written = handouts
    for page in written[:-1]:
        assert 'href="index.html"' in page.read_text(encoding="utf-8")


def test_handouts_collapse_each_solution_under_a_toggle(handouts):
    out, written = handouts
    for page, ipynb in zip(written, EXECUTED[:2], strict=False):
        text = page.read_text(encoding="utf-8")
        solutions = [
            c
            for c in nbformat.read(ipynb, as_version=4).cells
            if "solution" in c.metadata.get("tags", [])
        ]
        assert text.count('<details class="mlsys-solution">') == len(solutions)


EXTERNAL = re.compile(r'<(script|link|img)[^>]+(src|href)="https?:')


def test_handouts_without_math_load_nothing_from_the_network(handouts):
    out, written = handouts
    chapters = [nbformat.read(p, as_version=4) for p in EXECUTED[:2]]
    for page, nb in zip(written, [*chapters, None], strict=True):
        if nb is None or not _classroom.has_math(nb):
            assert not EXTERNAL.search(page.read_text(encoding="utf-8")), page.name


def test_only_chapters_with_math_load_mathjax(tmp_path):
    source = tmp_path / "notebooks"
    (source / _notebooks.SOURCES).mkdir(parents=True)
    texts = {"97_money": "Costs \\$5 or \\$7.", "98_math": "Recovered: $$a = \\frac{b}{c}$$"}
    for stem, text in texts.items():
        (source / _notebooks.SOURCES / f"{stem}.py").write_text("")
        nb = _notebook([nbformat.v4.new_markdown_cell(f"# {stem}\n\n{text}")])
        nbformat.write(nb, source / f"{stem}.ipynb")
    _classroom.write_handouts(tmp_path / "html", source=source)
    assert not EXTERNAL.search((tmp_path / "html" / "97_money.html").read_text())
    scripts = EXTERNAL.findall((tmp_path / "html" / "98_math.html").read_text())
    assert scripts == [("script", "src")]
    assert "mathjax" in (tmp_path / "html" / "98_math.html").read_text().lower()


def test_math_is_a_pair_of_dollars_in_one_cell_outside_code():
    def math(*texts):
        return _classroom.has_math(_notebook([nbformat.v4.new_markdown_cell(t) for t in texts]))

    assert not math("costs \\$5 or \\$7", "plain text")
    assert not math("about $1,400 a year", "even $1,400 is beyond doubt")  # one per cell
    assert not math("the shell's `$HOME` and `$PATH`")
    assert math("a ratio $p / (1 - p)$")
    assert math("inline \\(x^2\\)")


def test_widget_views_become_a_readable_note():
    nb = _notebook(
        [
            _code(
                "w",
                outputs=[
                    {
                        "output_type": "display_data",
                        "data": {
                            _classroom.WIDGET_MIME: {"model_id": "abc"},
                            "text/plain": "VBox()",
                        },
                        "metadata": {},
                    }
                ],
                count=1,
            )
        ]
    )
    data = _classroom.handout_notebook(nb).cells[0].outputs[0]["data"]
    assert _classroom.WIDGET_MIME not in data
    assert "JupyterLab" in data["text/html"]
    assert _classroom.WIDGET_MIME in nb.cells[0].outputs[0]["data"]


# --- the guide, the README and the teacher notes agree ------------------------------------------


def test_the_guide_has_every_chapter():
    numbers = {p.stem[:2] for p in _notebooks.chapter_sources(NOTEBOOKS)}
    assert numbers <= set(_classroom.CHAPTER_GUIDE)


def test_readme_chapter_table_matches_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\d\d)_\w+` \| (.+?) \| (\d+) min \|$", readme, flags=re.M)
    assert {n: (lesson, int(m)) for n, lesson, m in rows} == _classroom.CHAPTER_GUIDE


def test_teaching_notes_have_a_section_per_chapter_with_its_time():
    notes = (NOTEBOOKS / "TEACHING.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\d\d) .*\((\d+) min\)$", notes, flags=re.M)
    assert {n: int(m) for n, m in headings} == {
        n: minutes for n, (_, minutes) in _classroom.CHAPTER_GUIDE.items()
    }


def test_command_line_rejects_an_unknown_command(capsys):
    assert _classroom.main(["pdf", "build/pdf"]) == 2
    assert "usage" in capsys.readouterr().err
