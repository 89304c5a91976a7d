"""The classroom kit: student notebooks without solutions, and static HTML handouts.

Both are built from the executed chapters ``notebooks/NN_topic.ipynb`` (see :mod:`._notebooks`),
without starting a kernel:

- :func:`student_version` removes the cells tagged ``solution``, clears the outputs of the
  exercise cells (``answer = None`` + ``mh.exercises.check(...)``, so a learner meets them unrun)
  and keeps every other output, so the student copy reads like the published chapter;
- :func:`write_handouts` exports each chapter with nbconvert's ``lab`` template to a
  self-contained HTML page (solutions included, collapsed under a "Solution" toggle; widget
  views replaced by a note) plus an ``index.html`` listing the chapters with their one-line
  lesson and time estimate (:data:`CHAPTER_GUIDE`). Nothing is fetched from the network, except
  MathJax (from its CDN) in chapters whose text has LaTeX math: offline, their formulas stay
  readable as raw TeX.

Command line (used by ``make student`` and ``make html``)::

    python -m mlsys_helpers._classroom student build/student [NAMES ...]
    python -m mlsys_helpers._classroom html build/html [NAMES ...]
"""

from __future__ import annotations

import copy
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlsys_helpers import _notebooks

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOLUTION_TAG = _notebooks.SOLUTION_TAG
CHECK_CALL = "mh.exercises.check("
WIDGET_MIME = _notebooks.WIDGET_MIME

# One line per chapter for the handout index and the README table (a test keeps them in sync):
# the lesson, and a class-time estimate in minutes (reading, running, experiments, exercises).
CHAPTER_GUIDE: dict[str, tuple[str, int]] = {
    "00": ("how the workbook works; environment check; seeds and resets", 20),
    "01": ("an accurate model inside a broken system fails", 75),
    "02": ("shortcut features and extrapolation: ML is pattern matching", 75),
    "03": ("rules vs models; how much data ML needs; value and cost", 60),
    "04": ("incomplete, biased, outdated, mislabelled data; validation", 90),
    "05": ("noisy inputs, training/serving skew, latency and cost, defensive serving", 75),
    "06": ("covariate, prior and concept drift; the drift lab", 75),
    "07": ("detectors and false alarms, label delay, performance without labels", 90),
    "08": ("retraining policies compared on accuracy and cost", 75),
    "09": ("capstone: diagnose production incidents from logs and monitors", 120),
    "10": ("shadow, canary and A/B tests done right; feedback loops and slices", 90),
}

STUDENT_NOTE = (
    "*Student version: the solution cells are removed and the exercise cells are not run yet. "
    "Replace `answer = None` with your answer and run the cell to check it.*"
)
WIDGET_NOTE = (
    "<p><em>[Interactive widget: open this notebook in JupyterLab and run the cell to use it.]</em>"
    "</p>"
)

HANDOUT_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}
{%- if resources.mlsys_math -%}{{ super() }}{%- endif -%}
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}
<style type="text/css">
nav.mlsys-nav { font-family: var(--jp-ui-font-family); font-size: 14px; padding: 8px 0 16px; }
nav.mlsys-nav a { margin-right: 1.5em; }
details.mlsys-solution { border-left: 4px solid #009E73; margin: 4px 0; padding-left: 6px; }
details.mlsys-solution > summary { cursor: pointer; color: #006b4f;
  font-family: var(--jp-ui-font-family); font-size: 13px; padding: 2px 0; }
</style>
{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
<nav class="mlsys-nav">{{ resources.mlsys_nav }}</nav>
{%- endblock body_header -%}
{% block body_footer %}
<nav class="mlsys-nav">{{ resources.mlsys_nav }}</nav>
{{ super() }}
{% endblock body_footer %}
{% block codecell %}
{%- if 'solution' in cell.metadata.get('tags', []) -%}
<details class="mlsys-solution"><summary>Solution (click to show)</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock codecell %}
"""


@dataclass(frozen=True)
class Chapter:
    """What the index says about one chapter: ``number`` "03", file ``stem``, title, lesson, minutes."""

    number: str
    stem: str
    title: str
    lesson: str
    minutes: int | None


def is_solution(cell: Any) -> bool:
    """True for a cell tagged ``solution`` (the hidden worked answer after an exercise)."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def is_exercise(cell: Any) -> bool:
    """True for a shipped exercise cell: code calling ``mh.exercises.check(`` that is no solution."""
    return cell["cell_type"] == "code" and CHECK_CALL in cell["source"] and not is_solution(cell)


def student_version(nb: Any) -> Any:
    """A copy of an executed chapter for learners: no solutions, exercise cells not run yet.

    Removes every cell tagged ``solution``; clears outputs and execution count of the exercise
    cells (:func:`is_exercise`); keeps all other outputs (the student copy reads like the
    published chapter) and renumbers execution counts as a top-to-bottom run of the student copy
    would; adds a one-line note after the first cell. The input is not modified.
    """
    import nbformat

    out = copy.deepcopy(nb)
    cells, count = [], 0
    for cell in out.cells:
        if is_solution(cell):
            continue
        if cell["cell_type"] == "code":
            count += 1
            if is_exercise(cell):
                cell["outputs"], cell["execution_count"] = [], None
            elif cell.get("execution_count") is not None:
                cell["execution_count"] = count
                for output in cell["outputs"]:
                    if output.get("output_type") == "execute_result":
                        output["execution_count"] = count
        cells.append(cell)
    note = nbformat.v4.new_markdown_cell(STUDENT_NOTE, id="student-version-note")
    out.cells = cells[:1] + [note] + cells[1:]
    return out


def handout_notebook(nb: Any) -> Any:
    """A copy of ``nb`` for static HTML: widget views (no state is stored) become a short note."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE, "text/plain": "[interactive widget]"}
    return out


def has_math(nb: Any) -> bool:
    """True when a markdown cell holds LaTeX math, as Jupyter would typeset it.

    That is a pair of ``$`` in one cell (``\\$`` is a dollar sign, code spans do not count),
    ``\\(`` or ``\\begin{``.
    """
    for cell in nb.cells:
        if cell["cell_type"] != "markdown":
            continue
        text = re.sub(r"`[^`]*`", "", cell["source"].replace("\\$", ""))
        if text.count("$") >= 2 or "\\(" in text or "\\begin{" in text:
            return True
    return False


def chapter_info(nb: Any, stem: str) -> Chapter:
    """Title (first ``# `` heading), lesson and minutes (:data:`CHAPTER_GUIDE`) of a chapter."""
    number = stem[:2]
    title = stem
    for cell in nb.cells:
        if cell["cell_type"] == "markdown":
            first = cell["source"].lstrip().splitlines()[0] if cell["source"].strip() else ""
            if first.startswith("# "):
                title = first[2:].strip()
                break
    lesson, minutes = CHAPTER_GUIDE.get(number, ("", None))
    return Chapter(number, stem, title, lesson, minutes)


def _executed_chapters(source: Path, names: tuple[str, ...]) -> list[Path]:
    paths = [_notebooks.notebook_path(p) for p in _notebooks.chapter_sources(source)]
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        print(f"skipped (not built yet, run `make notebooks`): {', '.join(missing)}")
    return [p for p in paths if p.exists()]


def write_students(
    out: str | Path, *, source: str | Path = NOTEBOOKS, names: tuple[str, ...] = ()
) -> list[Path]:
    """Write the student version of every executed chapter in ``source`` to folder ``out``.

    ``names`` (chapter prefixes such as ``"03"``) restricts it to those chapters. Returns the
    written paths.
    """
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in _executed_chapters(Path(source), names):
        target = out / path.name
        nb = student_version(nbformat.read(path, as_version=4))
        target.write_text(_notebooks.to_text(nb), encoding="utf-8")
        written.append(target)
    return written


def _exporter() -> Any:
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"mlsys_handout.html.j2": HANDOUT_TEMPLATE})],
        template_file="mlsys_handout.html.j2",
    )


def _nav(chapters: list[Chapter], k: int) -> str:
    links = ['<a href="index.html">&#8592; all chapters</a>']
    if k > 0:
        prev = chapters[k - 1]
        links.append(f'<a href="{prev.stem}.html">previous: {html.escape(prev.title)}</a>')
    if k + 1 < len(chapters):
        nxt = chapters[k + 1]
        links.append(f'<a href="{nxt.stem}.html">next: {html.escape(nxt.title)}</a>')
    return "".join(links)


def index_html(chapters: list[Chapter]) -> str:
    """The handouts' index page: one row per chapter with link, lesson and time estimate."""
    rows = "\n".join(
        f"<tr><td>{c.number}</td>"
        f'<td><a href="{c.stem}.html">{html.escape(c.title)}</a></td>'
        f"<td>{html.escape(c.lesson)}</td>"
        f"<td>{'' if c.minutes is None else f'{c.minutes} min'}</td></tr>"
        for c in chapters
    )
    total = sum(c.minutes or 0 for c in chapters)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>mlsys-workbook: chapter handouts</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60em;
  margin: 2em auto; padding: 0 1em; color: #1f2328; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: 6px 10px; border-bottom: 1px solid #d0d7de;
  vertical-align: top; }}
th {{ background: #f6f8fa; }}
td:first-child, td:last-child {{ white-space: nowrap; }}
a {{ color: #0969da; }}
.note {{ color: #57606a; font-size: 0.95em; }}
</style>
</head>
<body>
<h1>mlsys-workbook: chapter handouts</h1>
<p><strong>Production machine-learning systems, taught as experiments you run, break and
repair.</strong> These pages are static copies of the executed notebooks: they open in any
browser, without Jupyter or a network connection. Each exercise is followed by its solution,
collapsed under <em>Solution (click to show)</em>: try first, then open it.</p>
<table>
<thead><tr><th>#</th><th>chapter</th><th>what you learn</th><th>time</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p class="note">Total: {total} minutes of class time (about {total / 60:.0f} hours). To run and
change the experiments, open the notebooks in JupyterLab (<code>make lab</code> in the workbook's
folder). Formulas are typeset with MathJax when a network is available; offline they read as
LaTeX.</p>
</body>
</html>
"""


def write_handouts(
    out: str | Path, *, source: str | Path = NOTEBOOKS, names: tuple[str, ...] = ()
) -> list[Path]:
    """Export every executed chapter in ``source`` to ``out/NN_topic.html``, plus ``index.html``.

    ``names`` (chapter prefixes such as ``"03"``) restricts both the pages and the index to those
    chapters. Returns the written paths, the index last.
    """
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = _executed_chapters(Path(source), names)
    if not paths:
        return []
    notebooks = [nbformat.read(p, as_version=4) for p in paths]
    chapters = [chapter_info(nb, p.stem) for nb, p in zip(notebooks, paths, strict=True)]
    exporter = _exporter()
    written = []
    for k, (nb, chapter) in enumerate(zip(notebooks, chapters, strict=True)):
        resources = {
            "metadata": {"name": chapter.title},
            "mlsys_nav": _nav(chapters, k),
            "mlsys_math": has_math(nb),
        }
        body, _ = exporter.from_notebook_node(handout_notebook(nb), resources=resources)
        target = out / f"{chapter.stem}.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    index = out / "index.html"
    index.write_text(index_html(chapters), encoding="utf-8")
    return [*written, index]


USAGE = "usage: python -m mlsys_helpers._classroom {student|html} OUT_FOLDER [NAME ...]"


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("student", "html"):
        print(USAGE, file=sys.stderr)
        return 2
    command, out, names = argv[0], Path(argv[1]), tuple(argv[2:])
    writer = write_students if command == "student" else write_handouts
    written = writer(out, names=names)
    if not written:
        print(f"no executed chapters found in {NOTEBOOKS}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path}: written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
