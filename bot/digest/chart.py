"""A ``Chart`` as a PNG, drawn with matplotlib: bars against the left axis, lines against the
right one (sessions a week, and mood on its 1–5 scale).

The Agg backend draws into memory with no display, so this works in a server, a worker or a
test; adapters attach the bytes where their platform allows, the HTML report embeds them.
"""

from __future__ import annotations

import io
import math
from typing import Any

from bot.messages import Chart, SeriesKind

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BAR_COLOUR = "#4C72B0"
LINE_COLOUR = "#DD8452"
WIDTH, HEIGHT, DPI = 8.0, 4.0, 100


def render_png(chart: Chart, *, dpi: int = DPI) -> bytes:
    """The chart as PNG bytes (800 × 400 pixels at the default ``dpi``; smaller with less,
    for platforms that limit a message's size)."""
    # Imported here, not at the top: matplotlib costs about a second of every process start
    # (serve, deliver, each CLI command) and only a digest with a chart needs it.
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # No display: a Figure of our own draws with Agg anyway; this keeps pyplot, if anything
    # else imports it, from looking for a window system.
    matplotlib.use("Agg")
    # A Figure of our own rather than pyplot's global state: safe with concurrent renders.
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=dpi)
    left = figure.add_subplot()
    positions = list(range(len(chart.labels)))
    bars = [s for s in chart.series if s.kind == SeriesKind.BARS]
    lines = [s for s in chart.series if s.kind == SeriesKind.LINE]
    handles: list[Any] = []
    width = 0.8 / max(1, len(bars))
    for index, series in enumerate(bars):
        offset = (index - (len(bars) - 1) / 2) * width
        values = [0.0 if v is None else v for v in series.values]
        handles.append(
            left.bar(
                [p + offset for p in positions],
                values,
                width=width,
                color=BAR_COLOUR if index == 0 else None,
                label=series.name,
            )
        )
    top = max((v or 0.0 for s in bars for v in s.values), default=0.0)
    left.set_ylim(0, max(1.0, math.ceil(top * 1.15)))
    # Whole sessions: no 2.5 on the axis.
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    if bars:
        left.set_ylabel(bars[0].name)
    left.set_xticks(positions, chart.labels, rotation=45 if len(positions) > 8 else 0)
    left.set_title(chart.title)
    left.spines[["top"]].set_visible(False)
    if lines:
        right = left.twinx()
        for index, series in enumerate(lines):
            # A gap where nobody answered rather than a dip to zero.
            values = [math.nan if v is None else v for v in series.values]
            (handle,) = right.plot(
                positions,
                values,
                marker="o",
                color=LINE_COLOUR if index == 0 else None,
                label=series.name,
            )
            handles.append(handle)
        scale = lines[0].scale
        if scale is not None:
            low, high = scale
            right.set_ylim(low - 0.2, high + 0.2)
            right.set_yticks(range(math.ceil(low), math.floor(high) + 1))
        right.set_ylabel(lines[0].name)
        right.spines[["top"]].set_visible(False)
    if handles:
        # Under the plot, so that it never hides a bar.
        figure.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
