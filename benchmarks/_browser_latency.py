"""Browser-side latency of the panels: from a slider change to the new figure painted.

Used by ``benchmarks/widgets.py``. Serves the two app notebooks (``notebooks/apps``) with
JupyterLab and with Voila on 127.0.0.1, opens each in headless Debian chromium (Playwright),
and times, in the page (``performance.now``), from the key press that moves a slider to the
frame after the new PNG is decoded (two animation frames: the browser has painted it). This
adds to the kernel's work the widget messages, the websocket and the browser's decode and
layout. Servers are stopped by process group; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "mlsys-benchmark"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
APPS = [("drift-lab", ".mlsys-drift-lab", "magnitude"),
        ("monitoring-dashboard", ".mlsys-dashboard", "consecutive")]  # fmt: skip

# Resolves with the milliseconds from the next key press to the frame after a new figure.
WATCH = """(selector) => {
  const out = document.querySelector(selector + ' .widget-output');
  const old = out.querySelector('img') ? out.querySelector('img').src : null;
  let t0 = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); },
                            {capture: true, once: true});
  window.__painted = new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      const img = out.querySelector('img');
      if (!img || img.src === old || t0 === null) return;
      seen.disconnect();
      img.decode().then(() => requestAnimationFrame(() => requestAnimationFrame(
        () => resolve(performance.now() - t0))));
    });
    seen.observe(out, {subtree: true, childList: true, attributes: true,
                       attributeFilter: ['src']});
  });
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(cmd: list[str], env: dict, ready_url: str, log: Path) -> subprocess.Popen:
    out = open(log, "w")  # noqa: SIM115 - the process owns it until stopped
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=ROOT)  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(ready_url, timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    _stop(proc)
    raise RuntimeError(f"{cmd[2]} did not start; see {log}")


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _measure(page, selector: str, slider: str, repeats: int) -> list[float]:
    from playwright.sync_api import expect

    panel = page.locator(selector)
    expect(panel.locator(".widget-output img")).to_be_visible(timeout=180_000)
    handle = panel.locator(".widget-slider", has=page.locator(".widget-label", has_text=slider))
    handle = handle.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    times = []
    for k in range(repeats + 1):
        page.evaluate(WATCH, selector)
        handle.focus()
        handle.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        elapsed = page.evaluate("window.__painted")
        if k:  # the first change also warms the browser's caches
            times.append(elapsed / 1000)
    return times


def _run_all(page, selector: str) -> None:
    """Run all cells once this notebook's kernel is idle; again if the first was dropped."""
    figure = page.locator(selector).locator(".widget-output img")
    for _ in range(3):
        page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=120_000)
        page.locator(".lm-MenuBar-item", has_text="Run").click()
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
        try:
            figure.wait_for(timeout=60_000)
            return
        except Exception:  # noqa: BLE001 - Playwright's timeout: try once more
            continue
    raise RuntimeError(f"JupyterLab never showed {selector}")


def browser_latency(repeats: int = 12) -> dict[tuple[str, str], list[float]]:
    """Seconds from slider change to new figure painted, per (front end, app)."""
    from playwright.sync_api import sync_playwright

    results: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        apps = tmp / "apps"
        shutil.copytree(ROOT / "notebooks" / "apps", apps)
        (tmp / "config" / "labconfig").mkdir(parents=True)
        (tmp / "config" / "labconfig" / "page_config.json").write_text(
            json.dumps(
                {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
            )
        )
        env = {
            **os.environ,
            "IPYTHONDIR": str(ROOT / "tests" / "ipython"),
            "JUPYTER_CONFIG_DIR": str(tmp / "config"),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
            "JUPYTER_PATH": str(ROOT / "notebooks" / "apps" / ".voila"),
        }
        lab_port, voila_port = _free_port(), _free_port()
        lab_cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
                   f"--port={lab_port}", f"--IdentityProvider.token={TOKEN}",
                   f"--ServerApp.root_dir={apps}"]  # fmt: skip
        if os.geteuid() == 0:
            lab_cmd.append("--allow-root")
        voila_cmd = [sys.executable, "-m", "voila", "--no-browser", "--template=mlsys",
                     "--Voila.ip=127.0.0.1", f"--port={voila_port}", str(apps)]  # fmt: skip
        lab = f"http://127.0.0.1:{lab_port}"
        voila = f"http://127.0.0.1:{voila_port}"
        servers = [_serve(lab_cmd, env, f"{lab}/api/status?token={TOKEN}", tmp / "lab.log")]
        try:
            servers.append(_serve(voila_cmd, env, f"{voila}/", tmp / "voila.log"))
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                for name, selector, slider in APPS:
                    context = browser.new_context(viewport={"width": 1400, "height": 1100})
                    page = context.new_page()
                    page.set_default_timeout(60_000)
                    page.goto(f"{voila}/voila/render/{name}.ipynb")
                    results["Voila", name] = _measure(page, selector, slider, repeats)
                    context.close()
                    context = browser.new_context(viewport={"width": 1400, "height": 1100})
                    page = context.new_page()
                    page.set_default_timeout(60_000)
                    # a workspace of its own, reset: Lab must not restore the other app's tab
                    # (its kernel's "Idle" would let a Run All be dropped; see RECIPES)
                    page.goto(f"{lab}/lab/workspaces/{name}/tree/{name}.ipynb?token={TOKEN}&reset")
                    _run_all(page, selector)
                    results["JupyterLab", name] = _measure(page, selector, slider, repeats)
                    context.close()
                browser.close()
        finally:
            for proc in servers:
                _stop(proc)
    return results


def report(results: dict[tuple[str, str], list[float]]) -> None:
    print("\nbrowser: slider change -> new figure painted (headless chromium, wall)")
    print(
        f"  {'front end':<11} {'panel':<21} {'n':>3} {'median ms':>9} {'p95 ms':>7} {'max ms':>7}"
    )
    for (front, name), times in results.items():
        ms = 1000 * np.array(times)
        print(f"  {front:<11} {name:<21} {ms.size:>3} {np.median(ms):>9.0f} "
              f"{np.percentile(ms, 95):>7.0f} {ms.max():>7.0f}")  # fmt: skip
