"""Follow-ups in the deliverer (bot.follow_ups): carried out when claimed, what they queue sent
in the same delivery round; one whose work fails waits for its retry without holding back the
messages claimed with it, and its work is never half done."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.port import SlackChatPort
from bot.clock import VirtualClock
from bot.delivery import FOLLOW_UP_RETRY, Deliverer
from bot.domain import OutboxMessage, OutboxStatus, Person
from bot.events import EventKind, InboundEvent, Sender
from bot.follow_ups import FOLLOW_UP
from bot.main import build_runtime
from bot.messages import Message
from bot.ports import Pace, UnitOfWork
from bot.settings import Settings
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.conftest_helpers import fan_out
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.pairs import seed_pair

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


class FlakyWork:
    """Queues a message to a person; fails (after writing) the first ``failures`` times."""

    def __init__(self, person: Person, failures: int) -> None:
        self.person = person
        self.failures = failures
        self.runs = 0

    async def __call__(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        self.runs += 1
        await uow.enqueue(
            OutboxMessage(
                key=f"quiz-like:{message.id}",
                purpose="quiz",
                platform="slack",
                person_id=self.person.id,
                payload=Message(text="Quiz 1/3").to_payload(),
                created_at=NOW,
                not_before=NOW,
            )
        )
        await uow.flush()
        if self.runs <= self.failures:
            raise RuntimeError("the work broke halfway")


async def test_a_failing_follow_up_waits_for_its_retry_and_holds_nothing_back(
    uow_factory: SqlUnitOfWorkFactory, fake_slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 5, NOW)
    async with uow_factory() as uow:
        person = await uow.person(1)
        assert person is not None
        await uow.enqueue(
            OutboxMessage(
                key="follow_up:test:1",
                purpose=FOLLOW_UP,
                platform="slack",
                payload={"kind": "test", "speaker": person.id, "arguments": {}},
                created_at=NOW,
                not_before=NOW,
            )
        )
        await uow.commit()
    clock = VirtualClock(NOW)
    pace = Pace(per_second=2000, burst=200, per_conversation_per_second=1000)
    worker = Deliverer(
        uow_factory,
        clock,
        {"slack": SlackChatPort(AsyncWebClient(token=TOKEN, base_url=fake_slack.url), pace)},
    )
    work = FlakyWork(person, failures=1)
    worker.follow_ups = work

    assert await worker.drain() == 5
    # The others went out; the broken work left nothing behind and waits for its retry.
    assert fake_slack.keys_posted() == {key: 1 for key in keys}
    async with uow_factory() as uow:
        queued = [m.key for m in await uow.outbox_of(person.id)]
        follow_up = next(m for m in await _all(uow) if m.purpose == FOLLOW_UP)
        waiting = (follow_up.id, follow_up.status, follow_up.attempts, follow_up.claim_token)
    assert not any(key.startswith("quiz-like") for key in queued)
    assert waiting[1:] == (OutboxStatus.PENDING, 1, None)
    assert await worker.drain() == 0 and work.runs == 1

    clock.advance(FOLLOW_UP_RETRY)
    # Carried out, and what it queued is sent in the same round.
    assert await worker.drain() == 1
    assert fake_slack.keys_posted()[f"quiz-like:{waiting[0]}"] == 1
    clock.advance(FOLLOW_UP_RETRY * 10)
    assert await worker.drain() == 0 and work.runs == 2


async def _all(uow: UnitOfWork) -> list[OutboxMessage]:
    return [m for m in (await uow.outbox_messages(range(1, 100))).values()]


async def test_a_turn_that_defers_work_wakes_the_resting_deliverer(migrated_url: str) -> None:
    runtime = await build_runtime(Settings(database_url=migrated_url), migrate=False)
    try:
        await seed_pair(
            runtime, platform="slack", workspace="T1", mentor=("U1", "Mira"), mentee=("U2", "Theo")
        )
        mira = Sender("slack", "T1", "U1", "Mira")
        stop = asyncio.Event()
        resting = asyncio.create_task(runtime.deliverer.rest(30, stop))
        await asyncio.sleep(0.05)
        assert not resting.done()
        # A turn that defers nothing leaves it resting.
        await runtime.engine.handle(
            InboundEvent(
                EventKind.COMMAND, Sender("slack", "T1", "U1", "Mira"), text="/tandem help"
            )
        )
        await asyncio.sleep(0.05)
        assert not resting.done()
        await runtime.engine.handle(
            InboundEvent(
                EventKind.COMMAND,
                mira,
                text='/session log 45m "Negotiation: anchoring"',
            )
        )
        async with asyncio.timeout(2):
            await resting
    finally:
        await runtime.close()
