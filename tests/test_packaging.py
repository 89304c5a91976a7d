"""pyproject.toml, environment.yml, the lock file and the env check agree on the packages."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mlsys_helpers import envcheck

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
DEV = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]


def _by_name(reqs):
    return {canonicalize_name(r.name): r.specifier for r in reqs}


def _conda_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str) and d.split("=")[0] not in ("python", "pip")]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict)]
    return conda, deps, pip_sections


def _lock():
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_environment_yml_lists_the_same_packages_and_ranges_as_pyproject():
    # runtime and test dependencies: the whole test suite runs from environment.yml alone
    conda, _, _ = _conda_requirements()
    assert _by_name(Requirement(d) for d in conda) == _by_name(RUNTIME + DEV)


def test_environment_yml_installs_the_package_itself_through_pip():
    _, deps, pip_sections = _conda_requirements()
    assert "pip" in deps, "Binder needs `pip` listed when there is a pip: section"
    assert pip_sections == [["-e ."]]
    assert "python=3.11" in deps


def test_lock_pins_every_declared_dependency_inside_its_range():
    pins = _lock()
    for req in RUNTIME + DEV:
        name = canonicalize_name(req.name)
        assert name in pins, f"{name} is missing from requirements-lock.txt (run `make lock`)"
        assert req.specifier.contains(pins[name]), f"lock pins {name}=={pins[name]}, need {req}"


def test_lock_does_not_pin_the_workbook_itself():
    assert "mlsys-helpers" not in _lock()


def test_env_check_fallback_matches_pyproject():
    fallback = [Requirement(r) for r in envcheck.FALLBACK_REQUIREMENTS]
    assert _by_name(fallback) == _by_name(RUNTIME)


def test_python_floor_matches_env_check():
    floor = ".".join(map(str, envcheck.MIN_PYTHON))
    assert PYPROJECT["project"]["requires-python"] == f">={floor}"
