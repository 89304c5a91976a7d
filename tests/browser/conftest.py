"""Fixtures for real-browser tests: a JupyterLab server on loopback and headless Debian Chromium.

`make test` installs Debian's chromium when it is missing and it runs as root. Where chromium is
still missing the tests skip with a loud reason on a developer machine, and fail in CI (CI=true)
or as root, where nothing excuses them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "mlsys-browser-test"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = (
        "BROWSER TESTS NOT RUN: Debian's chromium is not installed "
        "(run `apt-get install -y chromium` as root, or `make test` as root)"
    )
    if os.environ.get("CI") or os.geteuid() == 0:
        pytest.fail(message)
    print(f"\n!!! {message} !!!", file=sys.stderr)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """JupyterLab serving notebooks/ on 127.0.0.1 with a token; yields its base URL."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("lab")
    # Serve a copy: a Lab autosave must never rewrite the committed notebooks.
    root = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = tmp / "settings"
    (tmp / "config" / "labconfig").mkdir(parents=True)
    (tmp / "config" / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp / "lab.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab did not start; log:\n{(tmp / 'lab.log').read_text()}"
                )
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def clean_server(base: str) -> None:
    """Forget open tabs (the saved workspace) and running kernels of earlier tests.

    Lab restores the previous test's notebook tab and kernel otherwise, and the status bar may
    then read "Idle" for *that* kernel while this notebook's is still connecting: a Run All
    clicked then is dropped (the race described in lab_notebook below).
    """

    def call(method: str, path: str):
        request = urllib.request.Request(
            f"{base}{path}", method=method, headers={"Authorization": f"token {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    for space in call("GET", "/lab/api/workspaces")["workspaces"]["ids"]:
        call("DELETE", f"/lab/api/workspaces/{space}")
    for session in call("GET", "/api/sessions"):
        call("DELETE", f"/api/sessions/{session['id']}")


def wait_idle(page) -> None:
    from playwright.sync_api import expect

    # no cell still queued or running ("[*]"), and the kernel idle
    expect(page.locator(".jp-InputPrompt", has_text="[*]")).to_have_count(0, timeout=120_000)
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle").first).to_be_visible()


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def lab_notebook(lab_server, browser, tmp_path):
    """Open a notebook in JupyterLab, wait for its kernel, run all cells; yields the page."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def open_and_run(name: str):
        page.goto(f"{lab_server}/lab/tree/{name}?token={TOKEN}")
        # The toolbar says idle before the kernel is connected, and a Run All clicked then is
        # dropped: wait for the status bar's "<kernel> | Idle" instead.
        expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle").first).to_be_visible(
            timeout=60_000
        )
        page.locator(".lm-MenuBar-item", has_text="Run").click()
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        wait_idle(page)
        return page

    clean_server(lab_server)
    yield open_and_run
    page.screenshot(path=str(tmp_path / "final.png"), full_page=True)
    context.close()
    clean_server(lab_server)
