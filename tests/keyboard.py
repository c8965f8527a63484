"""Moving through pages by keyboard alone in Playwright: Tab to a control, type, press Enter."""
from __future__ import annotations

FOCUSED_IS = """([s, text]) => { const el = document.activeElement;
  return el !== null && el.matches(s) && el.textContent.trim().startsWith(text); }"""


def tab_to(page, selector: str, limit: int = 120, text: str = "") -> None:
    """Press Tab until the element (and, given text, one whose text starts so) has focus; fails if it never does."""
    for _ in range(limit):
        if page.evaluate(FOCUSED_IS, [selector, text]):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} {text}")


def type_into(page, selector: str, text: str) -> None:
    """Tab to a text field and type."""
    tab_to(page, selector)
    page.keyboard.type(text)


def enter(page) -> None:
    """Press Enter and wait for the page it sends the form to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
