"""Chart geometry for server-drawn SVG: horizontal bars and a line over periods.

The pages' CSP allows no script and no style attributes, so charts are drawn by the server and
coloured with SVG presentation attributes (fill, stroke), which the same markup keeps in the PDF
report. This module only computes positions (pure, testable); templates/charts/*.svg draw them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ROW_HEIGHT = 46
BAR_HEIGHT = 16
VALUE_SPACE = 48


@dataclass
class Bar:
    label: str
    value_text: str
    label_y: float
    bar_y: float
    width: float
    fill: str


@dataclass
class Mark:
    x: float
    text: str


@dataclass
class BarChart:
    id: str
    title: str
    width: int
    height: int
    plot_x: float
    plot_width: float
    top: float
    bottom: float
    bars: list[Bar]
    ticks: list[Mark]
    markers: list[Mark]
    empty_text: str = ""


@dataclass
class Point:
    x: float
    y: float | None
    value_text: str
    lines: tuple[str, ...]


@dataclass
class Band:
    y: float
    height: float
    fill: str
    text: str


@dataclass
class LineChart:
    id: str
    title: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: list[Point]
    segments: list[str]
    bands: list[Band]
    ticks: list[tuple[float, str]] = field(default_factory=list)
    empty_text: str = ""


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float | None, str, str]], maximum: float,
              ticks: list[tuple[float, str]], markers: list[tuple[float, str]] = (), width: int = 380,
              empty_text: str = "") -> BarChart:
    """Bars from 0 to `maximum`, one row per (label, value, value text, fill); a label sits above its bar."""
    top, plot_x = 22.0, 4.0
    plot_width = width - plot_x - VALUE_SPACE
    scale = plot_width / maximum
    bars = [Bar(label=label, value_text=text, label_y=top + index * ROW_HEIGHT + 13,
                bar_y=top + index * ROW_HEIGHT + 20, width=round((value or 0) * scale, 1), fill=fill)
            for index, (label, value, text, fill) in enumerate(items)]
    bottom = top + len(items) * ROW_HEIGHT + 2
    return BarChart(id=chart_id, title=title, width=width, height=int(bottom + 22), plot_x=plot_x,
                    plot_width=plot_width, top=top, bottom=bottom, bars=bars,
                    ticks=[Mark(round(plot_x + value * scale, 1), text) for value, text in ticks],
                    markers=[Mark(round(plot_x + value * scale, 1), text) for value, text in markers],
                    empty_text=empty_text)


def line_chart(chart_id: str, title: str, points: list[tuple[tuple[str, ...], float | None, str]],
               bands: list[tuple[float, float, str, str]], low: float, high: float, width: int = 380,
               height: int = 250, empty_text: str = "") -> LineChart:
    """Points evenly spaced over (label lines, value or None, value text); gaps break the line.

    `bands` are (from, to, fill, text) value ranges shaded behind the line, clipped to [low, high].
    """
    left, right, top, bottom = 34.0, width - 26.0, 14.0, height - 40.0
    step = (right - left) / max(len(points), 1)

    def y_of(value: float) -> float:
        return round(bottom - (min(max(value, low), high) - low) / (high - low) * (bottom - top), 1)

    placed = [Point(x=round(left + step * (index + 0.5), 1), y=y_of(value) if value is not None else None,
                    value_text=text, lines=lines) for index, (lines, value, text) in enumerate(points)]
    shaded = [Band(y=y_of(upper), height=round(y_of(lower) - y_of(upper), 1), fill=fill, text=text)
              for lower, upper, fill, text in bands if upper > low and lower < high]
    ticks = [(y_of(value), f"{value:g}") for value in range(int(low), int(high) + 1, 10 if high - low <= 50 else 25)]
    return LineChart(id=chart_id, title=title, width=width, height=height, left=left, right=right, top=top,
                     bottom=bottom, points=placed, segments=segments_of(placed), bands=shaded, ticks=ticks, empty_text=empty_text)


def segments_of(points: list[Point]) -> list[str]:
    """Polyline point lists of consecutive points that have values."""
    runs, current = [], []
    for point in points:
        if point.y is None:
            if len(current) > 1:
                runs.append(" ".join(current))
            current = []
        else:
            current.append(f"{point.x},{point.y}")
    if len(current) > 1:
        runs.append(" ".join(current))
    return runs
