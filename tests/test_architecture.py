"""What may import what (ARCHITECTURE.md, "Import rules"), checked on the source of the package.

Every module of ``mlsys_helpers`` belongs to one layer; a module may import (at the top or
inside a function) only from its own layer or an earlier one, and inside the *stations* layer
only from an earlier station. That the core modules do not import matplotlib or ipywidgets at
import time is checked by running them: tests/test_common.py,
``test_core_modules_import_neither_matplotlib_nor_ipywidgets``.
"""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pytest

import mlsys_helpers as mh

PACKAGE = Path(mh.__file__).parent

#: The stations in import order: a station imports only stations to its left. ``drift`` comes
#: first: the Drift description (kind, pattern, schedule) is what a world applies while sampling,
#: and ``inject`` works on any frame, so ``world`` depends on ``drift`` and not the other way.
STATIONS = (
    "drift",
    "world",
    "datasets",
    "collect",
    "quality",
    "train",
    "value",
    "serve",
    "detect",
    "monitor",
    "loop",
    "deploy",
)
#: The layers after the stations, in order; inside one of them any import is allowed.
LAYERS = (
    ("plots", "_panels", "widgets"),  # the front end: matplotlib and ipywidgets live here
    ("incidents",),  # the capstone: a whole system, so every station (plots only lazily)
    ("exercises", "_keys", "envcheck", "__main__", "_notebooks", "_classroom", "_course"),
    ("_offline",),  # imported by the test and notebook start-up, imports nothing of ours
)


def rank(name: str) -> tuple[int, int]:
    """(layer, position): stations are layer 0, ordered; a later layer has a larger number."""
    if name in STATIONS:
        return 0, STATIONS.index(name)
    for layer, names in enumerate(LAYERS, start=1):
        if name in names:
            return layer, 0
    raise KeyError(f"mlsys_helpers.{name} is in no layer: add it to tests/test_architecture.py")


def imported_units(source: str) -> set[str]:
    """The top-level units of the package (``detect``, ``_keys``, ...) that ``source`` imports,
    anywhere in the file (function-level imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "mlsys_helpers":
                continue
            if len(parts) == 1:  # from mlsys_helpers import detect, world
                found.update(a.name for a in node.names)
            else:
                found.add(parts[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "mlsys_helpers" and len(parts) > 1:
                    found.add(parts[1])
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError("use absolute imports (from mlsys_helpers.x import y)")
    return found


def violations(unit: str, source: str) -> list[str]:
    """Messages for every import of ``source`` (code of ``unit``) that breaks the rules."""
    out = []
    for other in sorted(imported_units(source) - {unit}):
        if other.startswith("__") and other != "__main__":
            continue  # from mlsys_helpers import __version__
        if rank(other) > rank(unit):
            out.append(f"{unit} imports {other}, which comes after it")
    return out


def _units():
    """(unit, path) for every file of the package: ``detect/batch.py`` belongs to ``detect``."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.name == "__init__.py" and len(rel.parts) == 1:
            continue  # the package's own lazy loader
        yield rel.parts[0].removesuffix(".py"), path


def test_every_module_of_the_package_has_a_place():
    units = {m.name for m in pkgutil.iter_modules(mh.__path__)} | {"__main__"}
    for unit in units:
        rank(unit)
    assert set(STATIONS) <= units


def test_the_package_lists_the_stations_first_in_the_same_order():
    assert mh._MODULES[: len(STATIONS)] == STATIONS


@pytest.mark.parametrize(("unit", "path"), list(_units()), ids=lambda v: str(v))
def test_no_module_imports_a_later_station_or_layer(unit, path):
    assert violations(unit, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("unit", "source"),
    [
        ("train", "from mlsys_helpers.monitor import Monitor"),
        ("train", "def f():\n    from mlsys_helpers import monitor\n"),
        ("world", "import mlsys_helpers.collect"),
        ("drift", "from mlsys_helpers.world import LoanWorld"),
        ("detect", "from mlsys_helpers.plots import plot_detector"),
        ("serve", "from mlsys_helpers.incidents import open_case"),
        ("plots", "from mlsys_helpers.exercises import check"),
    ],
)
def test_the_rule_catches_an_import_of_something_later(unit, source):
    assert violations(unit, source) != []


def test_the_rule_allows_imports_of_earlier_units():
    assert violations("monitor", "from mlsys_helpers.detect import compare") == []
    assert violations("world", "from mlsys_helpers.drift import Drift") == []
    assert violations("widgets", "from mlsys_helpers.world import LoanWorld") == []
    assert violations("detect", "from mlsys_helpers.detect.streaming import _Detector") == []


ROOT = PACKAGE.parent


def test_the_design_documents_are_in_the_repository_and_the_readme_links_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("ARCHITECTURE.md", "CONTRIBUTING.md"):
        assert (ROOT / name).is_file()
        assert f"]({name})" in readme
    assert "shared folder" not in readme


def test_architecture_md_gives_the_station_order_this_test_enforces():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith("| 0 stations")]
    documented = tuple(name.strip("` ") for name in row.split("|")[2].split(","))
    assert documented == STATIONS
