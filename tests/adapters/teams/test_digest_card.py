"""The digest as an Adaptive Card, within the size Microsoft advises for a bot message (80 KB
as Teams counts it: UTF-16, base64 images left out) whatever the figures and the alphabet, as
the connector client actually sends it; the chart goes in as a picture, in words without one."""

from __future__ import annotations

import base64
import json

import pytest

from adapters.teams.replies import CHART_DPI
from adapters.teams.structured import CARD_BUDGET, card_size, structured_card
from bot.digest.chart import PNG_SIGNATURE, render_png
from bot.messages import Message, Section
from bot.settings import SUPPORTED_LOCALES
from tests.adapters.slack.test_digest_blocks import _digest
from tests.fakes.bot_connector import message_size

RECOMMENDED = 80 * 1024


def _texts(card: dict[str, object]) -> str:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return "\n".join(found)


def _images(card: dict[str, object]) -> list[dict[str, str]]:
    return [e for e in card["body"] if e.get("type") == "Image"]  # type: ignore[attr-defined, union-attr]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize(("pairs", "quote_length"), [(3, 40), (60, 9000), (400, 200)])
def test_the_digest_card_stays_within_what_teams_advises(
    locale: str, pairs: int, quote_length: int
) -> None:
    message = _digest(locale, pairs, quote_length)
    assert message.chart is not None
    card = structured_card(message, render_png(message.chart, dpi=CHART_DPI))
    # The whole activity, as the connector client sends it (non-ASCII escaped), fits too.
    activity = {"type": "message", "summary": message.title, "attachments": [card]}
    assert message_size(json.dumps(activity)) <= RECOMMENDED
    assert card_size(card) <= CARD_BUDGET
    assert card["version"] == "1.5"
    texts = _texts(card)
    assert message.title in texts
    for section in message.sections:
        assert section.title in texts


def test_a_small_digest_carries_its_chart_as_a_picture() -> None:
    message = _digest("fr", 3, 40)
    assert message.chart is not None
    card = structured_card(message, render_png(message.chart, dpi=CHART_DPI))
    (image,) = _images(card)
    data = base64.b64decode(image["url"].removeprefix("data:image/png;base64,"))
    assert data.startswith(PNG_SIGNATURE)
    assert image["altText"]


def test_a_digest_without_a_picture_describes_the_chart_in_words() -> None:
    message = _digest("en", 60, 9000)
    assert message.chart is not None
    card = structured_card(message, None)
    assert not _images(card)
    assert message.chart.alt_text in _texts(card)
    # Long quotes are cut, never dropped whole.
    assert "I learnt" in _texts(card)


def test_a_digest_full_of_emoji_and_accents_is_measured_as_sent() -> None:
    # Check-in quotes with emoji and Japanese names: each emoji travels as twelve characters
    # of escaped JSON, i.e. 24 bytes as Teams counts them.
    lines = tuple(f"Paire {n} 🚀🎉👍🙏✨💡🚀🎉👍🙏 学習はとても楽しいです" for n in range(900))
    message = Message(
        text="Résumé",
        title="Digest hebdomadaire 🚀",
        sections=(Section("Paires à suivre", lines, "Réponses libres, partagées avec accord"),),
    )
    card = structured_card(message, None)
    activity = {"type": "message", "summary": message.title, "attachments": [card]}
    assert message_size(json.dumps(activity)) <= RECOMMENDED
    # Cut where it has to be, and saying so.
    assert "…" in _texts(card) and "Paire 0 " in _texts(card)
