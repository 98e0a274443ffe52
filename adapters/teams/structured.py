"""A structured message (the weekly digest, the program report) as one Adaptive Card.

Teams refuses a message over about 28 KB, card included: the card is built within
``CARD_BUDGET`` bytes. The chart goes in as an inline PNG only when it fits; otherwise the
chart's description in words stands in for it (and the full text stays in the message).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from adapters.teams.cards import card, text_block
from bot.messages import Message, Section

# Teams' limit is 28 KB for the whole activity; the rest of the activity takes well under 2 KB.
CARD_BUDGET = 26 * 1024
ELLIPSIS = "…"
# One line of a section (a very long quote) shows this many characters at most.
LINE_LIMIT = 1000


def card_size(content: dict[str, Any]) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode("utf-8"))


def structured_card(message: Message, chart_png: bytes | None = None) -> dict[str, Any]:
    """Title, one container per section, and the chart (as a picture or in words)."""
    sections = [
        Section(section.title, tuple(_cut(line) for line in section.lines), _cut(section.note))
        for section in message.sections
    ]
    chart = _chart_elements(message, chart_png)
    content = _build(message.title, sections, chart)
    if card_size(content) > CARD_BUDGET and chart_png is not None:
        chart = _chart_elements(message, None)
        content = _build(message.title, sections, chart)
    # Still too big (hundreds of at-risk pairs): the biggest section loses its last lines, one
    # at a time, and says so with an ellipsis.
    while card_size(content) > CARD_BUDGET:
        biggest = max(range(len(sections)), key=lambda index: _weight(sections[index]))
        lines = sections[biggest].lines
        if len(lines) <= 1:
            break
        real = [line for line in lines if line != ELLIPSIS]
        kept = (*real[:-1], ELLIPSIS)
        sections[biggest] = Section(sections[biggest].title, kept, sections[biggest].note)
        content = _build(message.title, sections, chart)
    return content


def _weight(section: Section) -> int:
    return sum(len(line) for line in section.lines)


def _cut(text: str) -> str:
    return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 1].rstrip() + ELLIPSIS


def _build(title: str, sections: list[Section], chart: list[dict[str, Any]]) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if title:
        body.append(text_block(title, size="Large", weight="Bolder"))
    for section in sections:
        items = [text_block(section.title, weight="Bolder", size="Medium")]
        items += [text_block(line, spacing="Small") for line in section.lines]
        if section.note:
            items.append(text_block(section.note, isSubtle=True, size="Small"))
        body.append({"type": "Container", "separator": True, "spacing": "Medium", "items": items})
    body += chart
    return card(body)


def _chart_elements(message: Message, chart_png: bytes | None) -> list[dict[str, Any]]:
    chart = message.chart
    if chart is None:
        return []
    title = text_block(chart.title, weight="Bolder", size="Medium")
    if chart_png is None:
        return [title, text_block(chart.alt_text, isSubtle=True)] if chart.alt_text else []
    image = {
        "type": "Image",
        "url": "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii"),
        "altText": chart.alt_text or chart.title,
        "size": "Stretch",
    }
    return [title, image]
