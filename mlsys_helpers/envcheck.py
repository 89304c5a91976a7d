"""Environment check: is this Python ready for the workbook?

``python -m mlsys_helpers check`` prints one OK/FAIL line per required package (the version ranges
come from this package's own metadata, i.e. ``pyproject.toml``), the Python version, the Jupyter
kernels that can run the workbook, and whether JupyterLab's widget extension is installed: the
usual cause of "the slider does not show". It exits with status 1 if any line FAILs.

In a notebook, ``mh.envcheck.run_checks()`` returns the same lines as a list of :class:`Check`.
"""

from __future__ import annotations

import importlib.metadata as md
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

DISTRIBUTION = "mlsys-helpers"
MIN_PYTHON = (3, 11)
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
# Used when the package runs from a source tree that was never pip-installed.
FALLBACK_REQUIREMENTS = (
    "jupyterlab>=4.2,<5",
    "ipywidgets>=8.1,<9",
    "matplotlib>=3.8,<4",
    "scikit-learn>=1.5,<2",
    "pandas>=2.2,<4",
    "numpy>=1.26,<3",
    "scipy>=1.12,<2",
    "fastapi>=0.115,<1",
    "uvicorn>=0.30,<1",
    "pydantic>=2.7,<3",
    "prometheus-client>=0.20,<1",
    "locust>=2.29,<3",
    "pandera>=0.35,<0.36",
    "voila>=0.5.13,<0.6",
)


@dataclass(frozen=True)
class Check:
    """One line of the environment check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"{'OK  ' if self.ok else 'FAIL'}  {self.name:<28} {self.detail}"
        return line if self.ok or not self.fix else f"{line}\n      fix: {self.fix}"


def requirements() -> list[str]:
    """The runtime requirements of the workbook, e.g. ``'pandas>=2.2,<4'``."""
    try:
        reqs = md.requires(DISTRIBUTION) or []
    except md.PackageNotFoundError:
        return list(FALLBACK_REQUIREMENTS)
    return [r.split(";")[0].strip() for r in reqs if "extra ==" not in r]


def check_package(requirement: str) -> Check:
    """Check that the distribution named in ``requirement`` is installed in a matching version.

    >>> check_package("numpy>=1.0").ok
    True
    >>> print(check_package("surely-not-installed-pkg>=1").detail)
    not installed (need >=1)
    """
    from packaging.requirements import Requirement

    if not isinstance(requirement, str):
        raise TypeError(f"requirement must be a str like 'numpy>=1.26', got {requirement!r}")
    req = Requirement(requirement)
    spec = str(req.specifier) or "any version"
    fix = f'pip install "{req}"'
    try:
        version = md.version(req.name)
    except md.PackageNotFoundError:
        return Check(req.name, False, f"not installed (need {spec})", fix)
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        return Check(req.name, False, f"{version} installed, need {spec}", fix)
    return Check(req.name, True, f"{version} ({spec})")


def check_python() -> Check:
    version = platform.python_version()
    ok = sys.version_info[:2] >= MIN_PYTHON
    need = ".".join(map(str, MIN_PYTHON))
    return Check("python", ok, f"{version} (need >={need})", f"install Python >= {need}")


def check_kernels() -> Check:
    """A kernel that runs this Python (the one the workbook's packages are installed in)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError:
        return Check("jupyter kernel", False, "jupyter_client missing", "make lab")
    specs = KernelSpecManager().get_all_specs()
    names = sorted(specs)
    ours = [n for n in names if n in ("mlsys-workbook", "python3")]
    if not ours:
        return Check(
            "jupyter kernel",
            False,
            f"none of mlsys-workbook/python3 among {names}",
            "python -m ipykernel install --user --name mlsys-workbook",
        )
    return Check("jupyter kernel", True, ", ".join(ours))


def check_widget_extension() -> Check:
    """Is JupyterLab's ipywidgets front-end (a prebuilt lab extension) installed?"""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return Check("widgets lab extension", False, "jupyter_core missing", "make lab")
    for folder in jupyter_path("labextensions"):
        if (Path(folder) / WIDGET_EXTENSION / "package.json").is_file():
            return Check("widgets lab extension", True, f"{WIDGET_EXTENSION} found")
    return Check(
        "widgets lab extension",
        False,
        f"{WIDGET_EXTENSION} not found: sliders will show as text",
        'pip install "jupyterlab_widgets>=3" and restart JupyterLab',
    )


def run_checks() -> list[Check]:
    """All checks, in the order they are printed."""
    checks = [check_python()]
    checks += [check_package(r) for r in requirements()]
    checks += [check_kernels(), check_widget_extension()]
    return checks


def main() -> int:
    """Print the check; return 0 when everything is OK, else 1."""
    checks = run_checks()
    print(f"mlsys-workbook environment check (Python at {sys.executable})")
    for check in checks:
        print(check)
    failed = [c for c in checks if not c.ok]
    if failed:
        print(f"\n{len(failed)} problem(s) found: see the 'fix:' lines, or run `make lab`.")
        return 1
    print("\nAll good: open notebooks/00_start_here.ipynb.")
    return 0
