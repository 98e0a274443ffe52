"""The deliverer: sends what the outbox holds through the platform adapters, once each.

A batch of due messages is claimed (a lease, and ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
that replicas never take the same row) and marked *sending*; then it is sent outside any
transaction, paced below the platform's limits, one conversation's messages in order; then the
outcomes are recorded. A deliverer that dies between sending and recording leaves rows in
*sending*: once their lease expires, the next deliverer asks the platform whether each one
arrived (by its key) before sending it again, so a crash neither drops nor doubles a message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiolimiter import AsyncLimiter

from bot.clock import Clock
from bot.domain import OutboxMessage, OutboxStatus, Person
from bot.messages import Message
from bot.ports import ChatPort, DeliveryError, Pace, UnitOfWorkFactory

logger = logging.getLogger("tandem.delivery")


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int = 200
    lease: timedelta = timedelta(minutes=2)
    max_attempts: int = 8
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(hours=1)
    concurrency: int = 32

    # Up to this fraction is added at random to each wait, so that messages that failed
    # together (a rate limit, an outage) do not all come back at the same instant.
    jitter: float = 0.25

    def backoff(
        self, attempts: int, retry_after: float | None, rng: random.Random | None = None
    ) -> timedelta:
        """Exponential from ``first_backoff``, or the platform's ``Retry-After`` (never less)."""
        if retry_after is not None:
            wait = timedelta(seconds=retry_after)
        else:
            wait = min(self.first_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return wait * (1 + (rng or random).uniform(0, self.jitter))


@dataclass
class _Outcome:
    platform_id: str | None = None
    error: DeliveryError | None = None
    # Not tried in this round (an earlier message to the same conversation failed).
    released: bool = False


@dataclass
class _Pacer:
    """Leaky buckets per platform and per conversation, and a pause after a 429."""

    pace: Pace
    overall: AsyncLimiter
    conversations: dict[str, AsyncLimiter] = field(default_factory=dict)
    paused_until: float = 0.0

    @classmethod
    def for_pace(cls, pace: Pace) -> _Pacer:
        # The bucket holds the platform's burst, but refills at least every 50 ms: shorter
        # periods make asyncio's timers, not the rate, the limit.
        capacity = max(1.0, min(float(pace.burst), pace.per_second), pace.per_second * 0.05)
        return cls(pace, AsyncLimiter(capacity, capacity / pace.per_second))

    async def wait(self, conversation: str) -> None:
        delay = self.paused_until - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
        limiter = self.conversations.get(conversation)
        if limiter is None:
            limiter = self.conversations[conversation] = AsyncLimiter(
                1, 1 / self.pace.per_conversation_per_second
            )
        await limiter.acquire()
        await self.overall.acquire()

    def back_off(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self.paused_until = max(self.paused_until, loop.time() + seconds)


class Deliverer:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        ports: Mapping[str, ChatPort],
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.ports = ports
        self.policy = policy or DeliveryPolicy()
        # Told when someone turns out to be unreachable, in the transaction that records it.
        self.on_unreachable: Callable[[Any, Person, datetime], Awaitable[None]] | None = None
        self._pacers: MutableMapping[str, _Pacer] = {}

    async def deliver_due(self) -> int:
        """Send one batch of due messages; returns how many went out."""
        outcomes = await self._send_batch()
        if outcomes is None:
            return 0
        await self._record(outcomes)
        return _sent(outcomes)

    async def drain(self, max_batches: int = 10_000) -> int:
        """Deliver until nothing is due now (the console and tests run this after each turn).

        The next batch is claimed, and the last one recorded, while a batch is being sent, so
        the platform's budget is not left idle while the database works. A claimed batch never
        holds the next message of a person whose previous one is still being sent, so each
        conversation keeps its order.
        """
        total = 0
        recording: asyncio.Task[None] | None = None
        batch = await self._claim()
        try:
            for _ in range(max_batches):
                if not batch[0]:
                    if recording is None:
                        break
                    # Recorded messages free their conversations: look once more.
                    await recording
                    recording = None
                    batch = await self._claim()
                    continue
                next_batch = asyncio.create_task(self._claim())
                outcomes = await self._send_claimed(*batch)
                if recording is not None:
                    await recording
                recording = asyncio.create_task(self._record(outcomes))
                total += _sent(outcomes)
                batch = await next_batch
        finally:
            if recording is not None:
                await recording
            if batch[0]:
                await self._release(batch[0])
        return total

    async def _release(self, claimed: list[OutboxMessage]) -> None:
        """Hand back a batch claimed but not sent, so that it goes out at once next time."""
        async with self.uow_factory() as uow:
            rows = await uow.outbox_messages(m.id for m in claimed if m.id is not None)
            for message in rows.values():
                if message.status == OutboxStatus.SENDING:
                    message.status = OutboxStatus.PENDING
                    message.claimed_until = None
            await uow.commit()

    async def _send_batch(self) -> dict[int, _Outcome] | None:
        claimed, recipients, in_doubt = await self._claim()
        if not claimed:
            return None
        return await self._send_claimed(claimed, recipients, in_doubt)

    async def _send_claimed(
        self, claimed: list[OutboxMessage], recipients: dict[int, Person], in_doubt: set[int]
    ) -> dict[int, _Outcome]:
        groups: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in claimed:
            groups[_conversation_of(message)].append(message)
        outcomes: dict[int, _Outcome] = {}
        limit = asyncio.Semaphore(self.policy.concurrency)

        async def send_group(messages: list[OutboxMessage]) -> None:
            async with limit:
                failed = False
                for message in messages:
                    assert message.id is not None
                    if failed:
                        outcomes[message.id] = _Outcome(released=True)
                        continue
                    recipient = recipients.get(message.person_id) if message.person_id else None
                    outcome = await self._send(message, recipient, message.id in in_doubt)
                    outcomes[message.id] = outcome
                    failed = outcome.error is not None

        await asyncio.gather(*(send_group(group) for group in groups.values()))
        return outcomes

    async def _claim(self) -> tuple[list[OutboxMessage], dict[int, Person], set[int]]:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            claimed = list(
                await uow.claim_due_outbox(now, now + self.policy.lease, self.policy.batch_size)
            )
            person_ids = {m.person_id for m in claimed if m.person_id is not None}
            recipients = await uow.persons_by_id(person_ids)
            paused = await uow.paused_person_ids(person_ids)
            in_doubt = {m.id for m in claimed if m.status == OutboxStatus.SENDING and m.id}
            to_send = []
            for message in claimed:
                if message.person_id is not None and message.person_id in paused:
                    # Nobody is written to during a pause; what was due is simply not sent.
                    message.status = OutboxStatus.SKIPPED
                    message.claimed_until = None
                    continue
                message.status = OutboxStatus.SENDING
                to_send.append(message)
            await uow.commit()
        return to_send, recipients, in_doubt

    async def _send(
        self, message: OutboxMessage, recipient: Person | None, in_doubt: bool
    ) -> _Outcome:
        port = self.ports.get(message.platform)
        try:
            if port is None:
                raise DeliveryError(f"no adapter for {message.platform}", transient=False)
            if message.channel is None and recipient is None:
                raise DeliveryError("recipient no longer exists", transient=False)
            if in_doubt:
                already = await port.find_sent(message.key, recipient, message.channel)
                if already is not None:
                    return _Outcome(platform_id=already)
            pacer = self._pacer(port)
            if pacer is not None:
                await pacer.wait(_conversation_of(message))
            payload = Message.from_payload(message.payload)
            if message.channel is not None:
                platform_id = await port.post_to_channel(message.channel, payload, message.key)
            else:
                assert recipient is not None
                platform_id = await port.send_to_person(recipient, payload, message.key)
            return _Outcome(platform_id=platform_id)
        except DeliveryError as error:
            if error.retry_after is not None and port is not None:
                pacer = self._pacer(port)
                if pacer is not None:
                    pacer.back_off(error.retry_after)
            return _Outcome(error=error)
        except Exception as error:  # an adapter bug or a network fault: retry, never drop
            logger.exception("delivery crashed", extra={"outbox_id": message.id})
            return _Outcome(error=DeliveryError(repr(error), transient=True))

    def _pacer(self, port: ChatPort) -> _Pacer | None:
        if port.pace is None:
            return None
        if port.platform not in self._pacers:
            self._pacers[port.platform] = _Pacer.for_pace(port.pace)
        return self._pacers[port.platform]

    async def _record(self, outcomes: dict[int, _Outcome]) -> None:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            retry_at: dict[str, datetime] = {}
            rows = await uow.outbox_messages(outcomes)
            for message_id in sorted(outcomes):
                outcome = outcomes[message_id]
                stored = rows.get(message_id)
                if stored is None:
                    continue
                stored.claimed_until = None
                if outcome.platform_id is not None:
                    stored.status = OutboxStatus.SENT
                    stored.platform_message_id = outcome.platform_id
                    stored.sent_at = now
                    stored.attempts += 1
                elif outcome.released:
                    # Keeps the conversation's order: it follows the message that failed.
                    stored.status = OutboxStatus.PENDING
                    conversation = _conversation_of(stored)
                    stored.not_before = max(stored.not_before, retry_at.get(conversation, now))
                elif outcome.error is not None:
                    await self._failed(uow, stored, outcome.error, now)
                    retry_at[_conversation_of(stored)] = stored.not_before
            await uow.commit()

    async def _failed(
        self, uow: Any, stored: OutboxMessage, error: DeliveryError, now: datetime
    ) -> None:
        stored.attempts += 1
        stored.last_error = error.reason[:500]
        if error.unreachable and stored.person_id is not None:
            person = await uow.person(stored.person_id)
            if person is not None and not person.unreachable:
                person.unreachable = True
                if self.on_unreachable is not None:
                    await self.on_unreachable(uow, person, now)
        if not error.transient or stored.attempts >= self.policy.max_attempts:
            stored.status = OutboxStatus.FAILED
        else:
            stored.status = OutboxStatus.PENDING
            stored.not_before = now + self.policy.backoff(stored.attempts, error.retry_after)
        logger.warning(
            "delivery failed",
            extra={
                "outbox_id": stored.id,
                "transient": error.transient,
                "reason": error.reason[:200],
                "attempts": stored.attempts,
            },
        )


def _sent(outcomes: dict[int, _Outcome]) -> int:
    return sum(1 for outcome in outcomes.values() if outcome.platform_id is not None)


def _conversation_of(message: OutboxMessage) -> str:
    if message.channel is not None:
        return "channel:" + json.dumps(message.channel, sort_keys=True)
    return f"person:{message.person_id}"
