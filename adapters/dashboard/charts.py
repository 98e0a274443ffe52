"""Bar charts as inline SVG geometry, drawn by the pages' templates.

No script and no image file: the page's Content-Security-Policy stays strict, colours are SVG
presentation attributes (not CSS), and every chart is followed in the page by the table of its
figures, which is what a screen reader reads (the SVG itself is one labelled image).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 480
HEIGHT = 170
# Room on the left for the scale's numbers, and below for the first and last week's label.
LEFT = 40
BOTTOM = 24
TOP = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    # Where the target's horizontal line is drawn; None: no target.
    target_y: float | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def _scale_top(highest: float) -> float:
    """A round maximum for the scale, at least the highest value (1, 2, 5, 10, 20, 50…)."""
    if highest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(highest))
    for step in (1, 2, 5, 10):
        if highest <= step * power:
            return float(step * power)
    return float(10 * power)


def bar_chart(
    values: Sequence[float | None],
    *,
    target: float | None = None,
    maximum: float | None = None,
) -> BarChart:
    """One bar a value (None: no bar, as for a week without any answer), against a scale from
    0 to ``maximum`` (else a round number above the highest value and the target)."""
    top = maximum or _scale_top(max([v or 0.0 for v in values] + [target or 0.0]))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(values), 1)
    width = max(slot * 0.7, 1.0)

    def y_of(value: float) -> float:
        return round(HEIGHT - BOTTOM - plot_height * min(value, top) / top, 1)

    bars = tuple(
        Bar(
            x=round(LEFT + slot * index + (slot - width) / 2, 1),
            y=y_of(value),
            width=round(width, 1),
            height=round(HEIGHT - BOTTOM - y_of(value), 1),
        )
        for index, value in enumerate(values)
        if value is not None
    )
    ticks = tuple(Tick(y_of(top * share), f"{top * share:g}") for share in (0, 0.5, 1))
    return BarChart(
        bars=bars,
        ticks=ticks,
        target_y=y_of(target) if target is not None else None,
    )
