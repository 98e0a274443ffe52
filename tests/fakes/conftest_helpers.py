"""Filling an outbox the way a fan-out does: many people, one message each."""

from __future__ import annotations

from datetime import datetime

from bot.domain import OutboxMessage, Person
from bot.messages import Choice, Message
from storage.unit_of_work import SqlUnitOfWorkFactory


async def fan_out(
    uow_factory: SqlUnitOfWorkFactory,
    count: int,
    now: datetime,
    platform: str = "slack",
    messages_each: int = 1,
) -> list[str]:
    """``count`` people on ``platform``, ``messages_each`` check-ins each in the outbox (in
    order, periods 1, 2…); returns the keys."""
    async with uow_factory() as uow:
        people = [
            Person(platform, "T1", f"U{index:05d}", f"Person {index}", now)
            for index in range(count)
        ]
        for person in people:
            uow.add(person)
        await uow.flush()
        messages = [
            OutboxMessage(
                key=f"checkin:{person.id}:{period}",
                purpose="checkin",
                platform=platform,
                person_id=person.id,
                payload=Message(
                    text=f"How do you feel, {person.display_name}? ({period})",
                    choices=(Choice("conv:1:mood:4", "4"),),
                ).to_payload(),
                created_at=now,
                not_before=now,
            )
            for person in people
            for period in range(1, messages_each + 1)
        ]
        keys = await uow.enqueue_many(messages)
        await uow.commit()
    return sorted(keys)
