"""The digest as Block Kit, within Slack's limits whatever the figures: many pairs needing
attention, very long quotes, in both languages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from adapters.slack.blocks import (
    CONTEXT_LIMIT,
    HEADER_LIMIT,
    MAX_BLOCKS,
    SECTION_TEXT_LIMIT,
    message_blocks,
)
from bot.digest import sections
from bot.digest.activity import WeekActivity
from bot.digest.figures import AtRiskPair, DigestFigures, DigestPeriod, Quote
from bot.i18n import Renderer
from bot.messages import Message
from bot.settings import SUPPORTED_LOCALES


def _period() -> DigestPeriod:
    now = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    return DigestPeriod(
        program_id=1,
        start=date(2026, 11, 12),
        end=date(2026, 11, 19),
        start_at=datetime(2026, 11, 11, 23, 0, tzinfo=UTC),
        end_at=datetime(2026, 11, 18, 23, 0, tzinfo=UTC),
        previous_start_at=datetime(2026, 11, 4, 23, 0, tzinfo=UTC),
        now=now,
        quiet_since=now,
        quote_min_group=3,
    )


def _figures(pairs: int, quote_length: int) -> DigestFigures:
    at_risk = tuple(
        AtRiskPair(
            pair_id=i,
            mentor=f"mentor <{i}> with a rather long name & title",
            mentee=f"mentee {i}",
            quiet_days=21 + i if i % 3 == 0 else None,
            lowest_mood=2 if i % 3 == 1 else None,
            expired_checkins=1,
            unreachable=i % 7 == 0,
            failed_deliveries=0,
        )
        for i in range(pairs)
    )
    quotes = tuple(
        Quote("I learnt " + "that privacy settings matter a lot\n" * (quote_length // 35), name)
        for name in ("alice", None, None)
    )
    return DigestFigures(
        enrolled=400,
        paired=380,
        pairs=190,
        active_pairs=150,
        sessions_week=57,
        minutes_week=2900,
        sessions_total=800,
        minutes_total=41000,
        sessions_target=1140,
        minutes_target=68400,
        topics=(("linkedin basics", 12), ("seo", 9), ("privacy settings", 4)),
        mood_week=3.4,
        mood_previous=3.9,
        checkins_week=120,
        at_risk_count=pairs + 40,
        at_risk=at_risk,
        usefulness_total=4.1,
        ratings_total=600,
        usefulness_week=3.8,
        ratings_week=44,
        quotes=quotes,
        quote_authors=12,
        quotes_withheld=True,
    )


def _digest(locale: str, pairs: int, quote_length: int) -> Message:
    renderer = Renderer()
    weeks = tuple(
        WeekActivity(date(2026, 9, 7 + 7 * i) if i < 3 else date(2026, 10, i), i, 60 * i, 3.5, 4)
        for i in range(12)
    )
    return sections.structured(
        renderer,
        locale,
        "x" * 400,
        chart=sections.activity_chart(renderer, locale, weeks),
        program="Pilot",
        period=_period(),
        f=_figures(pairs, quote_length),
        report=False,
    )


def _texts(block: dict[str, object]) -> list[str]:
    if block["type"] in ("section", "header"):
        return [block["text"]["text"]]  # type: ignore[index]
    if block["type"] == "context":
        return [e["text"] for e in block["elements"]]  # type: ignore[attr-defined]
    return []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize(("pairs", "quote_length"), [(3, 40), (60, 9000), (400, 200)])
def test_digest_blocks_stay_within_block_kit_limits(
    locale: str, pairs: int, quote_length: int
) -> None:
    message = _digest(locale, pairs, quote_length)
    blocks = message_blocks(message)
    assert 0 < len(blocks) <= MAX_BLOCKS
    header = blocks[0]
    assert header["type"] == "header" and len(header["text"]["text"]) <= HEADER_LIMIT
    for block in blocks:
        for text in _texts(block):
            assert text.strip()
            limit = CONTEXT_LIMIT if block["type"] == "context" else SECTION_TEXT_LIMIT
            assert len(text) <= limit
    # Names are escaped for mrkdwn; the sections' titles are bold.
    everything = "\n".join(t for b in blocks for t in _texts(b))
    assert "&lt;1&gt;" in everything and "&amp;" in everything
    if pairs == 3:
        assert "*Pairs needing attention (43)*" in everything or "*Tandems à suivre (43)*" in (
            everything
        )
        assert any(b["type"] == "divider" for b in blocks)


def test_the_digest_payload_round_trips_through_the_outbox() -> None:
    message = _digest("en", 5, 100)
    assert message.chart is not None and len(message.chart.labels) == 12
    # Outbox rows keep the payload as JSON: tuples come back as lists.
    assert Message.from_payload(json.loads(json.dumps(message.to_payload()))) == message
