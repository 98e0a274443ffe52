"""The digest and the program report as structured messages: a title, sections, a chart.

Each section is one block of ``prompts/<locale>/digest.j2``, named in ``SECTIONS``: its first
line is the title, each further line an item, a line starting with ">" the small print. Adding
a section is adding a block to both locales and its name to the tuple.
"""

from __future__ import annotations

from typing import Any

from bot.digest.activity import WeekActivity
from bot.i18n import Renderer
from bot.messages import Chart, Message, Section, Series, SeriesKind

# In the order owners read them.
SECTIONS: tuple[str, ...] = (
    "people",
    "sessions",
    "topics",
    "mood",
    "satisfaction",
    "skills",
    "evaluation",
    "quiz",
    "workshops",
    "at_risk",
    "departures",
    "reach",
    "quotes",
    "changed",
)
# Sections whose items are a list (pairs, quotes) rather than figures: in plain text they stay
# a list even with a single item.
LISTS: tuple[str, ...] = ("at_risk", "departures", "quotes", "changed")
NOTE = ">"
MOOD_SCALE = (1.0, 5.0)


def section(renderer: Renderer, locale: str, name: str, **variables: Any) -> Section | None:
    """One section block rendered and split into its parts; None when it renders nothing."""
    text = renderer.render(locale, f"digest.{name}", **variables)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    items = tuple(line for line in lines[1:] if not line.startswith(NOTE))
    notes = [line.removeprefix(NOTE).strip() for line in lines[1:] if line.startswith(NOTE)]
    return Section(title=lines[0], lines=items, note=" ".join(notes))


def structured(
    renderer: Renderer,
    locale: str,
    title: str,
    names: tuple[str, ...] = SECTIONS,
    chart: Chart | None = None,
    **variables: Any,
) -> Message:
    """A message made of the named section blocks, with all of it as text too."""
    parts: list[tuple[str, Section]] = []
    for name in names:
        found = section(renderer, locale, name, **variables)
        if found is not None:
            parts.append((name, found))
    text = "\n\n".join(
        [
            title,
            *(
                renderer.render(locale, "digest.section_text", s=s, listing=name in LISTS)
                for name, s in parts
            ),
        ]
    )
    return Message(text=text, title=title, sections=tuple(s for _, s in parts), chart=chart)


def activity_chart(
    renderer: Renderer, locale: str, weeks: tuple[WeekActivity, ...]
) -> Chart | None:
    """Sessions (bars) and mood (line) a week; None when there is nothing to draw yet."""
    if not any(w.sessions or w.mood is not None for w in weeks):
        return None
    return Chart(
        title=renderer.render(locale, "digest.chart_title"),
        labels=tuple(renderer.render(locale, "digest.chart_week", monday=w.monday) for w in weeks),
        series=(
            Series(
                name=renderer.render(locale, "digest.chart_sessions"),
                values=tuple(float(w.sessions) for w in weeks),
                kind=SeriesKind.BARS,
            ),
            Series(
                name=renderer.render(locale, "digest.chart_mood"),
                values=tuple(w.mood for w in weeks),
                kind=SeriesKind.LINE,
                scale=MOOD_SCALE,
            ),
        ),
        alt_text=renderer.render(locale, "digest.chart_alt", weeks=weeks),
    )
