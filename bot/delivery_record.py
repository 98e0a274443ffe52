"""Writing a deliverer's outcomes: what was sent, what failed and when to retry it.

Rows are locked while their outcomes are written. A send that reached the platform is recorded
whoever holds the row now (it is the truth); anything else only while this deliverer still
holds the row, since a row taken over is its new holder's to decide.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.delivery_support import DeliveryPolicy, Outcome, conversation_of
from bot.domain import OutboxMessage, OutboxStatus, Person
from bot.ports import DeliveryError, UnitOfWork

logger = logging.getLogger("tandem.delivery")
OnUnreachable = Callable[[Any, Person, datetime], Awaitable[None]]
OnChannelRefused = Callable[[Any, OutboxMessage, datetime], Awaitable[None]]


async def record_outcomes(
    uow: UnitOfWork,
    outcomes: dict[int, Outcome],
    token: str,
    policy: DeliveryPolicy,
    now: datetime,
    on_unreachable: OnUnreachable | None,
    on_channel_refused: OnChannelRefused | None = None,
) -> None:
    retry_at: dict[str, datetime] = {}
    rows = await uow.outbox_messages_locked(outcomes)
    for message_id in sorted(outcomes):
        outcome = outcomes[message_id]
        stored = rows.get(message_id)
        if stored is None:
            continue
        if outcome.platform_id is not None:
            if stored.status != OutboxStatus.SENT:
                stored.status = OutboxStatus.SENT
                stored.platform_message_id = outcome.platform_id
                stored.sent_at = outcome.at or now
                stored.attempts += 1
            stored.claimed_until = None
            stored.claim_token = None
            continue
        if stored.claim_token != token or stored.status != OutboxStatus.SENDING:
            continue
        stored.claimed_until = None
        stored.claim_token = None
        if outcome.released:
            # Keeps the conversation's order: it follows the message that failed.
            stored.status = OutboxStatus.PENDING
            conversation = conversation_of(stored)
            stored.not_before = max(stored.not_before, retry_at.get(conversation, now))
        elif outcome.error is not None:
            await _failed(uow, stored, outcome.error, policy, now, on_unreachable)
            if outcome.error.channel_refused and on_channel_refused is not None:
                await on_channel_refused(uow, stored, now)
            retry_at[conversation_of(stored)] = stored.not_before


async def _failed(
    uow: UnitOfWork,
    stored: OutboxMessage,
    error: DeliveryError,
    policy: DeliveryPolicy,
    now: datetime,
    on_unreachable: OnUnreachable | None,
) -> None:
    stored.attempts += 1
    stored.last_error = error.reason[:500]
    if not error.maybe_sent:
        # The platform refused it: nothing to look up before the next try.
        stored.attempted_at = None
    if error.unreachable and stored.person_id is not None:
        person = await uow.person(stored.person_id)
        if person is not None and not person.unreachable:
            person.unreachable = True
            if on_unreachable is not None:
                await on_unreachable(uow, person, now)
    if not error.transient or stored.attempts >= policy.max_attempts:
        stored.status = OutboxStatus.FAILED
    else:
        stored.status = OutboxStatus.PENDING
        stored.not_before = now + policy.backoff(stored.attempts, error.retry_after)
    logger.warning(
        "delivery failed",
        extra={
            "outbox_id": stored.id,
            "transient": error.transient,
            "reason": error.reason[:200],
            "attempts": stored.attempts,
        },
    )
