"""The deliverer against a local fake of Slack's Web API: once each, never lost, paced."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.port import SlackChatPort
from bot.clock import SystemClock, VirtualClock
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


async def conversations(
    uow_factory: SqlUnitOfWorkFactory, people: int, messages_each: int
) -> list[Person]:
    """``people`` people with ``messages_each`` kickoff messages each, in order."""
    async with uow_factory() as uow:
        persons = [Person("slack", "T1", f"U{n}", f"Person {n}", NOW) for n in range(people)]
        for person in persons:
            uow.add(person)
        await uow.flush()
        await uow.enqueue_many(
            [
                OutboxMessage(
                    key=f"kickoff:{person.user_id}:{step}",
                    purpose="kickoff",
                    platform="slack",
                    person_id=person.id,
                    payload=Message(text=f"{person.user_id} step {step}").to_payload(),
                    created_at=NOW,
                    not_before=NOW,
                )
                for person in persons
                for step in range(messages_each)
            ]
        )
        await uow.commit()
    return persons


async def test_after_a_crash_only_sends_that_may_have_begun_are_looked_up(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    people = await conversations(uow_factory, 4, 5)
    # A deliverer claims all 20, marks the first three of each of two people as begun, gets
    # two of each to Slack, and dies before recording anything.
    async with uow_factory() as uow:
        claimed = await uow.claim_due_outbox(NOW, NOW + timedelta(seconds=30), 100, "doomed")
        begun = [m for m in claimed if m.key.split(":")[2] in ("0", "1", "2")]
        begun = [m for m in begun if m.key.split(":")[1] in ("U0", "U1")]
        for message in claimed:
            message.status = OutboxStatus.SENDING
        await uow.commit()
    async with uow_factory() as uow:
        ids = [m.id for m in begun if m.id is not None]
        assert await uow.mark_outbox_attempts(ids, "doomed", NOW, NOW + timedelta(seconds=30))
        await uow.commit()
    port = slack_port(fake_slack)
    by_id = {p.id: p for p in people}
    for message in begun:
        if not message.key.endswith(":2"):
            recipient = by_id[message.person_id]
            await port.send_to_person(recipient, Message.from_payload(message.payload), message.key)

    # After the lease, another deliverer takes over: one history page for each of the two
    # conversations in doubt, none for the two whose messages were never tried.
    clock = VirtualClock(NOW + timedelta(seconds=31))
    assert await deliverer(uow_factory, fake_slack, clock).drain() == 20
    assert fake_slack.keys_posted() == {m.key: 1 for m in claimed}
    history = fake_slack.calls_to("conversations.history")
    assert sorted(call["channel"] for call in history) == ["D-U0", "D-U1"]
    assert all(float(call["oldest"]) <= NOW.timestamp() for call in history)
    for person in people:
        texts = [m["text"] for m in fake_slack.posted if m["channel"] == f"D-{person.user_id}"]
        assert texts == [f"{person.user_id} step {step}" for step in range(5)]


async def test_a_deliverer_whose_claim_was_taken_over_sends_none_of_it(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 10, NOW)
    clock = VirtualClock(NOW)
    frozen = deliverer(uow_factory, fake_slack, clock)
    batch = await frozen._claim()
    # It froze past its lease; another deliverer took the rows and sent them.
    clock.advance(timedelta(minutes=1))
    assert await deliverer(uow_factory, fake_slack, clock).drain() == 10
    # Waking up, it finds at its first mark that the rows are no longer its own.
    assert await frozen._send_claimed(batch, asyncio.Event()) == 0
    assert fake_slack.keys_posted() == {key: 1 for key in keys}
    assert fake_slack.calls["conversations.history"] == 0


async def test_the_lease_is_renewed_while_a_long_batch_goes_out(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    await conversations(uow_factory, 1, 6)
    # One conversation at 4 messages a second takes about 1.3 s; the lease is 0.6 s.
    pace = Pace(per_second=100, burst=1, per_conversation_per_second=4)
    policy = DeliveryPolicy(lease=timedelta(seconds=0.6))
    first = Deliverer(uow_factory, SystemClock(), {"slack": slack_port(fake_slack, pace)}, policy)
    second = Deliverer(uow_factory, SystemClock(), {"slack": slack_port(fake_slack)}, policy)

    async def keep_trying() -> int:
        taken = 0
        while len(fake_slack.posted) < 6:
            taken += await second.drain()
            await asyncio.sleep(0.05)
        return taken

    sent_by_first, sent_by_second = await asyncio.gather(first.drain(), keep_trying())
    assert (sent_by_first, sent_by_second) == (6, 0)
    assert [m["text"] for m in fake_slack.posted] == [f"U0 step {n}" for n in range(6)]


async def test_release_hands_back_at_once_what_was_claimed_and_not_sent(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 30, NOW)
    stop = asyncio.Event()
    slow = Pace(per_second=10, burst=1, per_conversation_per_second=10)
    worker = Deliverer(uow_factory, VirtualClock(NOW), {"slack": slack_port(fake_slack, slow)})
    draining = asyncio.create_task(worker.drain(stop=stop))
    await fake_slack.wait_for("chat.postMessage", 5)
    stop.set()
    sent = await asyncio.wait_for(draining, 2)
    assert 5 <= sent < 30
    async with uow_factory() as uow:
        assert await uow.outbox_outstanding() == 30 - sent
    # Another deliverer at the same instant (no lease to wait for) sends the rest, once.
    assert await deliverer(uow_factory, fake_slack, VirtualClock(NOW)).drain() == 30 - sent
    assert fake_slack.keys_posted() == {key: 1 for key in keys}


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


async def test_history_is_read_one_page_at_a_time_from_the_oldest_send_in_doubt(
    fake_slack: FakeSlack,
) -> None:
    port = slack_port(fake_slack)
    since = datetime.now(UTC) - timedelta(seconds=1)
    for n in range(450):
        await port.post_to_channel({"channel": "C1"}, Message(text=f"n{n}"), f"digest:{n}")
    keys = ["digest:0", "digest:449", "never"]
    found = await port.find_sent(keys, None, {"channel": "C1"}, since)
    assert set(found) == {"digest:0", "digest:449"}
    # 450 messages since the window opened: three pages of 200, each from ``oldest`` on.
    pages = fake_slack.calls_to("conversations.history")
    assert len(pages) == 3
    assert {page["oldest"] for page in pages} == {f"{since.timestamp():.6f}"}
    # A window that opens after the messages finds nothing, in one page.
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert await port.find_sent(["digest:0"], None, {"channel": "C1"}, later) == {}
    assert len(fake_slack.calls_to("conversations.history")) == 4


async def test_history_lookups_stay_under_slacks_tier_3_limit() -> None:
    fake = FakeSlack(history_per_minute=31)
    await fake.start()
    try:
        port = SlackChatPort(AsyncWebClient(token=TOKEN, base_url=fake.url), FAST, 30)
        started = time.monotonic()
        since = datetime.now(UTC)
        for n in range(31):
            await port.find_sent(["k"], None, {"channel": f"C{n}"}, since)
        # A minute's allowance goes at once, then one call every two seconds.
        assert time.monotonic() - started >= 1.5
    finally:
        await fake.stop()
    assert fake.rejected[429] == 0
    assert fake.calls["conversations.history"] == 31


async def test_a_reminder_held_past_its_session_is_skipped_not_sent(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    async with uow_factory() as uow:
        person = Person("slack", "T1", "U00001", "Ana", NOW)
        uow.add(person)
        await uow.flush()
        assert person.id is not None
        for key, starts_at in (
            ("late", NOW - timedelta(minutes=1)),
            ("on_time", NOW + timedelta(hours=1)),
        ):
            uow.add(
                OutboxMessage(
                    key=f"session_reminder:{key}",
                    purpose="session_reminder",
                    platform="slack",
                    person_id=person.id,
                    payload=Message(text=f"Reminder ({key})").to_payload(),
                    created_at=NOW - timedelta(hours=13),
                    # Due since last night; a platform outage held it until now.
                    not_before=NOW - timedelta(hours=12),
                    expires_at=starts_at,
                )
            )
        await uow.commit()
    sent = await deliverer(uow_factory, fake_slack, VirtualClock(NOW)).drain()
    assert sent == 1
    assert fake_slack.keys_posted() == {"session_reminder:on_time": 1}
    assert sorted(await statuses(uow_factory, person.id)) == ["sent", "skipped"]
