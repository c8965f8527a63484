"""A workflow drawn on the server as SVG geometry: states as boxes in columns (how many actions away from the
initial state, left to right), actions as arrows between them, each named beside the state it leads to; the
template only places what is computed here."""
from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.engine.text import tr

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 170, 48, 190, 28, 20


@dataclass(frozen=True)
class Box:
    """A state's box."""

    name: str
    lines: tuple[str, ...]
    x: int
    y: int
    initial: bool
    final: bool


@dataclass(frozen=True)
class Arrow:
    """An action's arrow: an SVG path and where its label goes."""

    path: str
    label: str
    lx: int
    ly: int
    anchor: str


def layers(workflow: Mapping[str, Any]) -> dict[str, int]:
    """Each state's layer: its distance in actions from the initial state (unreachable states last)."""
    states, actions = workflow.get("states") or {}, (workflow.get("actions") or {}).values()
    level = {workflow.get("initial"): 0} if workflow.get("initial") in states else {}
    frontier = list(level)
    while frontier:
        following = []
        for action in actions:
            for source in action.get("from") or ():
                target = action.get("to")
                if source in frontier and target in states and target not in level:
                    level[target] = level[source] + 1
                    following.append(target)
        frontier = following
    last = max(level.values(), default=-1) + 1
    return {name: level.get(name, last) for name in states}


def boxes(workflow: Mapping[str, Any], lang: str) -> dict[str, Box]:
    """Every state's box: a column per layer, the states of a layer one below the other."""
    placed: dict[str, Box] = {}
    taken: dict[int, int] = {}
    for name, layer in layers(workflow).items():
        row = taken.get(layer, 0)
        taken[layer] = row + 1
        state = workflow["states"][name]
        lines = tuple(textwrap.wrap(tr(state.get("label"), lang) or name, 24)[:2])
        placed[name] = Box(name, lines, MARGIN + layer * (BOX_W + GAP_X), MARGIN + row * (BOX_H + GAP_Y),
                           name == workflow.get("initial"), bool(state.get("final")))
    return placed


def arrow(source: Box, target: Box, label: str, nth: int) -> Arrow:
    """An arrow from one box to another, its label beside the target (the nth arrow into it a line lower)."""
    mid_y = BOX_H // 2
    if source is target:
        x, y = source.x + BOX_W, source.y + mid_y
        return Arrow(f"M{x},{y - 10} C{x + 40},{y - 34} {x + 40},{y + 34} {x},{y + 10}", label, x + 44, y + 4, "start")
    if target.x > source.x:
        x1, y1, x2, y2 = source.x + BOX_W, source.y + mid_y, target.x, target.y + mid_y
        path = f"M{x1},{y1} C{x1 + 70},{y1} {x2 - 70},{y2} {x2},{y2}"
        return Arrow(path, label, x2 - 6, target.y + 12 + 12 * nth, "end")
    if target.x == source.x:
        x1, y1, x2, y2 = source.x + BOX_W, source.y + mid_y, target.x + BOX_W, target.y + mid_y
        bulge = x1 + 50 + 12 * nth
        return Arrow(f"M{x1},{y1} C{bulge},{y1} {bulge},{y2} {x2},{y2}", label, bulge + 4, (y1 + y2) // 2, "start")
    x1, y1, x2, y2 = source.x + BOX_W // 2, source.y + BOX_H, target.x + BOX_W // 2 + 20, target.y + BOX_H
    low = max(y1, y2) + 40 + 12 * nth
    return Arrow(f"M{x1},{y1} C{x1},{low} {x2},{low} {x2},{y2}", label, x2 - 26, y2 + 16 + 12 * nth, "end")


def diagram(workflow: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Boxes, arrows and the drawing's size."""
    placed = boxes(workflow, lang)
    arrows, into = [], {}
    for name, action in (workflow.get("actions") or {}).items():
        for source in action.get("from") or ():
            target = action.get("to")
            if source in placed and target in placed:
                nth = into.get(target, 0)
                into[target] = nth + 1
                arrows.append(arrow(placed[source], placed[target], tr(action.get("label"), lang) or name, nth))
    width = max((b.x + BOX_W for b in placed.values()), default=0) + MARGIN + 260
    height = max([b.y + BOX_H for b in placed.values()] + [a.ly for a in arrows], default=0) + MARGIN + 10
    return {"boxes": list(placed.values()), "arrows": arrows, "width": width, "height": height, "box_w": BOX_W,
            "box_h": BOX_H}
