"""Long texts reach Slack as several valid messages; nothing empty or over 50 blocks is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import MAX_BLOCKS, message_blocks, slack_messages
from adapters.slack.port import SlackChatPort
from bot.messages import Choice, Message, Section
from bot.ports import DeliveryError, Pace
from tests.conformance.blockkit import message_problems
from tests.fakes.slack_api import TOKEN, FakeSlack

LONG = "".join(f"Séance {n} : « LinkedIn & vie privée », notes <détaillées>.\n" for n in range(200))


@pytest.fixture
async def port() -> AsyncIterator[tuple[SlackChatPort, FakeSlack]]:
    fake = FakeSlack()
    await fake.start()
    client = AsyncWebClient(token=TOKEN, base_url=fake.url)
    try:
        yield SlackChatPort(client, Pace(100, 10, 100)), fake
    finally:
        await fake.stop()


def test_a_long_text_is_split_at_line_breaks_into_valid_messages() -> None:
    message = Message(text=LONG, choices=(Choice("yes", "Oui"),))
    parts = slack_messages(message)
    assert len(LONG) > 8000 and len(parts) == 3
    assert "".join(part.text for part in parts) == LONG
    assert all(part.text.endswith("\n") for part in parts[:-1])
    for part in parts:
        assert message_problems({"text": part.text, "blocks": part.blocks}) == []
    # The buttons come once, under the last part.
    assert [b["type"] for b in parts[-1].blocks][-1] == "actions"
    assert all(b["type"] != "actions" for part in parts[:-1] for b in part.blocks)


def test_an_empty_message_is_not_sent() -> None:
    assert slack_messages(Message(text="  \n")) == []


def test_many_sections_and_buttons_stay_within_fifty_blocks() -> None:
    sections = tuple(Section(f"Paire {n}", ("une ligne",), "note") for n in range(60))
    choices = tuple(Choice(str(n), f"Choix {n}") for n in range(60))
    message = Message(text="résumé", title="Digest", sections=sections, choices=choices)
    blocks = message_blocks(message)
    assert len(blocks) <= MAX_BLOCKS
    assert message_problems({"text": "résumé", "blocks": blocks}) == []
    # Every button is still there.
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 60


async def test_a_long_outbox_message_goes_in_parts_the_last_carrying_the_key(
    port: tuple[SlackChatPort, FakeSlack],
) -> None:
    chat, fake = port
    since = datetime.now(UTC)
    ts = await chat.post_to_channel({"channel": "C0OWNERS"}, Message(text=LONG), "long:1")
    assert len(fake.posted) == 3 and fake.posted[0]["ts"] == ts
    assert "".join(str(p["text"]) for p in fake.posted) == LONG
    assert [p["metadata"] is not None for p in fake.posted] == [False, False, True]
    found = await chat.find_sent(["long:1"], None, {"channel": "C0OWNERS"}, since)
    assert found == {"long:1": fake.posted[-1]["ts"]}


async def test_an_empty_outbox_message_fails_for_good_without_a_call(
    port: tuple[SlackChatPort, FakeSlack],
) -> None:
    chat, fake = port
    with pytest.raises(DeliveryError) as raised:
        await chat.post_to_channel({"channel": "C0OWNERS"}, Message(text=""), "empty:1")
    assert not raised.value.transient and fake.calls["chat.postMessage"] == 0
