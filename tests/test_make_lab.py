"""`make lab` really serves JupyterLab on the workbook (HTTP 200 from /lab), where a learner sees
one file per chapter: the executed notebooks, never their py:percent sources.

The sources live in ``notebooks/.sources/`` (ARCHITECTURE.md, "Repository layout"): a hidden
folder, which Jupyter server's contents manager neither lists nor serves unless
``ContentsManager.allow_hidden`` is set. With jupytext installed, a listed ``.py`` chapter would
open as a notebook without outputs, and a learner editing it would edit the source.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from mlsys_helpers import _notebooks

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "mlsys-test-token"
NOTEBOOKS = ROOT / "notebooks"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return response.status, response.read().decode("utf-8", "replace")


def _status(url: str) -> int:
    try:
        return _get(url)[0]
    except urllib.error.HTTPError as error:
        return error.code


def _listed(base: str, path: str = "") -> set[str]:
    status, body = _get(f"{base}/api/contents/{path}?token={TOKEN}")
    assert status == 200
    return {item["name"] for item in json.loads(body)["content"]}


def test_make_lab_serves_jupyterlab_on_the_notebooks(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    args = f"--IdentityProvider.token={TOKEN}"
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, _ = _get(f"{base}/api/status?token={TOKEN}")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, "JupyterLab did not answer /api/status within 90 s"
        status, page = _get(f"{base}/lab?token={TOKEN}")
        assert status == 200
        assert "JupyterLab" in page
        listed = _listed(base)
        chapters = {_notebooks.notebook_path(p).name for p in _notebooks.chapter_sources(NOTEBOOKS)}
        assert "00_start_here.ipynb" in listed, "lab must open in notebooks/"
        assert chapters <= listed, "every chapter's notebook is listed"
        assert not {name for name in listed if name.endswith(".py")}, "no source is listed"
        assert _notebooks.SOURCES not in listed, "the sources' folder is hidden"
        assert not {name for name in _listed(base, "apps") if name.endswith(".py")}
        # Hidden means refused too, not only unlisted: a typed URL does not open a source.
        source = f"{_notebooks.SOURCES}/00_start_here.py"
        assert _status(f"{base}/api/contents/{_notebooks.SOURCES}?token={TOKEN}") == 404
        assert _status(f"{base}/api/contents/{source}?token={TOKEN}") == 404
        assert _status(f"{base}/api/contents/00_start_here.ipynb?token={TOKEN}") == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert "http://127.0.0.1" in out, "make lab prints the URL to open"
