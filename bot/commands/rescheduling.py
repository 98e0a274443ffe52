"""``/session move DATE TIME`` and ``/session cancel``: the pair's next planned session changed
or called off for both, its calendar event updated (SEQUENCE bumped) or cancelled."""

from __future__ import annotations

import dataclasses

from bot.calendar.known import session_interval
from bot.commands.grammar import Command
from bot.commands.lookup import active_pair_of_speaker, partner_enrollment_id
from bot.commands.planning import (
    calendar_for,
    invitation,
    pair_people,
    refuse_unfit,
    session_event,
    typed_slot,
)
from bot.domain import Pair, PlannedSession
from bot.errors import UserError
from bot.messages import Attachment
from bot.turn import Turn


async def move(turn: Turn, command: Command) -> None:
    enrollment, pair = await active_pair_of_speaker(turn)
    planned = await _next_planned(turn, pair)
    slot, typed, anyway = await typed_slot(turn, pair, command.args, "errors.move_usage")
    people = await pair_people(turn, enrollment, pair)
    # The session being moved does not stand in its own way.
    current = session_interval(planned)
    await refuse_unfit(turn, pair, people, slot, anyway=anyway, typed=typed, ignoring=current)
    if slot.start == planned.starts_at:
        raise UserError("errors.move_same_time", starts_at=slot.start, zone=_zone(turn))
    was = planned.starts_at
    planned.starts_at = slot.start
    planned.minutes = int((slot.end - slot.start).total_seconds() // 60)
    planned.sequence += 1
    planned.moved_at = turn.now
    turn.audit("session.moved", program_id=pair.program_id, subject=f"pair:{pair.id}")
    event = await session_event(turn, planned, pair)
    booking = await calendar_for(turn).update_event(planned.calendar_event_id or event.uid, event)
    planned.calendar_event_id = booking.event_id
    planned.meeting_link = booking.meeting_link or planned.meeting_link
    assert enrollment.id is not None
    partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
    theirs = None
    if partner is not None:
        theirs = await invitation(turn, event, booking.invitation_for(partner), partner)
        await turn.notify(
            partner,
            "sessions.partner_moved",
            key=f"session_moved:{planned.id}:{planned.sequence}:{partner.id}",
            purpose="session_moved",
            partner=turn.person.display_name,
            was=was,
            starts_at=slot.start,
            zone=turn.timezone_of(partner),
            link=planned.meeting_link,
            # A connected calendar moved the event itself: no file to open then.
            by_file=theirs is not None,
            attachment=theirs,
        )
    await turn.say(
        "sessions.moved",
        was=was,
        starts_at=slot.start,
        zone=_zone(turn),
        link=planned.meeting_link,
        partner_by_file=theirs is not None,
    )
    mine = booking.invitation_for(turn.person)
    await _attach(turn, await invitation(turn, event, mine, turn.person))


async def cancel(turn: Turn, command: Command) -> None:
    if command.args:
        raise UserError("errors.cancel_usage")
    enrollment, pair = await active_pair_of_speaker(turn)
    planned = await _next_planned(turn, pair)
    call_off(turn, pair, planned)
    planned.sequence += 1
    turn.audit("session.cancelled", program_id=pair.program_id, subject=f"pair:{pair.id}")
    event = await session_event(turn, planned, pair)
    booking = await calendar_for(turn).cancel_event(planned.calendar_event_id or event.uid, event)
    assert enrollment.id is not None
    partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
    if partner is not None:
        theirs = await invitation(
            turn, event, booking.invitation_for(partner), partner, cancelled=True
        )
        await turn.notify(
            partner,
            "sessions.partner_called_off",
            key=f"session_called_off:{planned.id}:{partner.id}",
            purpose="session_cancelled",
            partner=turn.person.display_name,
            starts_at=planned.starts_at,
            zone=turn.timezone_of(partner),
            by_file=theirs is not None,
            attachment=theirs,
        )
    mine = await invitation(
        turn, event, booking.invitation_for(turn.person), turn.person, cancelled=True
    )
    await turn.say(
        "sessions.called_off",
        starts_at=planned.starts_at,
        zone=_zone(turn),
        by_file=mine is not None,
    )
    await _attach(turn, mine)


def call_off(turn: Turn, pair: Pair, planned: PlannedSession) -> None:
    """A planned session that will not take place, counted for the pair: two in a row, with
    no session held between them, put the pair on the owners' attention list."""
    planned.cancelled = True
    planned.outcome = "cancelled"
    planned.cancelled_at = turn.now
    pair.cancelled_in_a_row += 1


async def _next_planned(turn: Turn, pair: Pair) -> PlannedSession:
    assert pair.id is not None
    upcoming = await turn.uow.planned_sessions(pair.id, turn.now)
    if not upcoming:
        raise UserError("errors.nothing_planned")
    return upcoming[0]


async def _attach(turn: Turn, file: Attachment | None) -> None:
    if file is not None:
        turn.replies[-1] = dataclasses.replace(turn.replies[-1], attachment=file)


def _zone(turn: Turn) -> str:
    return turn.timezone_of(turn.person)
