"""Engine messages as Teams activities: plain text, a card with buttons or a form, or one card
for a structured message (the digest, the report) with its chart when it fits."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ActivityTypes

from adapters.teams import cards
from adapters.teams.structured import structured_card
from bot.digest.chart import render_png
from bot.i18n import Renderer
from bot.messages import Message

# A chart small enough (about 360 × 180 pixels, 14 KB) to keep the request small.
CHART_DPI = 45


class Replies:
    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

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
