"""Work a turn leaves for right after its reply: what does not change the speaker's answer.

The quiz after a logged session, what those who came to a workshop get once the host logged
attendance, a workshop's announcement to everyone invited: none of it changes what the speaker
is answered, and it can cost more than the rest of the turn (a quiz picked and rendered, an
announcement rendered once per person invited). The turn records it with ``defer`` as one
outbox row of purpose ``follow_up``, in the turn's transaction, and answers at once.

The deliverer carries the row out when it claims it (``Deliverer._claim``), in the claim's
transaction: the messages the work queues and the row marked sent commit together. A process
killed between the turn and the follow-up leaves the row pending, and whoever claims it next
does the work; once it committed, it is never done again (and the work keys its own messages,
so even a second run would queue nothing twice). The serving process wakes its deliverer when
a turn deferred something, so the person gets the quiz within the second.

The work runs as a turn of the same speaker that cannot reply any more (``Turn.speaking`` is
False): what it has for the speaker goes through the outbox, at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import Clock
from bot.domain import OutboxMessage
from bot.events import EventKind, InboundEvent, Sender
from bot.i18n import Renderer
from bot.ports import UnitOfWork
from bot.turn import EngineConfig, Turn

logger = logging.getLogger("tandem.follow_ups")

FOLLOW_UP = "follow_up"
# The kinds of work (their handlers: ``bot.routes.FOLLOW_UP_HANDLERS``).
SESSION_QUIZ = "session_quiz"
WORKSHOP_ATTENDED = "workshop_attended"
WORKSHOP_ANNOUNCED = "workshop_announced"
# A planned session declined or deleted in a calendar (``bot.scheduling.calendar_answers``).
SESSION_DECLINED = "session_declined"
# An occurrence of a pair's regular slot to book (``bot.scheduling.regular_slots``).
REGULAR_SLOT = "regular_slot"
# kind -> the work, given the follow-up turn and the arguments ``defer`` stored.
FollowUpHandler = Callable[[Turn, dict[str, Any]], Awaitable[None]]


async def defer(turn: Turn, kind: str, key: str, **arguments: Any) -> bool:
    """Have ``kind``'s handler run right after this turn, with ``arguments`` (JSON values).
    ``key`` names this piece of work: deferring the same key twice runs it once."""
    added = await turn.uow.enqueue(
        OutboxMessage(
            key=f"{FOLLOW_UP}:{kind}:{key}",
            purpose=FOLLOW_UP,
            platform=turn.person.platform,
            payload={"kind": kind, "speaker": turn.person_id, "arguments": arguments},
            created_at=turn.now,
            not_before=turn.now,
        )
    )
    turn.deferred += int(added)
    return added


def is_follow_up(message: OutboxMessage) -> bool:
    return message.purpose == FOLLOW_UP


class FollowUps:
    """Carries out follow-up rows in the transaction of the caller (the deliverer's claim)."""

    def __init__(
        self,
        clock: Clock,
        renderer: Renderer,
        config: EngineConfig,
        handlers: dict[str, FollowUpHandler],
    ) -> None:
        self.clock = clock
        self.renderer = renderer
        self.config = config
        self.handlers = handlers

    async def __call__(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        payload = message.payload
        handler = self.handlers.get(str(payload.get("kind")))
        speaker = await uow.person(int(payload.get("speaker") or 0))
        if handler is None or speaker is None:
            # A kind a later release dropped, or a speaker forgotten since: nothing to do.
            logger.warning(
                "follow-up dropped", extra={"kind": payload.get("kind"), "outbox_id": message.id}
            )
            return
        event = InboundEvent(
            kind=EventKind.COMMAND,
            sender=Sender(speaker.platform, speaker.workspace, speaker.user_id),
        )
        turn = Turn(uow, self.clock, self.renderer, self.config, event, speaker, speaking=False)
        await handler(turn, dict(payload.get("arguments") or {}))
        await uow.flush()
