"""Chapter 07's monitoring dashboard works in a real browser: the alert rule changes the alerts."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser

NOTEBOOK = "07_monitoring.ipynb"


def test_consecutive_slider_updates_the_dashboard(lab_notebook, tmp_path):
    from playwright.sync_api import expect

    page = lab_notebook(NOTEBOOK)
    board = page.locator(".mlsys-dashboard").first
    summary = board.locator(".mlsys-summary")
    expect(summary).to_contain_text("alert")
    # Run All leaves the view at the chapter's end, and JupyterLab does not render cells out of
    # view (their inner text is empty): scroll to the panel as a learner would, wait for it
    board.scroll_into_view_if_needed()
    expect(summary).to_have_text(re.compile(r"^\d+ alerts? in"), use_inner_text=True)
    figure = board.locator(".widget-output img")
    expect(figure).to_be_visible()
    before, before_src = summary.inner_text(), figure.get_attribute("src")
    alerts_before = int(re.match(r"(\d+) alerts?", before).group(1))

    slider = board.locator(
        ".widget-slider", has=page.locator(".widget-label", has_text="consecutive")
    )
    readout = slider.locator(".widget-readout")
    first = int(readout.inner_text())
    handle = slider.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    expect(readout).to_have_text(str(first + 2))
    expect(summary).not_to_have_text(before)
    wait_idle(page)  # each key press is one update: let the last one finish
    alerts_after = int(re.match(r"(\d+) alerts?", summary.inner_text()).group(1))
    assert alerts_after < alerts_before  # a stricter alert rule never adds alerts
    expect(figure).not_to_have_attribute("src", before_src)
    board.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "07_dashboard_after.png"))
