"""A deliverer killed in the middle of a fan-out: after a restart, every message arrives once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import OutboxStatus
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.conftest_helpers import fan_out
from tests.fakes.slack_api import TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
FAN_OUT = 1000


@pytest.fixture
async def slow_slack() -> AsyncIterator[FakeSlack]:
    # Slow enough that the kill lands in the middle of the fan-out.
    fake = FakeSlack(rate_per_second=400, burst=40)
    await fake.start()
    yield fake
    await fake.stop()


async def start_deliverer(database_url: str, fake: FakeSlack) -> asyncio.subprocess.Process:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "not-used-here",
        "SLACK_API_URL": fake.url,
        "SLACK_MESSAGES_PER_SECOND": "300",
        "SLACK_BURST": "20",
        "TANDEM_DELIVERY_LEASE_SECONDS": "2",
        "TANDEM_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "deliver",
        "--until-empty",
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_kill_and_restart_in_the_middle_of_a_fan_out(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, slow_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, FAN_OUT, datetime.now(UTC))

    first = await start_deliverer(migrated_url, slow_slack)
    async with asyncio.timeout(60):
        await slow_slack.when_posted(FAN_OUT // 3).wait()
    first.send_signal(signal.SIGKILL)
    await first.wait()
    sent_before_the_crash = len(slow_slack.posted)
    assert sent_before_the_crash < FAN_OUT, "the kill came too late to test anything"

    second = await start_deliverer(migrated_url, slow_slack)
    async with asyncio.timeout(120):
        _, errors = await second.communicate()
    assert second.returncode == 0, errors.decode()[-2000:]

    assert slow_slack.keys_posted() == {key: 1 for key in keys}
    # The batch the first deliverer held was in doubt: each of its rows was looked up in the
    # conversation's history before anything was sent again.
    assert slow_slack.calls["conversations.history"] > 0
    async with uow_factory() as uow:
        assert await uow.outbox_outstanding() == 0
        person = await uow.person_by_identity("slack", "T1", "U00000")
        assert person is not None and person.id is not None
        (message,) = await uow.outbox_of(person.id)
        assert message.status == OutboxStatus.SENT and message.platform_message_id
