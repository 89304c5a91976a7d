"""Contracts every module keeps: cheap imports, no plotting or widget imports in core modules."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import mlsys_helpers as mh

FRONT_END_MODULES = {"plots", "widgets"}
ALL_MODULES = sorted(
    m.name for m in pkgutil.iter_modules(mh.__path__) if not m.name.startswith("_")
)
CORE_MODULES = [m for m in ALL_MODULES if m not in FRONT_END_MODULES]


def test_every_module_is_reachable_from_the_package():
    for name in ALL_MODULES:
        assert name in mh.__all__, f"mlsys_helpers/{name}.py is not listed in _MODULES"
        assert getattr(mh, name).__name__ == f"mlsys_helpers.{name}"


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = mh.nonsense


def test_core_modules_import_neither_matplotlib_nor_ipywidgets():
    code = (
        "import sys, mlsys_helpers as mh\n"
        f"for name in {CORE_MODULES!r}: getattr(mh, name)\n"
        "bad = sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core modules imported {out.stdout.strip()}"


def test_importing_the_package_is_cheap():
    code = "import sys, mlsys_helpers\nprint(sorted(m for m in ('pandas', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
