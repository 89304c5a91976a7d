from __future__ import annotations

import subprocess
import sys

import pytest

from mlsys_helpers import envcheck
from mlsys_helpers.__main__ import main


def test_check_command_passes_in_the_project_environment():
    out = subprocess.run(
        [sys.executable, "-m", "mlsys_helpers", "check"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "FAIL" not in out.stdout
    for name in ("jupyterlab", "ipywidgets", "scikit-learn", "widgets lab extension", "python"):
        assert name in out.stdout


def test_requirements_come_from_the_installed_metadata():
    names = [r.split(">")[0].split("<")[0] for r in envcheck.requirements()]
    assert {"jupyterlab", "ipywidgets", "matplotlib", "scikit-learn", "pandas"} <= set(names)


def test_missing_package_fails_with_a_fix():
    result = envcheck.check_package("surely-not-installed-pkg>=1")
    assert not result.ok
    assert "FAIL" in str(result) and "pip install" in str(result)


def test_too_old_version_fails():
    result = envcheck.check_package("numpy>=999")
    assert not result.ok and "need >=999" in result.detail


def test_missing_widget_extension_is_reported(monkeypatch, tmp_path):
    import jupyter_core.paths

    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *a: [str(tmp_path)])
    result = envcheck.check_widget_extension()
    assert not result.ok and "jupyterlab_widgets" in result.fix


def test_main_exits_nonzero_on_any_fail(monkeypatch, capsys):
    bad = envcheck.Check("numpy", False, "not installed", "pip install numpy")
    monkeypatch.setattr(envcheck, "run_checks", lambda: [bad])
    assert envcheck.main() == 1
    assert "FAIL" in capsys.readouterr().out


def test_requirement_must_be_a_string():
    with pytest.raises(TypeError, match="requirement must be a str"):
        envcheck.check_package(3)


def test_unknown_command_prints_usage(capsys):
    assert main(["nonsense"]) == 2
    assert "usage" in capsys.readouterr().err
