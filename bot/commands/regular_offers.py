"""A regular slot chosen at charter time: the "Choose a regular slot" button under the
confirmed charter proposes up to three recurring times when both are free, on different
weekdays, at the charter's rhythm; one click sets it as ``/session plan every 2 weeks tuesday
08:30`` would (``bot.commands.regular.set_regular``), and the tick books each occurrence."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar.recurrence import RegularSlot
from bot.calendar.slots import HORIZON, PROPOSALS, Interval, unfit_for
from bot.commands.lookup import active_pair_of_speaker
from bot.commands.planning import availabilities, free_slots, pair_people, session_minutes
from bot.commands.regular import LONGEST_GAP, set_regular
from bot.domain import Charter, Enrollment, Pair, PairStatus, Person, Program
from bot.errors import UserError
from bot.messages import Choice
from bot.scheduling.assessments import program_end
from bot.turn import Turn

CHOICE_PREFIX = "regular"
PICK_PREFIX = "regular_pick"


def rhythm(program: Program, charter: Charter | None) -> int:
    """Weeks between sessions: the charter's meetings spread over the program's length, to the
    nearest whole week, a tie going to the shorter gap (so that the meetings agreed fit), from
    every week to every ``LONGEST_GAP`` weeks."""
    meetings = (charter.meetings if charter is not None else None) or program.sessions_planned
    weeks = (program_end(program) - program.starts_on).days / 7
    gap = math.ceil(weeks / max(1, meetings) - 0.5)
    return max(1, min(LONGEST_GAP, gap))


async def regular_button(turn: Turn, pair: Pair, reader: Person | None = None) -> Choice:
    """The button for ``reader`` (the speaker by default), labelled in their language."""
    return await turn.choice("labels.choose_regular", f"{CHOICE_PREFIX}:{pair.id}", reader)


async def still_open(turn: Turn, pair_id: int) -> bool:
    """Whether proposed regular slots still ask something: their pair active, none set."""
    pair = await turn.uow.pair(pair_id)
    return pair is not None and pair.status == PairStatus.ACTIVE and pair.regular_slot is None


async def on_regular(turn: Turn, rest: str) -> None:
    """``<pair id>``: the proposals, if it is still the clicker's pair and has no regular slot
    (else which one it has, and how to change it)."""
    enrollment, pair = await active_pair_of_speaker(turn)
    if not rest.isdigit() or pair.id != int(rest):
        raise UserError("errors.stale_choice")
    await _refuse_if_set(turn, pair)
    await propose_regular(turn, enrollment, pair)


async def propose_regular(turn: Turn, enrollment: Enrollment, pair: Pair) -> None:
    """Up to three recurring slots as buttons, on the speaker's clock (or why there are none)."""
    assert pair.id is not None
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    weeks = rhythm(program, await turn.uow.charter_of(pair.id))
    people = await pair_people(turn, enrollment, pair)
    zone = ZoneInfo(turn.timezone_of(turn.person))
    # The earliest free time of every day of the next two weeks, then one a weekday: the
    # slot finder of /session plan, with the same hours, calendars and days off.
    by_weekday: dict[int, Interval] = {}
    for slot in await free_slots(turn, pair, people, count=HORIZON.days):
        by_weekday.setdefault(slot.start.astimezone(zone).weekday(), slot)
    # Dicts keep insertion order: the earliest weekdays first.
    slots = list(by_weekday.values())[:PROPOSALS]
    partner = people[1] if len(people) > 1 else None
    choices = tuple(
        [
            await turn.choice(
                "sessions.regular_label",
                f"{PICK_PREFIX}:{pair.id}:{weeks}:{int(slot.start.timestamp())}",
                weeks=weeks,
                local=slot.start.astimezone(zone),
            )
            for slot in slots
        ]
    )
    await turn.say(
        "sessions.regular_proposals",
        choices=choices,
        # On the speaker's clock: the weekday and time are what recurs.
        slots=[slot.start.astimezone(zone) for slot in slots],
        weeks=weeks,
        zone=str(zone),
        partner=partner,
        partner_zone=turn.timezone_of(partner) if partner is not None else str(zone),
        minutes=await session_minutes(turn, pair),
    )


async def on_regular_pick(turn: Turn, rest: str) -> None:
    """``<pair id>:<weeks>:<first start, Unix seconds>``: set that regular slot, if the pair
    is still the clicker's, has none yet, and the time is still free for both."""
    enrollment, pair, weeks, starts_at = await _picked(turn, rest)
    await _refuse_if_set(turn, pair)
    zone = turn.timezone_of(turn.person)
    local = starts_at.astimezone(ZoneInfo(zone))
    slot = RegularSlot(weeks, local.date(), local.time(), zone, turn.person_id)
    while slot.occurrence(0) <= turn.now:
        # Clicked after its first time: the same weekday and time, a week on.
        slot = RegularSlot(weeks, slot.first + timedelta(weeks=1), slot.at, zone, slot.by)
    first = slot.occurrence(0)
    when = Interval(first, first + timedelta(minutes=await session_minutes(turn, pair)))
    people = await pair_people(turn, enrollment, pair)
    seen = await availabilities(turn, pair, people, when)
    if any(unfit_for(person, when) is not None for person in seen):
        raise UserError("errors.regular_taken", weeks=weeks, local=first.astimezone(ZoneInfo(zone)))
    await set_regular(turn, pair, slot)


async def explain_stale_pick(turn: Turn, rest: str) -> None:
    """A proposal answered already (a double click): say which regular slot is set."""
    try:
        _, pair, _, _ = await _picked(turn, rest)
    except UserError:
        return
    await _refuse_if_set(turn, pair)


async def explain_stale_button(turn: Turn, rest: str) -> None:
    """The button of a message answered already (its other button clicked first): say which
    regular slot is set, or how to type one."""
    try:
        _, pair = await active_pair_of_speaker(turn)
    except UserError:
        return
    if not rest.isdigit() or pair.id != int(rest):
        return
    await _refuse_if_set(turn, pair)
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    raise UserError(
        "errors.regular_button_used", weeks=rhythm(program, await turn.uow.charter_of(int(rest)))
    )


async def _picked(turn: Turn, rest: str) -> tuple[Enrollment, Pair, int, datetime]:
    parts = rest.split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise UserError("errors.stale_choice")
    enrollment, pair = await active_pair_of_speaker(turn)
    weeks = int(parts[1])
    if pair.id != int(parts[0]) or not 1 <= weeks <= LONGEST_GAP:
        raise UserError("errors.stale_choice")
    return enrollment, pair, weeks, datetime.fromtimestamp(int(parts[2]), UTC)


async def _refuse_if_set(turn: Turn, pair: Pair) -> None:
    """A pair has one regular slot: once set (by either), a click does not replace it."""
    if pair.regular_slot is None:
        return
    slot = RegularSlot.from_json(pair.regular_slot)
    zone = turn.timezone_of(turn.person)
    setter = await turn.uow.person(slot.by)
    raise UserError(
        "errors.regular_already_set",
        weeks=slot.weeks,
        local=slot.next_after(turn.now).astimezone(ZoneInfo(zone)),
        me=slot.by == turn.person_id,
        who=setter.display_name if setter is not None else "",
    )
