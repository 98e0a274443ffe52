"""``/session plan``: three free slots proposed as buttons, or a date and time given; the
booking (a planned session and its calendar event for both) behind either."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.calendar.connected import ConnectedCalendar
from bot.calendar.ics import IcsCalendar
from bot.calendar.invitation import MEDIA_TYPE, session_uid
from bot.calendar.port import CalendarPort, SessionEvent
from bot.calendar.refusals import owners_told
from bot.calendar.slots import (
    HORIZON,
    PROPOSALS,
    Availability,
    Interval,
    Unfit,
    propose,
    unfit_for,
)
from bot.commands.grammar import Command
from bot.commands.lookup import active_pair_of_speaker, partner_enrollment_id
from bot.commands.values import parse_planned_day, parse_time
from bot.domain import Enrollment, Pair, Person, PlannedSession
from bot.errors import UserError
from bot.guides.command import show_with_plan
from bot.messages import Attachment
from bot.scheduling.assessments import program_end
from bot.scheduling.settings import ScheduleSettings
from bot.scheduling.working_hours import WorkingHours
from bot.turn import Turn

CHOICE_PREFIX = "slot"
# Typed after the time, to plan outside someone's working hours on purpose (an evening
# session): "/session plan 2026-11-20 20:00 anyway".
ANYWAY = ("anyway", "quand-même", "quand-meme", "quandmême")
ANYWAY_TWO_WORDS = ("quand", "même")


def calendar_for(turn: Turn) -> CalendarPort:
    """The calendar of this turn: the configured connector (Graph, Google) with the .ics
    fallback, or Tandem's own knowledge and .ics files alone."""
    fallback = IcsCalendar(turn.uow, turn.clock)
    connector = turn.config.calendar
    if connector is None:
        return fallback
    return ConnectedCalendar(connector, fallback, owners_told(turn, connector.name))


async def plan(turn: Turn, command: Command) -> None:
    enrollment, pair = await active_pair_of_speaker(turn)
    if not command.args:
        await propose_slots(turn, enrollment, pair)
        return
    slot, typed, anyway = await typed_slot(turn, pair, command.args, "errors.plan_usage")
    people = await pair_people(turn, enrollment, pair)
    await refuse_unfit(turn, pair, people, slot, anyway=anyway, typed=typed)
    await book(turn, enrollment, pair, slot)


async def typed_slot(
    turn: Turn, pair: Pair, words: tuple[str, ...], usage: str
) -> tuple[Interval, str, bool]:
    """``DATE TIME [anyway]`` on the speaker's clock, to come and within the program, for the
    pair's session length; with the words as typed and whether "anyway" was said."""
    args, anyway = _without_anyway(words)
    if not 2 <= len(args) <= 5:
        raise UserError(usage)
    typed = " ".join(args)
    # The time comes last; before it, the day, in one word or several (28 novembre 2026).
    day_text, time_text = " ".join(args[:-1]), args[-1]
    zone = ZoneInfo(turn.timezone_of(turn.person))
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    span = (program.starts_on, program_end(program))
    day = parse_planned_day(day_text, turn.today_for(turn.person), span)
    at = parse_time(time_text)
    starts_at = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    if starts_at <= turn.now:
        raise UserError("errors.plan_in_past", value=typed)
    minutes = await session_minutes(turn, pair)
    return Interval(starts_at, starts_at + timedelta(minutes=minutes)), typed, anyway


def _without_anyway(args: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    lowered = [a.lower() for a in args]
    if lowered and lowered[-1] in ANYWAY:
        return args[:-1], True
    if tuple(lowered[-2:]) == ANYWAY_TWO_WORDS:
        return args[:-2], True
    return args, False


async def session_minutes(turn: Turn, pair: Pair) -> int:
    """The charter's length when the pair agreed one, else the program's."""
    assert pair.id is not None
    charter = await turn.uow.charter_of(pair.id)
    if charter is not None and charter.minutes:
        return charter.minutes
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    return program.session_minutes


async def pair_people(turn: Turn, enrollment: Enrollment, pair: Pair) -> list[Person]:
    """The speaker first (slots are laid on their clock), then their partner if any."""
    assert enrollment.id is not None
    partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
    return [turn.person] + ([partner] if partner is not None else [])


async def availabilities(
    turn: Turn,
    pair: Pair,
    people: list[Person],
    window: Interval,
    ignoring: Interval | None = None,
) -> list[Availability]:
    """Each person's clock, working week (without the program's public holidays and closures)
    and busy times, but ``ignoring`` (a session being moved)."""
    program = await turn.uow.program(pair.program_id)
    days_off = ScheduleSettings.for_program(program).days_off if program is not None else None
    busy = await calendar_for(turn).free_busy(people, window)
    return [
        Availability(
            zone=ZoneInfo(turn.timezone_of(person)),
            hours=WorkingHours.of(person, days_off),
            busy=tuple(b for b in busy.get(person.id or 0, ()) if b != ignoring),
        )
        for person in people
    ]


async def refuse_unfit(
    turn: Turn,
    pair: Pair,
    people: list[Person],
    slot: Interval,
    *,
    anyway: bool,
    typed: str,
    ignoring: Interval | None = None,
    verb: str = "plan",
) -> None:
    """A clash with a session or workshop is always refused; a time outside someone's working
    hours or on their day off unless asked for ``anyway``. The refusal names free times."""
    seen_all = await availabilities(turn, pair, people, slot, ignoring)
    for person, seen in zip(people, seen_all, strict=True):
        unfit = unfit_for(seen, slot)
        if unfit is None or (anyway and unfit is not Unfit.BUSY):
            continue
        raise UserError(
            "errors.plan_unfit",
            value=typed,
            verb=verb,
            reason=unfit.value,
            who=person.display_name,
            me=person.id == turn.person_id,
            hours=WorkingHours.from_overrides(person.working_hours),
            zone=turn.timezone_of(person),
            own_zone=turn.timezone_of(turn.person),
            free=[free.start for free in await free_slots(turn, pair, people, ignoring)],
            # Busy may then come from their own calendar, not only from Tandem's sessions.
            calendar=turn.config.calendar is not None,
        )


async def free_slots(
    turn: Turn,
    pair: Pair,
    people: list[Person],
    ignoring: Interval | None = None,
    *,
    count: int = PROPOSALS,
) -> list[Interval]:
    """The proposals for the pair: over the next two weeks, within the program's days, one a
    day, up to ``count`` days."""
    minutes = await session_minutes(turn, pair)
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    zone = ZoneInfo(turn.timezone_of(turn.person))
    starts = datetime.combine(program.starts_on, time(0), tzinfo=zone)
    # Up to the end of the program's last day, on the speaker's clock.
    until = datetime.combine(program_end(program) + timedelta(days=1), time(0), tzinfo=zone)
    now = max(turn.now, starts.astimezone(UTC))
    window = Interval(now, now + HORIZON + timedelta(days=1))
    seen = await availabilities(turn, pair, people, window, ignoring)
    return propose(seen, timedelta(minutes=minutes), now, count=count, until=until)


async def propose_slots(turn: Turn, enrollment: Enrollment, pair: Pair) -> None:
    """Three free slots for the pair as buttons (or why there are none)."""
    assert pair.id is not None
    people = await pair_people(turn, enrollment, pair)
    minutes = await session_minutes(turn, pair)
    zone = ZoneInfo(turn.timezone_of(turn.person))
    slots = await free_slots(turn, pair, people)
    partner = people[1] if len(people) > 1 else None
    if not slots:
        await turn.say("sessions.no_slots", partner=partner, minutes=minutes)
        return
    # A session the pair plans after these proposals were made (by the partner, or by hand)
    # makes them moot: the click then says what was booked.
    last_planned = max(
        (p.id or 0 for p in await turn.uow.planned_sessions(pair.id, turn.now)), default=0
    )
    choices = tuple(
        [
            await turn.choice(
                "sessions.slot_label",
                f"{CHOICE_PREFIX}:{pair.id}:{int(slot.start.timestamp())}:{last_planned}",
                local=slot.start.astimezone(zone),
                zone=str(zone),
            )
            for slot in slots
        ]
    )
    await turn.say(
        "sessions.proposals",
        choices=choices,
        slots=[slot.start for slot in slots],
        zone=str(zone),
        partner=partner,
        partner_zone=turn.timezone_of(partner) if partner is not None else str(zone),
        minutes=minutes,
    )


async def on_slot_choice(turn: Turn, rest: str) -> None:
    """``<pair id>:<start, Unix seconds>:<last planned session id>``: book the proposed slot for
    both, if it is still to come, still free, and the pair has not planned since."""
    enrollment, pair, starts_at, last_planned = await _clicked(turn, rest)
    assert pair.id is not None
    for planned in await turn.uow.planned_sessions(pair.id, turn.now):
        if (planned.id or 0) > last_planned:
            raise UserError(
                "errors.slot_already_booked",
                starts_at=planned.starts_at,
                zone=turn.timezone_of(turn.person),
            )
    if starts_at <= turn.now:
        raise UserError("errors.slot_passed")
    minutes = await session_minutes(turn, pair)
    slot = Interval(starts_at, starts_at + timedelta(minutes=minutes))
    people = await pair_people(turn, enrollment, pair)
    seen = await availabilities(turn, pair, people, slot)
    if any(unfit_for(person, slot) is not None for person in seen):
        raise UserError(
            "errors.slot_taken", starts_at=starts_at, zone=turn.timezone_of(turn.person)
        )
    await book(turn, enrollment, pair, slot)


async def explain_stale_slot(turn: Turn, rest: str) -> None:
    """A proposal answered already (a double click): say what was booked, when it was."""
    try:
        _, pair, _, _ = await _clicked(turn, rest)
    except UserError:
        return
    assert pair.id is not None
    upcoming = await turn.uow.planned_sessions(pair.id, turn.now)
    if upcoming:
        latest = max(upcoming, key=lambda planned: (planned.created_at, planned.id or 0))
        raise UserError(
            "errors.slot_already_booked",
            starts_at=latest.starts_at,
            zone=turn.timezone_of(turn.person),
        )


async def _clicked(turn: Turn, rest: str) -> tuple[Enrollment, Pair, datetime, int]:
    parts = rest.split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise UserError("errors.stale_choice")
    enrollment, pair = await active_pair_of_speaker(turn)
    if pair.id != int(parts[0]):
        raise UserError("errors.stale_choice")
    return enrollment, pair, datetime.fromtimestamp(int(parts[1]), UTC), int(parts[2])


async def book(turn: Turn, enrollment: Enrollment, pair: Pair, slot: Interval) -> None:
    """Plan the session for both: the row, its calendar event, the partner told (with the
    invitation), the speaker answered (with it too), and the mentor's guide."""
    assert enrollment.id is not None and pair.id is not None
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    planned = PlannedSession(
        pair_id=pair.id,
        planned_by=turn.person_id,
        starts_at=slot.start,
        created_at=turn.now,
        minutes=minutes,
    )
    turn.uow.add(planned)
    await turn.uow.flush()
    turn.audit("session.planned", program_id=pair.program_id, subject=f"pair:{pair.id}")
    partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
    event = await session_event(turn, planned, pair)
    booking = await calendar_for(turn).create_event(event)
    planned.calendar_event_id = booking.event_id
    planned.meeting_link = booking.meeting_link
    if partner is not None:
        await turn.notify(
            partner,
            "sessions.partner_planned",
            key=f"session_planned:{planned.id}:{partner.id}",
            purpose="session_planned",
            partner=turn.person.display_name,
            starts_at=slot.start,
            zone=turn.timezone_of(partner),
            link=booking.meeting_link,
            attachment=await invitation(turn, event, booking.invitation_for(partner), partner),
        )
    zone = turn.timezone_of(turn.person)
    await turn.say("sessions.planned", starts_at=slot.start, zone=zone, link=booking.meeting_link)
    mine = await invitation(turn, event, booking.invitation_for(turn.person), turn.person)
    if mine is not None:
        turn.replies[-1] = dataclasses.replace(turn.replies[-1], attachment=mine)
    await show_with_plan(turn, enrollment, pair, slot.start)


async def session_event(turn: Turn, planned: PlannedSession, pair: Pair) -> SessionEvent:
    """The calendar event of a planned session: organised by whoever planned it (the same
    organiser for every version of it), written in their language and time zone."""
    assert planned.id is not None
    members = [
        person
        for person in [
            await turn.person_of(pair.mentor_enrollment_id),
            await turn.person_of(pair.mentee_enrollment_id),
        ]
        if person is not None
    ]
    organiser = next((p for p in members if p.id == planned.planned_by), turn.person)
    attendees = [organiser] + [p for p in members if p.id != organiser.id]
    minutes = planned.minutes or await session_minutes(turn, pair)
    names = [person.display_name for person in attendees]
    locale = await turn.locale_of(organiser)
    start = planned.starts_at
    return SessionEvent(
        uid=session_uid(planned.id),
        sequence=planned.sequence,
        when=Interval(start, start + timedelta(minutes=minutes)),
        title=turn.renderer.render(locale, "sessions.event_title", names=names),
        description=turn.renderer.render(locale, "sessions.event_description", names=names),
        organiser=organiser,
        attendees=tuple(attendees),
        zone=turn.timezone_of(organiser),
    )


async def invitation(
    turn: Turn, event: SessionEvent, content: str | None, reader: Person, *, cancelled: bool = False
) -> Attachment | None:
    """The calendar's invitation as a file for ``reader``, titled in their language."""
    if content is None:
        return None
    title = turn.renderer.render(
        await turn.locale_of(reader),
        "sessions.ics_title",
        starts_at=event.when.start,
        zone=turn.timezone_of(reader),
        cancelled=cancelled,
    )
    filename = "tandem-session-cancelled.ics" if cancelled else "tandem-session.ics"
    return Attachment(filename=filename, content=content, media_type=MEDIA_TYPE, title=title)
