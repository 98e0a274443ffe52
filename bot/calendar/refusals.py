"""The owners told, once, whose calendar a connector could not read or write, and how to fix it.

Once per program, person, connector and reason: the outbox's key makes a second notice (the
next proposal, the partner's move) a no-op, so a calendar that stays refused does not flood
the owners; a new reason is news and is told.
"""

from __future__ import annotations

from bot.calendar.connected import OnRefused
from bot.calendar.mailbox import Refusal
from bot.domain import Person
from bot.turn import Turn


def owners_told(turn: Turn, connector: str) -> OnRefused:
    async def tell(person: Person, refusal: Refusal) -> None:
        assert person.id is not None
        for enrollment in await turn.uow.enrollments_of_person(person.id):
            program = await turn.uow.program(enrollment.program_id)
            if program is None or program.id is None:
                continue
            await turn.notify_owners(
                program,
                "calendar.refused_owner",
                key=f"calendar_refused:{program.id}:{person.id}:{connector}:{refusal.value}",
                purpose="calendar_refused",
                person=person.display_name,
                connector=connector,
                reason=refusal.value,
                program_name=program.name,
            )

    return tell
