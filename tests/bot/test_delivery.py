"""The deliverer against a local fake of Slack's Web API: once each, never lost, paced."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.port import SlackChatPort
from bot.clock import VirtualClock
from bot.delivery import Deliverer, DeliveryPolicy
from bot.domain import OutboxMessage, OutboxStatus, Person
from bot.messages import Message
from bot.ports import Pace
from storage.database import create_engine
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.conftest_helpers import fan_out
from tests.fakes.slack_api import TOKEN, FakeSlack

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
FAST = Pace(per_second=2000, burst=200, per_conversation_per_second=1000)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


def slack_port(fake: FakeSlack, pace: Pace = FAST) -> SlackChatPort:
    return SlackChatPort(AsyncWebClient(token=TOKEN, base_url=fake.url), pace)


def deliverer(
    uow_factory: SqlUnitOfWorkFactory, fake: FakeSlack, clock: VirtualClock, **policy: object
) -> Deliverer:
    return Deliverer(
        uow_factory,
        clock,
        {"slack": slack_port(fake)},
        DeliveryPolicy(**policy),  # type: ignore[arg-type]
    )


async def statuses(uow_factory: SqlUnitOfWorkFactory, person_id: int) -> list[str]:
    async with uow_factory() as uow:
        return [m.status.value for m in await uow.outbox_of(person_id)]


async def test_every_message_goes_out_once_with_its_key(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 120, NOW)
    sent = await deliverer(uow_factory, fake_slack, VirtualClock(NOW)).drain()
    assert sent == 120
    assert fake_slack.keys_posted() == {key: 1 for key in keys}
    # A second pass finds nothing left to send.
    assert await deliverer(uow_factory, fake_slack, VirtualClock(NOW)).drain() == 0
    assert fake_slack.calls["chat.postMessage"] == 120


async def test_429_and_5xx_delay_messages_without_losing_or_doubling_them(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 30, NOW)
    fake_slack.fail_next(429, 500, 502, 503, 429, 504)
    clock = VirtualClock(NOW)
    worker = deliverer(uow_factory, fake_slack, clock)
    first = await worker.drain()
    assert first < 30  # the failed ones wait for their backoff
    for _ in range(10):
        clock.advance(timedelta(minutes=5))
        await worker.drain()
    assert fake_slack.keys_posted() == {key: 1 for key in keys}
    assert sum(fake_slack.rejected.values()) == 6


async def test_a_person_who_cannot_be_reached_is_marked_and_not_retried(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    await fan_out(uow_factory, 3, NOW)
    fake_slack.unreachable_users.add("U00001")
    clock = VirtualClock(NOW)
    worker = deliverer(uow_factory, fake_slack, clock)
    assert await worker.drain() == 2
    clock.advance(timedelta(hours=2))
    assert await worker.drain() == 0
    async with uow_factory() as uow:
        person = await uow.person_by_identity("slack", "T1", "U00001")
        assert person is not None and person.unreachable and person.id is not None
        (message,) = await uow.outbox_of(person.id)
        assert (
            message.status == OutboxStatus.FAILED and message.last_error == "slack user_not_found"
        )


async def test_a_send_left_in_doubt_by_a_crash_is_checked_before_resending(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 10, NOW)
    # A deliverer claims the batch, gets half of it to Slack, and dies before recording anything.
    clock = VirtualClock(NOW)
    doomed = deliverer(uow_factory, fake_slack, clock)
    claimed, recipients, _ = await doomed._claim()
    port = slack_port(fake_slack)
    for message in claimed[:5]:
        await port.send_to_person(
            recipients[message.person_id or 0], _message(message.payload), message.key
        )
    # After the lease, another deliverer takes over: it sends the other half only.
    clock.advance(timedelta(minutes=3))
    assert await deliverer(uow_factory, fake_slack, clock).drain() == 10
    assert fake_slack.keys_posted() == {key: 1 for key in keys}
    assert fake_slack.calls["conversations.history"] == 10


def _message(payload: dict[str, object]) -> object:
    from bot.messages import Message

    return Message.from_payload(payload)  # type: ignore[arg-type]


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_two_deliverers_racing_on_one_outbox_send_each_message_once(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 600, NOW)
    other_engine = SqlUnitOfWorkFactory(create_engine(migrated_url))
    try:
        first = deliverer(uow_factory, fake_slack, VirtualClock(NOW), batch_size=25)
        second = deliverer(other_engine, fake_slack, VirtualClock(NOW), batch_size=25)
        sent = await asyncio.gather(first.drain(), second.drain())
    finally:
        await other_engine.engine.dispose()
    assert sum(sent) == 600
    assert min(sent) > 0, "both deliverers should have taken a share"
    assert fake_slack.keys_posted() == {key: 1 for key in keys}


async def test_pacing_stays_under_the_platform_limit(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    fake = FakeSlack(rate_per_second=400, burst=40, per_channel_per_second=1)
    await fake.start()
    try:
        keys = await fan_out(uow_factory, 300, NOW)
        pace = Pace(per_second=380, burst=5, per_conversation_per_second=1)
        clock = VirtualClock(NOW)
        worker = Deliverer(uow_factory, clock, {"slack": slack_port(fake, pace)})
        await worker.drain()
        for _ in range(5):  # whatever a 429 delayed comes due again
            clock.advance(timedelta(minutes=5))
            await worker.drain()
    finally:
        await fake.stop()
    assert fake.keys_posted() == {key: 1 for key in keys}
    # Unpaced, this fan-out meets a 429 for most of its messages; paced, hardly ever (a
    # loaded machine can still bunch a few requests together).
    assert fake.rejected[429] <= 9


async def test_one_conversation_keeps_its_order_across_overlapping_batches(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    async with uow_factory() as uow:
        person = Person("slack", "T1", "U1", "Ana", NOW)
        uow.add(person)
        await uow.flush()
        assert person.id is not None
        await uow.enqueue_many(
            [
                OutboxMessage(
                    key=f"kickoff:{step}",
                    purpose="kickoff",
                    platform="slack",
                    person_id=person.id,
                    payload=Message(text=f"step {step}").to_payload(),
                    created_at=NOW,
                    not_before=NOW,
                )
                for step in range(1, 6)
            ]
        )
        await uow.commit()
    worker = deliverer(uow_factory, fake_slack, VirtualClock(NOW), batch_size=1)
    assert await worker.drain() == 5
    assert [m["text"] for m in fake_slack.posted] == [f"step {n}" for n in range(1, 6)]


def test_backoff_never_comes_before_retry_after_and_is_spread() -> None:
    policy = DeliveryPolicy()
    rng = random.Random(3)
    after_429 = [policy.backoff(1, 2.0, rng) for _ in range(50)]
    assert all(timedelta(seconds=2) <= wait <= timedelta(seconds=2.5) for wait in after_429)
    assert len(set(after_429)) > 40
    third = [policy.backoff(3, None, rng) for _ in range(50)]
    assert all(timedelta(seconds=20) <= wait <= timedelta(seconds=25) for wait in third)
    assert policy.backoff(30, None, rng) <= policy.max_backoff * 1.25
