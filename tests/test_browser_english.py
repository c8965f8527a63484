"""A wizard step in English on a 390 px phone, in real headless Chromium (screenshot kept for a look)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_english_wizard_step_on_a_phone(browser, live_server, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.goto(live_server + "/formulir/demo")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Start filling in").click()

    page.fill("#f-nik", "3201")
    page.get_by_role("button", name="Next").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "entries need correcting" in summary.inner_text()
    assert page.locator("#e-nik").inner_text() == "The NIK must be 16 digits (4 characters entered)."
    assert page.locator(".progress-summary").inner_text() == "Step 1 of 4"
    for name in ("Save draft", "Next →"):
        assert page.get_by_role("button", name=name).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.screenshot(path=str(screenshots / "english-step-390.png"), full_page=True)
    context.close()
