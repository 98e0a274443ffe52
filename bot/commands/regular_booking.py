"""An occurrence of a pair's regular slot, due a week ahead (``bot.scheduling.regular_slots``):
booked for both in their calendars when it suits both (working days and hours, both calendars'
free/busy, the pair's other sessions), else both offered three other times.

It runs as a follow-up turn of whoever set the slot, the organiser: it cannot reply, so both
are told through the outbox, each in their language and time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.calendar.slots import Interval, unfit_for
from bot.commands.planning import (
    availabilities,
    calendar_for,
    invitation,
    session_event,
    session_minutes,
)
from bot.commands.slot_offers import offer_slots
from bot.domain import PairStatus, Person, PlannedSession
from bot.scheduling.assessments import program_end
from bot.turn import Turn


async def book_occurrence(turn: Turn, arguments: dict[str, Any]) -> None:
    """``pair_id``, ``starts_at`` (Unix seconds)."""
    pair = await turn.uow.pair(int(arguments.get("pair_id") or 0))
    starts_at = datetime.fromtimestamp(int(arguments.get("starts_at") or 0), UTC)
    if (
        pair is None
        or pair.id is None
        or pair.status != PairStatus.ACTIVE
        or pair.regular_slot is None
        or starts_at <= turn.now
    ):
        # Stopped, ended or past meanwhile: nothing to book.
        return
    program = await turn.uow.program(pair.program_id)
    if program is None or starts_at.date() > program_end(program):
        return
    members = [
        person
        for person in [
            await turn.person_of(pair.mentor_enrollment_id),
            await turn.person_of(pair.mentee_enrollment_id),
        ]
        if person is not None
    ]
    slot = Interval(starts_at, starts_at + timedelta(minutes=await session_minutes(turn, pair)))
    people = [turn.person] + [p for p in members if p.id != turn.person_id]
    seen = await availabilities(turn, pair, people, slot)
    for person, availability in zip(people, seen, strict=True):
        unfit = unfit_for(availability, slot)
        if unfit is not None:
            await offer_slots(
                turn,
                pair,
                members,
                "sessions.regular_conflict",
                key=f"regular_conflict:{pair.id}:{int(starts_at.timestamp())}",
                purpose="regular_slot",
                wanted=starts_at,
                who=person.display_name,
                who_id=person.id,
                reason=unfit.value,
            )
            return
    await _book(turn, pair.id, members, slot)


async def _book(turn: Turn, pair_id: int, members: list[Person], slot: Interval) -> None:
    pair = await turn.uow.pair(pair_id)
    assert pair is not None
    planned = PlannedSession(
        pair_id=pair_id,
        planned_by=turn.person_id,
        starts_at=slot.start,
        created_at=turn.now,
        minutes=int((slot.end - slot.start).total_seconds() // 60),
    )
    turn.uow.add(planned)
    await turn.uow.flush()
    turn.audit("session.planned", program_id=pair.program_id, subject=f"pair:{pair_id}")
    event = await session_event(turn, planned, pair)
    booking = await calendar_for(turn).create_event(event)
    planned.calendar_event_id = booking.event_id
    planned.meeting_link = booking.meeting_link
    for person in members:
        file = await invitation(turn, event, booking.invitation_for(person), person)
        await turn.notify(
            person,
            "sessions.regular_booked",
            key=f"regular_booked:{planned.id}:{person.id}",
            purpose="session_planned",
            starts_at=slot.start,
            zone=turn.timezone_of(person),
            link=booking.meeting_link,
            by_file=file is not None,
            attachment=file,
        )
