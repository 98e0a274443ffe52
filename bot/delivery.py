"""The deliverer: sends what the outbox holds through the platform adapters, once each.

A batch of due messages is claimed under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so that replicas never take the same row) and the claim carries the deliverer's token. While
the batch goes out, a heartbeat renews the lease every third of it, so a short lease is safe
however long the batch takes; a renewal that finds rows taken over stops their sending.

Right before each send the row is marked *attempted* (many rows in one write), and the send
only goes ahead once that mark is stored. Outcomes are recorded a fraction of a second later,
in the background; when the database does not answer they are kept in memory and retried
until it does. So after a crash only rows marked and not recorded are in doubt: the next
deliverer looks them up, one history page per conversation, before sending anything again.
Rows claimed but never attempted are simply sent. Teams cannot read a conversation back: its
rows in doubt are sent again (at least once, never lost).

A follow-up row (``bot.follow_ups``: work a turn left for right after its reply) is not sent:
it is carried out in the claim's transaction, which marks it sent, and what it queued is
claimed next.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from bot.clock import Clock
from bot.delivery_record import OnChannelRefused, record_outcomes
from bot.delivery_support import (
    RETRY_FIRST_DELAY,
    RETRY_MAX_DELAY,
    AttemptMarks,
    DeliveryPolicy,
    Outcome,
    Pacer,
    Recorder,
    conversation_of,
    retry,
    unless_stopped,
)
from bot.domain import OutboxMessage, OutboxStatus, Person
from bot.follow_ups import is_follow_up
from bot.messages import Message
from bot.ports import ChatPort, DeliveryError, UnitOfWork, UnitOfWorkFactory

__all__ = ["Deliverer", "DeliveryPolicy"]
logger = logging.getLogger("tandem.delivery")
# Messages that tell people they were paused: the only ones sent during a pause.
REACHES_PAUSED = frozenset({"auto_paused"})
# A follow-up that fails (a bug, a database error) is tried again this much later, this often.
FOLLOW_UP_RETRY = timedelta(seconds=30)
FOLLOW_UP_ATTEMPTS = 5
FollowUpRunner = Callable[[UnitOfWork, OutboxMessage], Awaitable[None]]


@dataclass
class _Batch:
    messages: list[OutboxMessage] = field(default_factory=list)
    recipients: dict[int, Person] = field(default_factory=dict)
    # Rows whose send may have begun under an earlier holder: looked up before sending.
    in_doubt: set[int] = field(default_factory=set)
    # Follow-ups carried out by the claim: what they queued may be due now.
    followed_up: int = 0


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
        # Told when a channel refuses the bot's posts, in the transaction that records it.
        self.on_channel_refused: OnChannelRefused | None = None
        # Carries out a follow-up row in the claim's transaction (the engine's; bot.follow_ups).
        self.follow_ups: FollowUpRunner | None = None
        # Set when a turn deferred work: the idle deliverer looks again at once.
        self._wake = asyncio.Event()
        self.token = uuid4().hex
        self._pacers: MutableMapping[str, Pacer] = {}
        # Rows claimed and neither recorded nor handed back; those being sent right now; those
        # whose outcome waits to be recorded; those another deliverer took over.
        self._held: set[int] = set()
        self._in_flight: set[int] = set()
        self._lost: set[int] = set()
        # Rows claimed with no send begun by anyone, and not yet handed to the platform by us:
        # handed back, they carry no doubt (a mark that landed as we stopped is erased), so the
        # next holder sends them without reading the conversation's history first.
        self._never_sent: set[int] = set()
        # A claim whose answer never came may have taken rows: handed back at the next claim.
        self._claim_unanswered = False
        self._marks = AttemptMarks(self._mark_attempts)
        # One drain at a time: a second caller waits, then finds what is left.
        self._draining = asyncio.Lock()
        self._recorder = Recorder(self._write_outcomes, self.policy.record_interval)

    async def drain(self, max_batches: int = 10_000, stop: asyncio.Event | None = None) -> int:
        """Deliver until nothing is due now (the console and tests run this after each turn),
        or until ``stop`` is set: then the messages being sent finish, every outcome is
        recorded and what was not sent is handed back at once. Returns how many went out.

        The next batch is claimed while a batch is being sent, so the platform's budget is
        not left idle while the database works. A claimed batch never holds the next message
        of a person whose previous one is still being sent, so each conversation keeps its
        order.
        """
        async with self._draining:
            return await self._drain(max_batches, stop or asyncio.Event())

    async def _drain(self, max_batches: int, stop: asyncio.Event) -> int:
        total = 0
        heartbeat = asyncio.create_task(self._heartbeat())
        recording = asyncio.create_task(self._recorder.run())
        next_batch: asyncio.Task[_Batch] | None = None
        try:
            recorded_before = self._recorder.recorded
            batch = await self._claim()
            for _ in range(max_batches):
                if stop.is_set():
                    break
                if not batch.messages and batch.followed_up:
                    batch = await self._claim()
                    continue
                if not batch.messages:
                    # Recorded messages free their conversations: look once more if any were.
                    await self._recorder.flush(stop)
                    if self._recorder.recorded == recorded_before:
                        break
                    recorded_before = self._recorder.recorded
                    batch = await self._claim()
                    continue
                recorded_before = self._recorder.recorded
                next_batch = asyncio.create_task(self._claim())
                total += await self._send_claimed(batch, stop)
                batch = await next_batch
                next_batch = None
        except asyncio.CancelledError:
            # Cancelled (a server shutting down): settle up as a stopping deliverer does.
            stop = asyncio.Event()
            stop.set()
            raise
        finally:
            if next_batch is not None:
                # What it claimed must be known to be handed back.
                await asyncio.wait({next_batch})
                if not next_batch.cancelled() and next_batch.exception() is not None:
                    logger.warning("claiming the next batch failed: %r", next_batch.exception())
            heartbeat.cancel()
            try:
                await self.release_claims(stop)
            finally:
                recording.cancel()
        return total

    def wake(self) -> None:
        """Something is due now (a turn deferred work): an idle ``rest`` ends at once."""
        self._wake.set()

    async def rest(self, seconds: float, stop: asyncio.Event) -> None:
        """Wait ``seconds`` before looking again, less when woken or stopped."""
        woken = asyncio.ensure_future(self._wake.wait())
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({woken, stopped}, timeout=seconds, return_when="FIRST_COMPLETED")
        finally:
            woken.cancel()
            stopped.cancel()
        self._wake.clear()

    async def release_claims(self, stop: asyncio.Event | None = None) -> int:
        """Record every outcome known, then hand back at once every row this deliverer holds
        and has not sent (graceful shutdown), so that another deliverer sends them now rather
        than after the lease. Rows being sent at this moment are kept until their outcome.
        While the database is away this waits for it, giving up a few seconds after ``stop``
        is set (at once without one). Returns how many rows were handed back."""
        if stop is None:
            stop = asyncio.Event()
            stop.set()
        recorded = await self._recorder.flush(stop)
        unsent = self._held - self._in_flight - self._recorder.pending.keys() - self._lost
        self._held -= self._lost
        self._lost.clear()
        if not unsent:
            return 0
        if not recorded:
            # The database stayed away: their lease will hand them back.
            self._held -= unsent
            return 0
        released = 0

        async def hand_back() -> None:
            nonlocal released
            async with self.uow_factory() as uow:
                released = await uow.release_outbox_claims(
                    self.token, unsent, never_sent=unsent & self._never_sent
                )
                await uow.commit()

        if not await retry(hand_back, stop, "handing back claimed messages"):
            logger.error("could not hand back claimed messages; their lease will run out")
        self._held -= unsent
        self._never_sent &= self._held
        return released

    async def _claim(self) -> _Batch:
        now = self.clock.now()
        try:
            async with self.uow_factory() as uow:
                if self._claim_unanswered:
                    await uow.release_outbox_claims(self.token, keep=self._held)
                claimed = list(
                    await uow.claim_due_outbox(
                        now, now + self.policy.lease, self.policy.batch_size, self.token
                    )
                )
                person_ids = {m.person_id for m in claimed if m.person_id is not None}
                recipients = await uow.persons_by_id(person_ids)
                paused = await uow.paused_person_ids(person_ids)
                batch = _Batch(recipients=recipients)
                for message in claimed:
                    if is_follow_up(message):
                        batch.followed_up += await self._follow_up(uow, message, now)
                        continue
                    expired = message.expires_at is not None and message.expires_at <= now
                    if expired and message.attempted_at is None:
                        # Held too long (an outage, retries): a reminder of a session that
                        # has begun would only mislead.
                        message.status = OutboxStatus.SKIPPED
                        message.claimed_until = None
                        message.claim_token = None
                        continue
                    recipient = recipients.get(message.person_id or 0)
                    if recipient is not None and recipient.left_at is not None:
                        # Gone from the company: nothing more is sent to them, ever.
                        message.status = OutboxStatus.SKIPPED
                        message.claimed_until = None
                        message.claim_token = None
                        continue
                    if (
                        message.person_id is not None
                        and message.person_id in paused
                        and message.purpose not in REACHES_PAUSED
                    ):
                        # Nobody is written to during a pause; what was due is simply not sent.
                        message.status = OutboxStatus.SKIPPED
                        message.claimed_until = None
                        message.claim_token = None
                        continue
                    message.status = OutboxStatus.SENDING
                    batch.messages.append(message)
                    assert message.id is not None
                    if message.attempted_at is not None:
                        batch.in_doubt.add(message.id)
                    else:
                        self._never_sent.add(message.id)
                await uow.commit()
        except BaseException:
            self._claim_unanswered = True
            raise
        self._claim_unanswered = False
        self._held.update(m.id for m in batch.messages if m.id is not None)
        return batch

    async def _follow_up(self, uow: UnitOfWork, message: OutboxMessage, now: datetime) -> bool:
        """Carry out a follow-up row in the claim's transaction; True when it was."""
        message.claimed_until = None
        message.claim_token = None
        if self.follow_ups is None:
            return False  # a deliverer without an engine: left to one that has it
        try:
            async with uow.savepoint():
                await self.follow_ups(uow, message)
        except Exception as error:
            # That work alone is rolled back; the rest of the claim stands.
            logger.exception("follow-up failed", extra={"outbox_id": message.id})
            message.claimed_until = None
            message.claim_token = None
            message.attempts += 1
            message.last_error = repr(error)[:500]
            if message.attempts >= FOLLOW_UP_ATTEMPTS:
                message.status = OutboxStatus.FAILED
            else:
                message.status = OutboxStatus.PENDING
                message.not_before = now + FOLLOW_UP_RETRY * message.attempts
            return False
        message.status = OutboxStatus.SENT
        message.sent_at = now
        return True

    async def _heartbeat(self) -> None:
        """Renew the lease of every row held, every third of the lease (sooner after a
        failure); rows found taken over are not sent."""
        interval = self.policy.heartbeat_seconds
        while True:
            await asyncio.sleep(interval)
            held = set(self._held)
            if not held:
                continue
            try:
                async with self.uow_factory() as uow:
                    lease_until = self.clock.now() + self.policy.lease
                    renewed = await uow.renew_outbox_claims(held, self.token, lease_until)
                    await uow.commit()
            except Exception as error:
                logger.warning("could not renew the delivery lease: %r", error)
                interval = min(RETRY_MAX_DELAY, self.policy.heartbeat_seconds)
                continue
            interval = self.policy.heartbeat_seconds
            # Rows recorded meanwhile are no longer held by anyone: not lost.
            lost = (held - renewed) & self._held
            lost -= self._recorder.pending.keys()
            if lost:
                logger.warning("delivery lease lost", extra={"messages": len(lost)})
                self._lost |= lost

    async def _send_claimed(self, batch: _Batch, stop: asyncio.Event) -> int:
        groups: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in batch.messages:
            groups[conversation_of(message)].append(message)
        limit = asyncio.Semaphore(self.policy.concurrency)
        sent = await asyncio.gather(
            *(self._send_group(group, batch, stop, limit) for group in groups.values())
        )
        return sum(sent)

    async def _send_group(
        self,
        messages: list[OutboxMessage],
        batch: _Batch,
        stop: asyncio.Event,
        limit: asyncio.Semaphore,
    ) -> int:
        """One conversation's messages, in order; the first failure holds back the rest."""
        found: dict[str, str] = {}
        doubtful = [m for m in messages if m.id in batch.in_doubt]
        if doubtful:
            finished, result = await unless_stopped(self._look_up(doubtful, batch), stop)
            if not finished:
                return 0
            if isinstance(result, DeliveryError):
                self._record_failure(messages, doubtful[0], result)
                return 0
            found = result or {}
        sent = 0
        async with limit:
            for message in messages:
                assert message.id is not None
                if message.key in found:
                    self._recorder.add({message.id: Outcome(found[message.key], at=self._now())})
                    sent += 1
                    continue
                if stop.is_set() or message.id in self._lost:
                    break
                recipient = batch.recipients.get(message.person_id or 0)
                outcome = await self._attempt(message, recipient, stop)
                if outcome is None:
                    break
                if outcome.error is not None:
                    self._record_failure(messages, message, outcome.error)
                    break
                self._recorder.add({message.id: outcome})
                sent += 1
        return sent

    def _record_failure(
        self, messages: list[OutboxMessage], failed: OutboxMessage, error: DeliveryError
    ) -> None:
        """The failed message waits for its retry, and the conversation's later ones after it."""
        assert failed.id is not None
        outcomes = {failed.id: Outcome(error=error)}
        for message in messages[messages.index(failed) + 1 :]:
            assert message.id is not None
            outcomes[message.id] = Outcome(released=True)
        self._recorder.add(outcomes)

    async def _look_up(
        self, doubtful: list[OutboxMessage], batch: _Batch
    ) -> dict[str, str] | DeliveryError:
        """key -> platform id of the doubtful messages already in the conversation, or the
        DeliveryError that kept us from knowing."""
        first = doubtful[0]
        port = self.ports.get(first.platform)
        recipient = batch.recipients.get(first.person_id or 0)
        if port is None or (first.channel is None and recipient is None):
            return {}  # sending fails for good anyway
        since = min(m.attempted_at or m.created_at for m in doubtful) - self.policy.lookup_margin
        try:
            return await port.find_sent([m.key for m in doubtful], recipient, first.channel, since)
        except DeliveryError as error:
            error.maybe_sent = True
            return error
        except Exception as error:
            logger.warning("history lookup failed: %r", error)
            return DeliveryError(repr(error), transient=True, maybe_sent=True)

    async def _attempt(
        self, message: OutboxMessage, recipient: Person | None, stop: asyncio.Event
    ) -> Outcome | None:
        """Send one message; None when it was not tried (stopping, or no longer ours)."""
        assert message.id is not None
        port = self.ports.get(message.platform)
        if port is None:
            return Outcome(
                error=DeliveryError(f"no adapter for {message.platform}", transient=False)
            )
        if message.channel is None and recipient is None:
            return Outcome(error=DeliveryError("recipient no longer exists", transient=False))
        pacer = self._pacer(port)
        if pacer is not None:
            paced, _ = await unless_stopped(pacer.wait(conversation_of(message)), stop)
            if not paced:
                return None
        self._in_flight.add(message.id)
        try:
            marking = asyncio.get_running_loop().time()
            if not await self._begin_attempt(message.id, stop):
                return None
            if pacer is not None and pacer.stale(marking):
                # The mark waited for the database: sends released together would be a burst
                # the platform answers with 429s, so take the overall budget's pace again.
                repaced, _ = await unless_stopped(pacer.overall.acquire(), stop)
                if not repaced:
                    return None
            self._never_sent.discard(message.id)
            return await self._send(port, message, recipient)
        finally:
            self._in_flight.discard(message.id)

    async def _begin_attempt(self, message_id: int, stop: asyncio.Event) -> bool:
        """Store that a send begins; while the database is away, wait for it (nothing is sent
        without its mark). False when the row was taken over, or on stop."""
        delay = RETRY_FIRST_DELAY
        while message_id not in self._lost:
            try:
                finished, marked = await unless_stopped(self._marks.mark(message_id), stop)
                if not finished:
                    return False  # a mark may still land: the row then stays in doubt
                if marked:
                    return True
                self._lost.add(message_id)
                return False
            except Exception:
                finished, _ = await unless_stopped(asyncio.sleep(delay), stop)
                if not finished:
                    return False
                delay = min(delay * 2, RETRY_MAX_DELAY)
        return False

    async def _mark_attempts(self, message_ids: list[int]) -> set[int]:
        now = self._now()
        async with self.uow_factory() as uow:
            marked = await uow.mark_outbox_attempts(
                message_ids, self.token, now, now + self.policy.lease
            )
            await uow.commit()
        return marked

    async def _send(
        self, port: ChatPort, message: OutboxMessage, recipient: Person | None
    ) -> Outcome:
        try:
            payload = Message.from_payload(message.payload)
            async with asyncio.timeout(self.policy.send_timeout):
                if message.channel is not None:
                    platform_id = await port.post_to_channel(message.channel, payload, message.key)
                else:
                    assert recipient is not None
                    platform_id = await port.send_to_person(recipient, payload, message.key)
            return Outcome(platform_id=platform_id, at=self._now())
        except DeliveryError as error:
            pacer = self._pacer(port)
            if error.retry_after is not None and pacer is not None:
                pacer.back_off(error.retry_after)
            return Outcome(error=error)
        except Exception as error:  # a network fault, a timeout, an adapter bug: never dropped
            logger.exception("delivery crashed", extra={"outbox_id": message.id})
            return Outcome(error=DeliveryError(repr(error), transient=True, maybe_sent=True))

    def _pacer(self, port: ChatPort) -> Pacer | None:
        if port.pace is None:
            return None
        if port.platform not in self._pacers:
            self._pacers[port.platform] = Pacer.for_pace(port.pace)
        return self._pacers[port.platform]

    def _now(self) -> datetime:
        return self.clock.now()

    async def _write_outcomes(self, outcomes: dict[int, Outcome]) -> None:
        async with self.uow_factory() as uow:
            await record_outcomes(
                uow,
                outcomes,
                self.token,
                self.policy,
                self._now(),
                self.on_unreachable,
                self.on_channel_refused,
            )
            await uow.commit()
        self._held -= outcomes.keys()
        self._never_sent -= outcomes.keys()
