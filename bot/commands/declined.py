"""A planned session declined by the partner, or deleted by the organiser, in their calendar
(found by ``bot.scheduling.calendar_answers``): called off and counted as a cancellation, the
organiser's event removed when it is still there, and both told, each in their language and
time zone, with three new slots to book in one click (the buttons of ``/session plan``).

It runs as a follow-up turn of the organiser's, which cannot reply: everything goes through
the outbox.
"""

from __future__ import annotations

from typing import Any

from bot.commands.planning import calendar_for, session_event
from bot.commands.rescheduling import call_off
from bot.commands.slot_offers import offer_slots
from bot.domain import PairStatus
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
    await offer_slots(
        turn,
        pair,
        members,
        "sessions.calendar_declined",
        key=f"session_declined:{planned.id}",
        purpose="session_declined",
        gone=gone,
        declined_by=decliner.id if decliner is not None else None,
        who=decliner.display_name if decliner is not None else "",
        organiser=turn.person.display_name,
        organiser_id=turn.person_id,
        starts_at=planned.starts_at,
    )
