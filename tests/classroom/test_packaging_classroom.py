"""The classroom extra is pinned in the lock that `make venv` installs, inside its ranges."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CLASSROOM = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["classroom"]]


def _lock():
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.strip().split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_lock_pins_every_classroom_dependency_inside_its_range():
    pins = _lock()
    for req in CLASSROOM:
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is missing from requirements-lock.txt (run `make lock`)"
        assert req.specifier.contains(pins[name]), f"lock pins {name}=={pins[name]}, need {req}"


def test_make_lock_installs_the_classroom_extra():
    assert '".[dev,classroom]"' in (ROOT / "Makefile").read_text()
