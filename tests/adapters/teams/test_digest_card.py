"""The digest as an Adaptive Card, within Teams' 28 KB whatever the figures, in both languages:
the chart goes in as a picture when it fits, in words when it does not."""

from __future__ import annotations

import base64
import json

import pytest

from adapters.teams.replies import CHART_DPI
from adapters.teams.structured import CARD_BUDGET, card_size, structured_card
from bot.digest.chart import PNG_SIGNATURE, render_png
from bot.settings import SUPPORTED_LOCALES
from tests.adapters.slack.test_digest_blocks import _digest

TEAMS_LIMIT = 28 * 1024


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
def test_the_digest_card_stays_under_28_kb(locale: str, pairs: int, quote_length: int) -> None:
    message = _digest(locale, pairs, quote_length)
    assert message.chart is not None
    card = structured_card(message, render_png(message.chart, dpi=CHART_DPI))
    # The whole activity, as sent, fits too.
    activity = {"type": "message", "summary": message.title, "attachments": [card]}
    assert len(json.dumps(activity, ensure_ascii=False).encode()) <= TEAMS_LIMIT
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


def test_a_digest_too_big_for_a_picture_describes_the_chart_in_words() -> None:
    message = _digest("en", 60, 9000)
    assert message.chart is not None
    card = structured_card(message, render_png(message.chart, dpi=CHART_DPI))
    assert not _images(card)
    assert message.chart.alt_text in _texts(card)
    # Long quotes are cut, never dropped whole.
    assert "I learnt" in _texts(card)
