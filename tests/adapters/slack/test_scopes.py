"""Every Web API call the app makes is allowed by the scopes its manifest asks for: the fake
Slack refuses a call whose scope is missing, like Slack, and fails the test."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.port import SlackChatPort
from bot.messages import Chart, Message, Series
from bot.ports import Pace
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.fakes.slack_scopes import manifest_scopes

CHART = Chart(title="Sessions", labels=("W1", "W2"), series=(Series("sessions", (1.0, 2.0)),))


async def _port(fake: FakeSlack) -> SlackChatPort:
    await fake.start()
    return SlackChatPort(AsyncWebClient(token=TOKEN, base_url=fake.url), Pace(100, 10, 100))


async def test_crash_recovery_reads_a_private_digest_channel() -> None:
    fake = FakeSlack(private_channels={"C0PRIVATE"})
    port = await _port(fake)
    since = datetime.now(UTC)
    await port.post_to_channel({"channel": "C0PRIVATE"}, Message(text="digest"), "digest:1")
    found = await port.find_sent(["digest:1"], None, {"channel": "C0PRIVATE"}, since)
    assert list(found) == ["digest:1"]
    await fake.stop()


async def test_the_digest_chart_upload_is_allowed_by_the_manifest() -> None:
    fake = FakeSlack()
    port = await _port(fake)
    chart = CHART
    await port.post_to_channel({"channel": "C0OWNERS"}, Message(text="d", chart=chart), "d:1")
    assert len(fake.shared_files) == 1
    await fake.stop()


async def test_a_call_without_its_scope_fails_the_test() -> None:
    fake = FakeSlack(scopes=manifest_scopes() - {"files:write"})
    port = await _port(fake)
    chart = CHART
    # The app only logs a failed upload; the fake still says what Slack refused.
    await port.post_to_channel({"channel": "C0OWNERS"}, Message(text="d", chart=chart), "d:1")
    assert fake.shared_files == []
    with pytest.raises(AssertionError, match=r"files\.getUploadURLExternal needs files:write"):
        await fake.stop()
