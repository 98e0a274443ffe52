"""A digest posted in a channel brings its chart along as a PNG file, the way files_upload_v2
sends it (an upload URL, the bytes, then completion); a failed upload leaves the text posted
once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.port import SlackChatPort
from bot.clock import VirtualClock
from bot.digest.chart import PNG_SIGNATURE
from bot.domain import ProgramOwner
from bot.messages import Chart, Message, Section, Series, SeriesKind
from bot.ports import Pace
from tests.adapters.slack.payloads import TEAM
from tests.adapters.slack.world import (
    MENTEE,
    MENTOR,
    SlackWorld,
    dm,
    play,
    received,
    seed_pair,
    settle,
)
from tests.fakes.slack_api import TOKEN, FakeSlack

CHANNEL = {"platform": "slack", "channel": "C0OWNERS"}


@pytest.fixture
async def port(fake_slack: FakeSlack) -> AsyncIterator[SlackChatPort]:
    client = AsyncWebClient(token=TOKEN, base_url=fake_slack.url, session=aiohttp.ClientSession())
    chat = SlackChatPort(client, Pace(per_second=100, burst=100, per_conversation_per_second=100))
    yield chat
    await chat.close()


def _digest() -> Message:
    chart = Chart(
        title="Sessions and mood, week by week",
        labels=("2 Nov", "9 Nov", "16 Nov"),
        series=(
            Series("Sessions", (1.0, 0.0, 3.0)),
            Series("Check-in mood (1–5)", (3.5, None, 4.0), SeriesKind.LINE, (1.0, 5.0)),
        ),
        alt_text="Sessions logged each week: 1, 0, 3.",
    )
    return Message(
        text='Weekly digest of "Pilot"\n\n• People: 4 enrolled',
        title='Weekly digest of "Pilot"',
        sections=(Section("People", ("4 enrolled",)),),
        chart=chart,
    )


async def test_the_chart_arrives_in_the_channel_as_a_png(
    port: SlackChatPort, fake_slack: FakeSlack
) -> None:
    ts = await port.post_to_channel(CHANNEL, _digest(), "digest:1:2026-W47")
    (posted,) = fake_slack.posted
    assert posted["ts"] == ts and posted["channel"] == "C0OWNERS"
    assert posted["blocks"][0]["type"] == "header"
    (shared,) = fake_slack.shared_files
    assert shared["channel"] == "C0OWNERS"
    assert shared["data"].startswith(PNG_SIGNATURE) and len(shared["data"]) > 1000
    assert shared["title"] == "Sessions and mood, week by week"
    assert shared["alt_txt"] == "Sessions logged each week: 1, 0, 3."
    # The bytes went to the URL the fake handed out, not through the authenticated API.
    assert [m for m, _ in fake_slack.requests][-2:] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_a_failed_upload_keeps_the_text_posted_once(
    port: SlackChatPort, fake_slack: FakeSlack
) -> None:
    fake_slack.failing_uploads = 1
    ts = await port.post_to_channel(CHANNEL, _digest(), "digest:1:2026-W47")
    assert ts and fake_slack.keys_posted() == {"digest:1:2026-W47": 1}
    assert fake_slack.shared_files == []
    # Slack's API failing after the text went out (a 500, then an error answer) is the same.
    fake_slack.method_failures["files.getUploadURLExternal"].append(500)
    await port.post_to_channel(CHANNEL, _digest(), "digest:1:2026-W48")
    fake_slack.method_failures["files.completeUploadExternal"].append(429)
    await port.post_to_channel(CHANNEL, _digest(), "digest:1:2026-W49")
    assert fake_slack.keys_posted() == {
        "digest:1:2026-W47": 1,
        "digest:1:2026-W48": 1,
        "digest:1:2026-W49": 1,
    }
    assert fake_slack.shared_files == []


async def test_a_message_without_chart_uploads_nothing(
    port: SlackChatPort, fake_slack: FakeSlack
) -> None:
    await port.post_to_channel(CHANNEL, Message(text="hello"), "hello:1")
    assert fake_slack.calls["files.getUploadURLExternal"] == 0


async def test_the_weekly_digest_reaches_the_owners_channel_with_its_chart(
    slack: SlackWorld,
) -> None:
    await seed_pair(slack)
    async with slack.runtime.uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        program.digest_channel = {"platform": "slack", "workspace": TEAM, "channel": "C0OWNERS"}
        await uow.commit()
    await play(slack, [(MENTOR, '/session log 45m "LinkedIn basics"')])
    clock = slack.runtime.clock
    assert isinstance(clock, VirtualClock)
    # Wednesday 18 November 14:00 UTC → Monday 23 November, 09:00 in Paris.
    clock.advance(timedelta(days=4, hours=18))
    await slack.runtime.ticker.tick()
    await settle(slack)
    (digest,) = [p for p in slack.fake.posted if p["channel"] == "C0OWNERS"]
    assert digest["metadata"]["event_payload"]["key"] == "digest:1:2026-W48"
    assert 'Weekly digest of "Pilot"' in digest["text"]
    kinds = [b["type"] for b in digest["blocks"]]
    assert kinds[0] == "header" and "divider" in kinds and len(kinds) <= 50
    (chart,) = slack.fake.shared_files
    assert chart["channel"] == "C0OWNERS" and chart["data"].startswith(PNG_SIGNATURE)
    # The next tick finds the week's digest sent: nothing goes out twice, text or chart.
    await slack.runtime.ticker.tick()
    await settle(slack)
    assert slack.fake.keys_posted()["digest:1:2026-W48"] == 1
    assert len(slack.fake.shared_files) == 1


async def test_an_owner_asks_for_the_report_in_slack(slack: SlackWorld) -> None:
    await seed_pair(slack)
    async with slack.runtime.uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        mentor = await uow.person_by_identity("slack", TEAM, MENTOR)
        assert program.id and mentor and mentor.id
        uow.add(ProgramOwner(program.id, mentor.id))
        await uow.commit()
    await play(slack, [(MENTOR, '/session log 45m "LinkedIn basics"')])
    await play(slack, [(MENTOR, "/tandem report")])
    (report,) = [p for p in slack.fake.posted if p["blocks"][0]["type"] == "header"]
    assert report["channel"] == dm(MENTOR)
    assert report["blocks"][0]["text"]["text"].startswith('Program report of "Pilot"')
    assert "Since the start: 1 session (45 min)" in report["text"]
    (chart,) = slack.fake.shared_files
    assert chart["channel"] == dm(MENTOR) and chart["data"].startswith(PNG_SIGNATURE)

    # The mentee owns nothing: refused, and no chart.
    await play(slack, [(MENTEE, "/tandem report")])
    assert "Only the program's owners can do this" in received(slack, MENTEE)[-1]
    assert len(slack.fake.shared_files) == 1
