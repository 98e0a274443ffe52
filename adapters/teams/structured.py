"""A structured message (the weekly digest, the program report) as one Adaptive Card.

Teams refuses a bot message over about 100 KB, counted in UTF-16 and leaving base64 images
out, and advises staying within 80 KB
(https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages).
The card is measured as the connector client sends it (JSON with every non-ASCII character
escaped: "é" travels as six characters, an emoji as twelve) and built within ``CARD_BUDGET``.
The chart goes in as an inline PNG only when it fits; otherwise the chart's description in
words stands in for it (and the full text stays in the message).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from adapters.teams.cards import card, text_block
from bot.messages import Message, Section

# What Microsoft advises for a whole bot message (the hard limit is about 100 KB); the rest of
# the activity (addresses, summary) takes well under 4 KB in UTF-16.
RECOMMENDED_MESSAGE_SIZE = 80 * 1024
CARD_BUDGET = RECOMMENDED_MESSAGE_SIZE - 4 * 1024
# An image sent inline, which Teams leaves out of a message's size.
_BASE64_IMAGE = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")
ELLIPSIS = "…"
# One line of a section (a very long quote) shows this many characters at most.
LINE_LIMIT = 1000


def sent_size(payload: Any) -> int:
    """The size Teams counts of ``payload`` as the connector client sends it: its JSON (with
    non-ASCII escaped, the client's default) in UTF-16, without base64 images."""
    sent = json.dumps(payload)
    return len(_BASE64_IMAGE.sub("", sent).encode("utf-16-le"))


def card_size(content: dict[str, Any]) -> int:
    return sent_size(content)


def structured_card(message: Message, chart_png: bytes | None = None) -> dict[str, Any]:
    """Title, one container per section, and the chart (as a picture or in words)."""
    sections = [
        Section(section.title, tuple(_cut(line) for line in section.lines), _cut(section.note))
        for section in message.sections
    ]
    chart = _chart_elements(message, chart_png)
    # The picture is not counted by Teams: it always goes in when there is one.
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
