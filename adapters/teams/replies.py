"""Engine messages as Teams activities: plain text, a card with buttons or a form, or one card
for a structured message (the digest, the report) with its chart when it fits."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from botbuilder.schema import Activity, ActivityTypes
from botbuilder.schema import Attachment as TeamsFile

from adapters.file_links import FileLinks
from adapters.teams import cards
from adapters.teams.structured import CARD_BUDGET, structured_card
from bot.digest.chart import render_png
from bot.i18n import Renderer
from bot.messages import Attachment, Message

# A chart small enough (about 360 × 180 pixels, 14 KB) to keep the request small.
CHART_DPI = 45


# A file larger than this (base64 adds a third) would not fit in one activity: it goes as text.
FILE_BUDGET = CARD_BUDGET * 3 // 4 - 1024
# Files Teams does not open from a bot's message (an invitation would show as a dead paper
# clip): they go as a download link from this server, when one can be signed.
LINKED_TYPES = frozenset({"text/calendar"})


class Replies:
    def __init__(self, renderer: Renderer, links: FileLinks | None = None) -> None:
        self.renderer = renderer
        self.links = links

    def activities(self, message: Message, locale: str | None = None) -> list[Activity]:
        """The activities that carry one message: a file it carries (a data export) goes with
        its text as an inline file when small, else after it as plain text in parts that each
        fit in an activity. A message with buttons and a file (a roster's report) is its card
        first, then the file: a file's activity carries no card."""
        attachment = message.attachment
        if attachment is None:
            return [self.activity(message, locale)]
        if cards.needs_card(message):
            card = self.activity(dataclasses.replace(message, attachment=None), locale)
            return [card, *self._file(attachment, "", locale)]
        return self._file(attachment, message.text, locale)

    def _file(self, attachment: Attachment, text: str, locale: str | None) -> list[Activity]:
        url = (
            self.links.url(attachment)
            if self.links is not None and attachment.media_type in LINKED_TYPES
            else None
        )
        if url is not None:
            link = self.text(
                locale, "teams.file_link", title=attachment.title or attachment.filename, url=url
            )
            return [
                Activity(
                    type=ActivityTypes.message,
                    text=f"{text}\n\n{link}" if text else link,
                    text_format="plain",
                )
            ]
        data = attachment.content.encode("utf-8")
        carrier = Activity(type=ActivityTypes.message, text=text or None, text_format="plain")
        if len(data) <= FILE_BUDGET:
            encoded = base64.b64encode(data).decode("ascii")
            carrier.attachments = [
                TeamsFile(
                    content_type=attachment.media_type,
                    content_url=f"data:{attachment.media_type};base64,{encoded}",
                    name=attachment.filename,
                )
            ]
            return [carrier]
        if not text:
            return _text_parts(attachment.content, FILE_BUDGET)
        return [carrier, *_text_parts(attachment.content, FILE_BUDGET)]

    def activity(self, message: Message, locale: str | None = None) -> Activity:
        """``locale``: the reader's, for the few words the adapter adds (a form's Cancel)."""
        if message.sections:
            chart = render_png(message.chart, dpi=CHART_DPI) if message.chart else None
            card = structured_card(message, chart)
            return Activity(
                type=ActivityTypes.message,
                summary=message.title,
                attachments=[cards.attachment(card)],  # type: ignore[list-item]
            )
        if not cards.needs_card(message):
            return Activity(type=ActivityTypes.message, text=message.text, text_format="plain")
        return Activity(
            type=ActivityTypes.message,
            attachments=[cards.attachment(self.card(message, locale))],  # type: ignore[list-item]
        )

    def card(self, message: Message, locale: str | None) -> dict[str, Any]:
        cancel = self.text(locale, "teams.form_cancel") if message.form is not None else ""
        return cards.message_card(message, cards.new_card_id(), cancel)

    def text(self, locale: str | None, message_id: str, **variables: Any) -> str:
        return self.renderer.render(self.renderer.locale_for(locale), message_id, **variables)


def _text_parts(content: str, budget: int) -> list[Activity]:
    """``content`` in plain-text activities of at most ``budget`` bytes, cut between lines."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in content.splitlines(keepends=True):
        length = len(line.encode("utf-8"))
        if current and size + length > budget:
            parts.append("".join(current))
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        parts.append("".join(current))
    return [Activity(type=ActivityTypes.message, text=part, text_format="plain") for part in parts]
