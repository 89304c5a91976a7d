"""Chapter 00's widget check works in a real browser: the slider moves, the label follows."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_seed_slider_updates_its_label(lab_notebook, tmp_path):
    from playwright.sync_api import expect

    page = lab_notebook("00_start_here.ipynb")
    label = page.locator(".widget-label", has_text="first draw of integers")
    expect(label).to_contain_text("with seed 42:")
    before = label.inner_text()
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("ArrowRight")
    expect(label).to_contain_text("with seed 43:")
    assert label.inner_text() != before
    assert re.search(r"with seed 43: \d+$", label.inner_text())
    page.screenshot(path=str(tmp_path / "00_after_slider.png"))
