"""The /ikm charts' words and marks stand out enough (axe cannot measure text inside an SVG image).

Labels are small text: 4.5:1 against what lies under them (white, or a grade band's tint); bars and
the line are graphics: 3:1 against white (WCAG 1.4.3 and 1.4.11).
"""
from __future__ import annotations

import re
from datetime import datetime

from tests.accessibility import contrast, tint
from tests.helpers import seed_survey

SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.DOTALL)
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def elements(svg: str, name: str) -> list[dict]:
    """The attributes of each element of one kind in an SVG's markup."""
    return [dict(ATTRIBUTE.findall(match)) for match in re.findall(rf"<{name}\b([^>]*)>", svg)]


def charts(client) -> list[str]:
    """The SVG charts of the satisfaction index page, with answers of every grade in two semesters."""
    for month, values in ((2, [4] * 9), (3, [3] * 9), (8, [2] * 9), (9, [1, 2, 3, 4, 4, 3, 2, 1, 3])):
        seed_survey(values, datetime(2025, month, 10, 3))
        seed_survey(values, datetime(2026, month, 10, 3))
    page = client.get("/ikm?dari=2025-01-01&sampai=2026-12-31").get_data(as_text=True)
    found = SVG.findall(page)
    assert len(found) >= 2, page[:2000]
    return found


def test_chart_text_and_marks_have_enough_contrast(app, client):
    with app.app_context():
        svgs = charts(client)
    problems, checked = [], 0
    for svg in svgs:
        default = elements(svg, "svg")[0]["fill"]
        bands = {band["fill"]: tint(band["fill"], float(band["fill-opacity"]))
                 for band in elements(svg, "rect") if "fill-opacity" in band}
        for text in elements(svg, "text"):
            colour = text.get("fill", default)
            under = bands.get(colour, "#ffffff")
            checked += 1
            if contrast(colour, under) < 4.5:
                problems.append(f"text {colour} on {under}: {contrast(colour, under):.2f}")
        for mark in elements(svg, "rect") + elements(svg, "polyline") + elements(svg, "circle"):
            colour = mark.get("stroke") if mark.get("fill") in (None, "none") else mark["fill"]
            if "fill-opacity" not in mark and contrast(colour, "#ffffff") < 3:
                problems.append(f"mark {colour} on white: {contrast(colour, '#ffffff'):.2f}")
    assert checked > 20 and bands  # the labels, ticks and grade bands were there to judge
    assert not problems, "\n".join(sorted(set(problems)))
