"""A planned session declined by the partner, or deleted by the organiser, in their calendar
(found by ``bot.scheduling.calendar_answers``): called off and counted as a cancellation, the
organiser's event removed when it is still there, and both told, each in their language and
time zone, with three new slots to book in one click (the buttons of ``/session plan``).

It runs as a follow-up turn of the organiser's, which cannot reply: everything goes through
the outbox.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.planning import CHOICE_PREFIX, calendar_for, free_slots, session_event
from bot.commands.rescheduling import call_off
from bot.domain import PairStatus, Person
from bot.turn import Turn


async def after_declined(turn: Turn, arguments: dict[str, Any]) -> None:
    """``planned_id``; ``gone``: the event was deleted; ``declined``: the addresses of the
    attendees who declined it."""
    planned = await turn.uow.planned_session(int(arguments.get("planned_id") or 0))
    if planned is None or planned.cancelled or planned.starts_at <= turn.now:
        # Cancelled or moved into the past from chat meanwhile: nothing left to do.
        return
    pair = await turn.uow.pair(planned.pair_id)
    if pair is None or pair.id is None or pair.status != PairStatus.ACTIVE:
        return
    members = [
        person
        for person in [
            await turn.person_of(pair.mentor_enrollment_id),
            await turn.person_of(pair.mentee_enrollment_id),
        ]
        if person is not None
    ]
    gone = bool(arguments.get("gone"))
    declined = {str(address).lower() for address in arguments.get("declined") or ()}
    decliner = next((p for p in members if p.email and p.email.lower() in declined), None)
    if not gone and decliner is None:
        # Someone outside the pair (a forwarded invitation) declined: the session stands.
        return
    call_off(turn, pair, planned)
    planned.sequence += 1
    turn.audit("session.declined", program_id=pair.program_id, subject=f"pair:{pair.id}")
    if not gone and planned.calendar_event_id:
        # The organiser's event would stay in their calendar for a session that is off.
        event = await session_event(turn, planned, pair)
        await calendar_for(turn).cancel_event(planned.calendar_event_id, event)
    await turn.uow.flush()
    people = [turn.person] + [p for p in members if p.id != turn.person_id]
    slots = await free_slots(turn, pair, people)
    last_planned = max(
        (p.id or 0 for p in await turn.uow.planned_sessions(pair.id, turn.now)), default=0
    )
    for person in members:
        zone = ZoneInfo(turn.timezone_of(person))
        choices = tuple(
            [
                await turn.choice(
                    "sessions.slot_label",
                    f"{CHOICE_PREFIX}:{pair.id}:{int(slot.start.timestamp())}:{last_planned}",
                    person,
                    local=slot.start.astimezone(zone),
                    zone=str(zone),
                )
                for slot in slots
            ]
        )
        await turn.notify(
            person,
            "sessions.calendar_declined",
            key=f"session_declined:{planned.id}:{person.id}",
            purpose="session_declined",
            choices=choices,
            gone=gone,
            me=_same(person, decliner if not gone else turn.person),
            who=decliner.display_name if decliner is not None else "",
            organiser=turn.person.display_name,
            starts_at=planned.starts_at,
            zone=str(zone),
            slots=[slot.start for slot in slots],
        )


def _same(person: Person, other: Person | None) -> bool:
    return other is not None and person.id == other.id
