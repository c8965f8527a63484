"""axe-core run inside Playwright pages: the WCAG 2.2 AA rules, and the violations that count.

axe-core comes from npm (package.json; `.ci/run` installs it into node_modules). It is evaluated
in the page over the DevTools protocol, so the pages keep their real Content-Security-Policy.
"""
from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(os.environ.get("LOKET_AXE_JS") or ROOT / "node_modules" / "axe-core" / "axe.min.js")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
RUN = """async tags => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary.split("\\n").slice(1, 3).join(" "))}));
}"""
# axe only asks for a review when aria-describedby names a missing id: Loket holds itself to none.
DANGLING = """() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby], [aria-controls], [aria-activedescendant]")]
  .flatMap(el => ["aria-describedby", "aria-labelledby", "aria-controls", "aria-activedescendant"]
    .flatMap(name => (el.getAttribute(name) || "").split(/\\s+/).filter(id => id && !document.getElementById(id))
      .map(id => `${el.tagName.toLowerCase()}#${el.id} ${name}="${el.getAttribute(name)}" names no element #${id}`)))"""


@cache
def axe_source() -> str:
    """The axe-core script; a clear failure when npm has not installed it."""
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run `npm ci` (see .ci/run) or set LOKET_AXE_JS")
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """Every WCAG 2.2 A/AA violation axe finds on the page as it is now, and ARIA id references to nothing."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = page.evaluate(RUN, TAGS)
    dangling = page.evaluate(DANGLING)
    if dangling:
        found.append({"id": "dangling-idref", "impact": "serious", "help": "ARIA references name ids on the page",
                      "nodes": dangling})
    return found


def blocking(found: list[dict]) -> list[dict]:
    """The violations of impact serious or critical."""
    return [violation for violation in found if violation["impact"] in BLOCKING]


def describe(where: str, found: list[dict]) -> list[str]:
    """One line per violation and element, naming the page."""
    return [f"{where}: [{v['impact']}] {v['id']} ({v['help']}): {node}" for v in found for node in v["nodes"]]


def channels(colour: str) -> list[int]:
    """The red, green and blue of '#rrggbb' or 'rgb(r, g, b)'."""
    if colour.startswith("#"):
        return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return [int(part) for part in re.findall(r"\d+", colour)[:3]]


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2)."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in channels(colour))]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def tint(colour: str, opacity: float, under: str = "#ffffff") -> str:
    """A colour laid at an opacity over another, as '#rrggbb'."""
    return "#" + "".join(f"{round(b + (c - b) * opacity):02x}" for c, b in zip(channels(colour), channels(under)))
