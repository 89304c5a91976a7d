"""The Voila apps (`make apps`): each lab opens as a page with only text, controls and plots,
answers a slider, shows a message for bad input, and loads nothing from beyond 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import ROOT, TIMEOUT_MS, _free_port, _require_chromium

pytestmark = pytest.mark.browser

FIRST_RENDER_MS = 120_000  # kernel start + the notebook's cells, on a busy 2-core machine
LOOPBACK = {"127.0.0.1"}


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory):
    """`make apps` on a free port of 127.0.0.1 (the target learners run); yields its URL."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("voila")
    port = _free_port()
    log = open(tmp / "voila.log", "w")  # noqa: SIM115 - closed below
    env = {**os.environ, "IPYTHONDIR": str(ROOT / "tests" / "ipython")}  # kernels stay offline
    proc = subprocess.Popen(
        ["make", "-s", "apps", f"APP_PORT={port}", "APP_IP=127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"Voila did not start; log:\n{(tmp / 'voila.log').read_text()}")
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture
def app_page(voila_server, browser, tmp_path):
    """Open an app; every request (and websocket) the page makes is recorded, and any that
    would leave loopback is refused at once (and fails the test below)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1300, "height": 1100})
    requests: list[str] = []

    def record(route):
        requests.append(route.request.url)
        if urlparse(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", record)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("websocket", lambda ws: requests.append(ws.url))

    def open_app(name: str | None):
        """The app ``name``, or the start page listing the apps (None)."""
        page.goto(
            f"{voila_server}/" if name is None else f"{voila_server}/voila/render/{name}.ipynb"
        )
        return page

    yield open_app, requests
    page.screenshot(path=str(tmp_path / "final.png"), full_page=True)
    context.close()


def _assert_loopback_only(requests: list[str]) -> None:
    assert requests, "no request recorded: the recorder is not working"
    outside = [
        url for url in requests
        if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname not in LOOPBACK
    ]  # fmt: skip
    assert outside == [], f"the page fetched from beyond 127.0.0.1: {outside}"


def _assert_no_code(page, source: str) -> None:
    # markdown cells render inside an input area too; code cells must show no input at all
    assert page.locator(".jp-CodeCell .jp-InputArea").count() == 0
    assert page.locator(".jp-CodeMirrorEditor, .cm-editor, .highlight").count() == 0
    assert source not in page.locator("body").inner_text()


def test_the_apps_are_listed_on_the_start_page(voila_server, app_page):
    from playwright.sync_api import expect

    open_app, requests = app_page
    page = open_app(None)
    for name in ("drift-lab.ipynb", "monitoring-dashboard.ipynb"):
        expect(page.get_by_text(name)).to_be_visible(timeout=FIRST_RENDER_MS)
    _assert_loopback_only(requests)


def test_drift_lab_app_answers_its_slider(app_page, tmp_path):
    from playwright.sync_api import expect

    open_app, requests = app_page
    page = open_app("drift-lab")
    expect(page.locator("h1", has_text="Drift lab")).to_be_visible(timeout=FIRST_RENDER_MS)
    lab = page.locator(".mlsys-drift-lab")
    summary = lab.locator(".mlsys-summary")
    expect(summary).to_contain_text("alarm", timeout=FIRST_RENDER_MS)
    figure = lab.locator(".widget-output img")
    expect(figure).to_be_visible()
    before, before_src = summary.inner_text(), figure.get_attribute("src")
    assert before_src.startswith("data:image/png")
    page.screenshot(path=str(tmp_path / "drift_lab_app_before.png"), full_page=True)

    slider = lab.locator(".widget-slider", has=page.locator(".widget-label", has_text="magnitude"))
    readout = slider.locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    expect(readout).to_have_text("0.00")
    expect(summary).to_contain_text("(input 0,")
    assert summary.inner_text() != before
    expect(figure).not_to_have_attribute("src", before_src)
    page.screenshot(path=str(tmp_path / "drift_lab_app_after.png"), full_page=True)
    _assert_no_code(page, "make_drift_lab")
    _assert_loopback_only(requests)


def test_drift_lab_app_shows_a_message_for_a_bad_seed(app_page):
    from playwright.sync_api import expect

    open_app, requests = app_page
    page = open_app("drift-lab")
    lab = page.locator(".mlsys-drift-lab")
    expect(lab.locator(".widget-output img")).to_be_visible(timeout=FIRST_RENDER_MS)
    seed = lab.locator(".widget-text", has=page.locator(".widget-label", has_text="seed"))
    box = seed.locator("input")
    box.fill("-5")
    box.press("Enter")
    message = lab.locator(".mlsys-message")
    expect(message).to_contain_text("seed must be an int in [0, 4294967295], got -5")
    expect(lab.locator(".widget-output img")).to_have_count(0)  # in place of the plot
    assert "Traceback" not in page.locator("body").inner_text()
    box.fill("2")
    box.press("Enter")
    expect(lab.locator(".widget-output img")).to_be_visible()  # and it keeps working
    _assert_loopback_only(requests)


def test_dashboard_app_answers_its_slider(app_page, tmp_path):
    from playwright.sync_api import expect

    open_app, requests = app_page
    page = open_app("monitoring-dashboard")
    board = page.locator(".mlsys-dashboard")
    summary = board.locator(".mlsys-summary")
    expect(summary).to_contain_text("alert", timeout=FIRST_RENDER_MS)
    figure = board.locator(".widget-output img")
    expect(figure).to_be_visible()
    before, before_src = summary.inner_text(), figure.get_attribute("src")
    alerts_before = int(re.match(r"(\d+) alerts?", before).group(1))

    slider = board.locator(
        ".widget-slider", has=page.locator(".widget-label", has_text="consecutive")
    )
    readout = slider.locator(".widget-readout")
    first = int(readout.inner_text())
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(first + 2))
    page.keyboard.press("Enter")
    expect(readout).to_have_text(str(first + 2))
    expect(summary).not_to_have_text(before)
    alerts_after = int(re.match(r"(\d+) alerts?", summary.inner_text()).group(1))
    assert alerts_after < alerts_before  # a stricter alert rule never adds alerts
    expect(figure).not_to_have_attribute("src", before_src)
    page.screenshot(path=str(tmp_path / "dashboard_app_after.png"), full_page=True)
    _assert_no_code(page, "make_monitoring_dashboard")
    _assert_loopback_only(requests)
