"""Chapter 06's drift lab works in a real browser: moving magnitude changes what it reports."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_idle

pytestmark = pytest.mark.browser

NOTEBOOK = "06_drift.ipynb"


def test_magnitude_slider_updates_the_drift_lab(lab_notebook, tmp_path):
    from playwright.sync_api import expect

    page = lab_notebook(NOTEBOOK)
    lab = page.locator(".mlsys-drift-lab").first
    summary = lab.locator(".mlsys-summary")
    expect(summary).to_contain_text("alarm")
    figure = lab.locator(".widget-output img")
    expect(figure).to_be_visible()
    before, before_src = summary.inner_text(), figure.get_attribute("src")
    lab.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "06_drift_lab_before.png"))

    slider = lab.locator(".widget-slider", has=page.locator(".widget-label", has_text="magnitude"))
    readout = slider.locator(".widget-readout")
    start_value = float(readout.inner_text())
    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(3):
        handle.press("ArrowLeft")
    expect(readout).not_to_have_text(f"{start_value:.2f}")
    # then take the magnitude to zero through the readout: no drift, no input alarms
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    page.keyboard.press("Enter")
    expect(readout).to_have_text("0.00")
    expect(summary).to_contain_text("(input 0,")
    wait_idle(page)
    assert summary.inner_text() != before
    expect(figure).not_to_have_attribute("src", before_src)
    lab.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "06_drift_lab_after.png"))
