"""The deliverer: sends what the outbox holds through the platform adapters, once each.

A message is claimed (a lease, and ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so that replicas
never take the same row), sent outside any transaction, then marked sent with the platform's id.
A crash between send and mark can at worst resend after the lease expires; it never drops.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.domain import OutboxMessage, OutboxStatus, Person
from bot.messages import Message
from bot.ports import ChatPort, DeliveryError, UnitOfWorkFactory

logger = logging.getLogger("tandem.delivery")


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=2)
    max_attempts: int = 8
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(hours=1)

    def backoff(self, attempts: int, retry_after: float | None) -> timedelta:
        if retry_after is not None:
            return timedelta(seconds=retry_after)
        doubled: timedelta = self.first_backoff * (2 ** max(attempts - 1, 0))
        return min(doubled, self.max_backoff)


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

    async def deliver_due(self) -> int:
        """Send one batch of due messages; returns how many went out."""
        now = self.clock.now()
        async with self.uow_factory() as uow:
            claimed = list(
                await uow.claim_due_outbox(now, now + self.policy.lease, self.policy.batch_size)
            )
            recipients: dict[int, Person | None] = {}
            for message in claimed:
                if message.person_id is not None and message.person_id not in recipients:
                    recipients[message.person_id] = await uow.person(message.person_id)
            await uow.commit()
        sent = 0
        for message in claimed:
            recipient = recipients.get(message.person_id) if message.person_id else None
            if await self._send(message, recipient):
                sent += 1
        return sent

    async def drain(self, max_batches: int = 1000) -> int:
        """Deliver until nothing is due now (the console and tests run this after each turn)."""
        total = 0
        for _ in range(max_batches):
            sent = await self.deliver_due()
            total += sent
            if sent == 0:
                break
        return total

    async def _send(self, message: OutboxMessage, recipient: Person | None) -> bool:
        port = self.ports.get(message.platform)
        assert message.id is not None
        try:
            if port is None:
                raise DeliveryError(f"no adapter for {message.platform}", transient=False)
            payload = Message.from_payload(message.payload)
            if message.channel is not None:
                platform_id = await port.post_to_channel(message.channel, payload)
            elif recipient is not None:
                platform_id = await port.send_to_person(recipient, payload)
            else:
                raise DeliveryError("recipient no longer exists", transient=False)
        except DeliveryError as error:
            await self._record_failure(message.id, error)
            return False
        except Exception as error:  # an adapter bug or a network fault: retry, never drop
            logger.exception("delivery crashed", extra={"outbox_id": message.id})
            await self._record_failure(message.id, DeliveryError(repr(error), transient=True))
            return False
        async with self.uow_factory() as uow:
            stored = await uow.outbox_message(message.id)
            if stored is not None:
                stored.status = OutboxStatus.SENT
                stored.platform_message_id = platform_id
                stored.sent_at = self.clock.now()
                stored.attempts += 1
                stored.claimed_until = None
            await uow.commit()
        return True

    async def _record_failure(self, message_id: int, error: DeliveryError) -> None:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            stored = await uow.outbox_message(message_id)
            if stored is None:
                return
            stored.attempts += 1
            stored.last_error = error.reason[:500]
            stored.claimed_until = None
            if error.unreachable and stored.person_id is not None:
                person = await uow.person(stored.person_id)
                if person is not None:
                    person.unreachable = True
            if not error.transient or stored.attempts >= self.policy.max_attempts:
                stored.status = OutboxStatus.FAILED
            else:
                stored.not_before = now + self.policy.backoff(stored.attempts, error.retry_after)
            await uow.commit()
        logger.warning(
            "delivery failed",
            extra={"outbox_id": message_id, "transient": error.transient, "reason": error.reason},
        )
