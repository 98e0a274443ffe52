"""``/session plan every 2 weeks tuesday 08:30`` (``/session planifier toutes les 2 semaines
mardi 08:30``): a regular slot on the pair, each occurrence booked ahead by the tick
(``bot.scheduling.regular_slots``); ``/session plan stop`` ends it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.calendar.recurrence import RegularSlot
from bot.calendar.slots import Availability, Interval, unfit_for
from bot.commands.lookup import active_pair_of_speaker
from bot.commands.planning import session_minutes
from bot.commands.values import parse_time
from bot.domain import Pair
from bot.errors import UserError
from bot.scheduling.settings import ScheduleSettings
from bot.scheduling.working_hours import WorkingHours
from bot.turn import Turn

# The first words that make a /session plan a regular slot, or end one.
EVERY = ("every", "each", "toutes", "tous", "chaque")
STOP = ("stop", "arrêter", "arreter", "arrêt", "fin")
_FILLER = {"les", "la", "le", "week", "weeks", "semaine", "semaines", "on", "at", "à", "a"}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "lundi"),
            ("tuesday", "mardi"),
            ("wednesday", "mercredi"),
            ("thursday", "jeudi"),
            ("friday", "vendredi"),
            ("saturday", "samedi"),
            ("sunday", "dimanche"),
        )
    )
    for name in names
}
# At most every eight weeks: a slower rhythm is planned session by session.
LONGEST_GAP = 8


def is_regular(words: tuple[str, ...]) -> bool:
    return bool(words) and words[0].lower() in EVERY + STOP


async def regular(turn: Turn, words: tuple[str, ...]) -> None:
    _, pair = await active_pair_of_speaker(turn)
    if words[0].lower() in STOP:
        if len(words) != 1:
            raise UserError("errors.regular_usage")
        if pair.regular_slot is None:
            raise UserError("errors.regular_none")
        pair.regular_slot = None
        pair.regular_booked_until = None
        pair.regular_due_at = None
        turn.audit("session.regular_stopped", program_id=pair.program_id, subject=f"pair:{pair.id}")
        await turn.say("sessions.regular_stopped")
        return
    await set_regular(turn, pair, _parsed(turn, words[1:]))


async def set_regular(turn: Turn, pair: Pair, slot: RegularSlot) -> None:
    """Make ``slot`` the pair's regular slot and say so: what the typed command does, and a
    click on a proposed regular slot (``bot.commands.regular_offers``) too."""
    await _refuse_outside_working_time(turn, pair, slot)
    pair.regular_slot = slot.to_json()
    pair.regular_booked_until = None
    # The next tick books the first occurrence if it is near.
    pair.regular_due_at = turn.now
    turn.audit("session.regular_set", program_id=pair.program_id, subject=f"pair:{pair.id}")
    first = slot.occurrence(0)
    await turn.say("sessions.regular_set", weeks=slot.weeks, first=first, zone=slot.zone)
    # The pair chose it: the partner learns it now, not a week before the first session.
    for enrollment_id in (pair.mentor_enrollment_id, pair.mentee_enrollment_id):
        partner = await turn.person_of(enrollment_id)
        if partner is None or partner.id == turn.person_id:
            continue
        await turn.notify(
            partner,
            "sessions.regular_set_by_partner",
            key=f"regular_set:{pair.id}:{int(first.timestamp())}:{partner.id}",
            purpose="regular_slot",
            partner=turn.person.display_name,
            weeks=slot.weeks,
            first=first,
            zone=turn.timezone_of(partner),
        )


def _parsed(turn: Turn, words: tuple[str, ...]) -> RegularSlot:
    """``[N] week(s) DAY TIME`` / ``les [N] semaines JOUR HEURE``, fillers aside."""
    kept = [w for w in (word.lower() for word in words) if w not in _FILLER]
    if len(kept) not in (2, 3):
        raise UserError("errors.regular_usage")
    weeks = 1
    if len(kept) == 3:
        if not kept[0].isdigit() or not 1 <= int(kept[0]) <= LONGEST_GAP:
            raise UserError("errors.regular_weeks", value=kept[0], longest=LONGEST_GAP)
        weeks = int(kept[0])
    day_name, time_text = kept[-2], kept[-1]
    weekday = WEEKDAYS.get(day_name)
    if weekday is None:
        raise UserError("errors.regular_day", value=day_name)
    at = parse_time(time_text)
    zone = turn.timezone_of(turn.person)
    today = turn.today_for(turn.person)
    first = today + timedelta(days=(weekday - today.weekday()) % 7)
    slot = RegularSlot(weeks=weeks, first=first, at=at, zone=zone, by=turn.person_id)
    if slot.occurrence(0) <= turn.now:
        # Today's time has passed: the first one is a week from today.
        slot = RegularSlot(weeks, first + timedelta(weeks=1), at, zone, turn.person_id)
    return slot


async def _refuse_outside_working_time(turn: Turn, pair: Pair, slot: RegularSlot) -> None:
    """A slot outside someone's working hours or days would be refused at every occurrence:
    said now. (Busy times are checked occurrence by occurrence, a week ahead.)"""
    first = slot.occurrence(0)
    when = Interval(first, first + timedelta(minutes=await session_minutes(turn, pair)))
    program = await turn.uow.program(pair.program_id)
    days_off = ScheduleSettings.for_program(program).days_off if program is not None else None
    members = [
        await turn.person_of(pair.mentor_enrollment_id),
        await turn.person_of(pair.mentee_enrollment_id),
    ]
    # The speaker first: their own hours are what they can change.
    people = [turn.person] + [p for p in members if p is not None and p.id != turn.person_id]
    for person in people:
        seen = Availability(ZoneInfo(turn.timezone_of(person)), WorkingHours.of(person, days_off))
        unfit = unfit_for(seen, when)
        if unfit is not None:
            raise UserError(
                "errors.regular_unfit",
                local=first.astimezone(ZoneInfo(slot.zone)),
                reason=unfit.value,
                who=person.display_name,
                me=person.id == turn.person_id,
            )
