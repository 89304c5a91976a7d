"""Build and check the workbook's notebooks (used by ``make notebooks``, the tests and the benchmark).

Each chapter is written as ``notebooks/.sources/NN_topic.py`` in jupytext's *py:percent* format
(the file people edit and review) and shipped as ``notebooks/NN_topic.ipynb`` (generated, executed,
outputs stored: what learners open and what nbval checks). The sources live in a hidden folder
(:data:`SOURCES`) so that a learner who opens ``notebooks/`` in JupyterLab sees one file per
chapter: Jupyter's contents manager neither lists nor opens hidden paths by default. This module is
the one place that knows how the two are paired (:func:`notebook_path`, :func:`source_path`):

- :func:`notebook_from_source` turns a ``.py`` into a notebook with *deterministic* cell ids (a hash
  of the cell's type and source, so ids move with their cell and never churn) and fixed metadata
  (solution cells hide their source and their outputs, :data:`SOLUTION_VIEW`);
- :func:`execute` runs it in a fresh kernel in the notebook's folder (``notebooks/``, where
  learners run it, not the sources' folder), without timing metadata or
  widget state, so executing twice gives the same file byte for byte;
- :func:`pairing_problems` and :func:`execution_problems` are what the tests assert on.

Command line: ``python -m mlsys_helpers._notebooks build notebooks [NAMES...]`` (the folder of the
notebooks; their sources are read from its ``.sources/``), and ``... check notebooks`` to check
the pairing without executing anything (:func:`folder_problems`).
"""

from __future__ import annotations

import copy
import hashlib
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
# Cell metadata that belongs to the source (kept in the .py): everything else is dropped.
SOURCE_METADATA = ("tags", "jupyter")
# A solution cell (tagged ``solution``) is collapsed whole in the notebooks learners open: its
# code *and* its output (the output shows the answer just as well as the code does).
SOLUTION_TAG = "solution"
SOLUTION_VIEW = {"source_hidden": True, "outputs_hidden": True}
TIMEOUT_S = 600
GUARD_DIR = Path(__file__).resolve().parents[1] / "tests" / "ipython"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: The folder of the py:percent sources, inside the notebooks' folder. Hidden (a leading dot):
#: JupyterLab, Voila and JupyterHub's single-user servers neither list nor open it by default.
SOURCES = ".sources"


def chapter_sources(folder: str | Path) -> list[Path]:
    """The chapter sources ``NN_*.py`` of the notebooks in ``folder``, in chapter order.

    They are read from ``folder/.sources/``; each one's notebook is :func:`notebook_path`.
    """
    return sorted((Path(folder) / SOURCES).glob("[0-9][0-9]_*.py"))


def notebook_path(py_path: str | Path) -> Path:
    """The executed notebook of a source: the same name, one folder up, ``.ipynb``.

    >>> notebook_path("notebooks/.sources/06_drift.py").as_posix()
    'notebooks/06_drift.ipynb'
    """
    py_path = Path(py_path)
    return py_path.parent.parent / f"{py_path.stem}.ipynb"


def source_path(ipynb_path: str | Path) -> Path:
    """The source of a notebook: the same name in the :data:`SOURCES` folder next to it, ``.py``.

    >>> source_path("notebooks/06_drift.ipynb").as_posix()
    'notebooks/.sources/06_drift.py'
    """
    ipynb_path = Path(ipynb_path)
    return ipynb_path.parent / SOURCES / f"{ipynb_path.stem}.py"


def _cell_id(cell_type: str, source: str, seen: Counter) -> str:
    digest = hashlib.sha1(f"{cell_type}\0{source}".encode()).hexdigest()[:12]
    seen[digest] += 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def notebook_from_source(py_path: str | Path) -> Any:
    """Read a py:percent chapter and return an unexecuted notebook with stable ids and metadata."""
    import jupytext
    import nbformat

    text = Path(py_path).read_text(encoding="utf-8")
    nb = jupytext.reads(text, fmt="py:percent")
    seen: Counter = Counter()
    cells = []
    for cell in nb.cells:
        meta = {k: cell.metadata[k] for k in SOURCE_METADATA if k in cell.metadata}
        if SOLUTION_TAG in meta.get("tags", []):
            meta["jupyter"] = dict(SOLUTION_VIEW)  # learners see neither its code nor its output
        cid = _cell_id(cell.cell_type, cell.source, seen)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata=meta, id=cid)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=meta, id=cid)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=meta, id=cid)
        cells.append(new)
    out = nbformat.v4.new_notebook(cells=cells)
    out.nbformat, out.nbformat_minor = 4, 5
    out.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": copy.deepcopy(LANGUAGE_INFO)}
    return out


def execute(nb: Any, *, cwd: str | Path, timeout: int = TIMEOUT_S) -> Any:
    """Execute ``nb`` in a fresh ``python3`` kernel of this environment, in folder ``cwd``."""
    from nbclient import NotebookClient

    if GUARD_DIR.is_dir():  # kernels started here load the offline guard (see tests/ipython)
        os.environ["IPYTHONDIR"] = str(GUARD_DIR)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # one thread per numeric pool: identical numbers run to run
    nb = copy.deepcopy(nb)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
        store_widget_state=False,
        allow_errors=False,
        coalesce_streams=True,  # a print can arrive in several chunks, depending on timing
    )
    client.execute()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": copy.deepcopy(LANGUAGE_INFO)}
    for cell in nb.cells:
        cell.metadata = {k: cell.metadata[k] for k in SOURCE_METADATA if k in cell.metadata}
        _stable_widget_ids(cell)
    return nb


def _stable_widget_ids(cell: Any) -> None:
    """Replace the random model ids of displayed widgets by ids derived from the cell.

    Widget state is not stored (it would double the file size), so a stored widget view cannot be
    restored anyway: JupyterLab shows it again once the cell is re-run. Random ids would make every
    execution rewrite the file.
    """
    for n, output in enumerate(cell.get("outputs", [])):
        view = output.get("data", {}).get(WIDGET_MIME)
        if isinstance(view, dict) and "model_id" in view:
            view["model_id"] = hashlib.sha1(f"{cell.id}:{n}".encode()).hexdigest()[:32]


def to_text(nb: Any) -> str:
    """The notebook as nbformat writes it (sorted keys, one-space indent, final newline)."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def build(py_path: str | Path) -> tuple[Path, bool, float]:
    """Regenerate and execute one chapter; write its ``.ipynb`` only if the text changed.

    The notebook is :func:`notebook_path` of the source, executed in its own folder.

    Returns ``(ipynb_path, changed, seconds)``.
    """
    py_path = Path(py_path)
    target = notebook_path(py_path)
    start = time.perf_counter()
    nb = execute(notebook_from_source(py_path), cwd=target.parent)
    seconds = time.perf_counter() - start
    if target.exists():
        _keep_volatile_outputs(nb, target)
    text = to_text(nb)
    changed = not target.exists() or target.read_text(encoding="utf-8") != text
    if changed:
        target.write_text(text, encoding="utf-8")
    return target, changed, seconds


def _keep_volatile_outputs(nb: Any, stored_path: Path) -> None:
    """Give cells tagged ``nbval-ignore-output`` the outputs already stored for the same cell.

    Such cells show wall-clock measurements (a load test's latencies) that differ on every run
    and that nbval does not compare; keeping the stored text means rebuilding an unchanged chapter
    leaves the file unchanged. A cell whose source changed has a new id and gets new outputs.
    """
    import nbformat

    stored = {c.get("id"): c for c in nbformat.read(stored_path, as_version=4).cells}
    for cell in nb.cells:
        old = stored.get(cell.get("id"))
        if (
            cell.cell_type == "code"
            and "nbval-ignore-output" in cell.metadata.get("tags", [])
            and old is not None
            and old.get("execution_count") == cell.execution_count
        ):
            cell.outputs = old.get("outputs", [])


def _comparable(cell: Any) -> tuple:
    import json

    meta = {k: cell.get("metadata", {}).get(k) for k in SOURCE_METADATA}
    return (cell["cell_type"], cell["source"], json.dumps(meta, sort_keys=True))


def pairing_problems(py_path: str | Path) -> list[str]:
    """Ways in which ``NN_topic.ipynb`` does not match its source ``NN_topic.py`` (empty: paired)."""
    import nbformat

    py_path = Path(py_path)
    ipynb = notebook_path(py_path)
    if not ipynb.exists():
        return [f"{ipynb.name} is missing: run `make notebooks`"]
    expected = notebook_from_source(py_path)
    actual = nbformat.read(ipynb, as_version=4)
    problems = []
    if len(expected.cells) != len(actual.cells):
        problems.append(
            f"{ipynb.name} has {len(actual.cells)} cells, {py_path.name} has {len(expected.cells)}"
        )
    for i, (exp, act) in enumerate(zip(expected.cells, actual.cells, strict=False)):
        if _comparable(exp) != _comparable(act):
            problems.append(f"cell {i} of {ipynb.name} differs from {py_path.name}")
        elif exp.get("id") != act.get("id"):
            problems.append(
                f"cell {i} of {ipynb.name} has id {act.get('id')!r}, expected {exp.id!r}"
            )
    if actual.metadata.get("kernelspec") != KERNELSPEC:
        problems.append(f"{ipynb.name} kernelspec is {actual.metadata.get('kernelspec')!r}")
    if "widgets" in actual.metadata:
        problems.append(f"{ipynb.name} stores widget state (regenerate with `make notebooks`)")
    return problems


def execution_problems(ipynb_path: str | Path) -> list[str]:
    """Unexecuted cells, out-of-order execution counts or stored errors in an ``.ipynb``."""
    import nbformat

    nb = nbformat.read(Path(ipynb_path), as_version=4)
    problems = []
    expected_count = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        expected_count += 1
        if cell.execution_count != expected_count:
            problems.append(
                f"cell {i}: execution_count {cell.execution_count}, expected {expected_count}"
            )
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and "raises-exception" not in cell.metadata.get(
                "tags", []
            ):
                problems.append(f"cell {i}: stored error {out.get('ename')}")
    return problems


def folder_problems(folder: str | Path) -> list[str]:
    """Every pairing and execution problem of the notebooks in ``folder``, and orphans: a chapter
    notebook without a source, a source outside ``.sources/`` (empty: all is well)."""
    folder = Path(folder)
    sources = chapter_sources(folder)
    problems = [] if sources else [f"no chapter sources in {folder / SOURCES}"]
    for py in sources:
        problems += pairing_problems(py)
        if notebook_path(py).exists():
            problems += [
                f"{notebook_path(py).name}: {p}" for p in execution_problems(notebook_path(py))
            ]
    for ipynb in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        if not source_path(ipynb).exists():
            problems.append(f"{ipynb.name} has no source {source_path(ipynb)}")
    for py in sorted(folder.glob("[0-9][0-9]_*.py")):
        problems.append(
            f"{py} is a source outside {SOURCES}/: move it there (learners would see it)"
        )
    return problems


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "check":
        problems = folder_problems(argv[1])
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in {argv[1]}")
        return 1 if problems else 0
    if len(argv) < 2 or argv[0] != "build":
        print(
            "usage: python -m mlsys_helpers._notebooks {build|check} FOLDER [NAME ...]",
            file=sys.stderr,
        )
        return 2
    folder, names = Path(argv[1]), argv[2:]
    sources = chapter_sources(folder)
    if names:
        sources = [p for p in sources if any(p.stem.startswith(n) for n in names)]
    if not sources:
        print(f"no chapter sources found in {folder / SOURCES}", file=sys.stderr)
        return 1
    for py in sources:
        target, changed, seconds = build(py)
        print(f"{target}: {'written' if changed else 'unchanged'} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
