"""Times two people (or more) could meet: free, inside everyone's working hours, spread over days.

Pure logic on instants. Candidates are laid on the first person's wall clock (the one who asks:
"9:00, 9:30, …" in their own time zone) and each is checked against every person's working day
in that person's own zone, so a daylight-saving change on either side moves the common hours
exactly as it moves the clocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.scheduling.working_hours import WorkingHours

# Slots start on the hour or the half hour of the asker's clock.
STEP = timedelta(minutes=30)
# "The next two working weeks".
HORIZON = timedelta(days=14)
# Nobody wants a proposal for the next ten minutes: room to read it, accept it and prepare.
NOTICE = timedelta(hours=2)
PROPOSALS = 3


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Availability:
    """One person as a slot search sees them: their clock, their working week, their busy times."""

    zone: ZoneInfo
    hours: WorkingHours
    busy: tuple[Interval, ...] = ()


class Unfit(StrEnum):
    """Why a given slot does not suit someone (the first reason found)."""

    DAY_OFF = "day_off"
    OUTSIDE_HOURS = "outside_hours"
    BUSY = "busy"


def unfit_for(person: Availability, slot: Interval) -> Unfit | None:
    """Why ``slot`` does not suit ``person``; None when it does."""
    start, end = slot.start.astimezone(person.zone), slot.end.astimezone(person.zone)
    if not person.hours.is_working_day(start.date()):
        return Unfit.DAY_OFF
    # The whole slot within one working day: it ends at the end of the working hours at the
    # latest (an end at midnight falls on the next day, so it is outside too).
    if end.date() != start.date() or start.time() < person.hours.start:
        return Unfit.OUTSIDE_HOURS
    if end.time() > person.hours.end:
        return Unfit.OUTSIDE_HOURS
    if any(slot.overlaps(busy) for busy in person.busy):
        return Unfit.BUSY
    return None


def fits_all(people: Sequence[Availability], slot: Interval) -> bool:
    return all(unfit_for(person, slot) is None for person in people)


def propose(
    people: Sequence[Availability],
    length: timedelta,
    now: datetime,
    *,
    count: int = PROPOSALS,
    horizon: timedelta = HORIZON,
    notice: timedelta = NOTICE,
    until: datetime | None = None,
) -> list[Interval]:
    """Up to ``count`` slots of ``length`` that suit everyone, each on a different day of the
    first person's calendar, the earliest of each day, the earliest days first; none starts
    before ``now + notice``, nor on or after the day ``horizon`` on (or ``until``, the end of
    the program)."""
    if not people or length <= timedelta(0) or count <= 0:
        return []
    asker = people[0]
    earliest = now + notice
    day = now.astimezone(asker.zone).date()
    # Up to the end of the asker's day before the same weekday two weeks on: ten working days.
    latest = _day_start(day + timedelta(days=horizon.days), asker.zone)
    if until is not None:
        latest = min(latest, until)
    found: list[Interval] = []
    while len(found) < count and _day_start(day, asker.zone) < latest:
        if asker.hours.is_working_day(day):
            slot = _first_on(day, people, length, earliest, latest)
            if slot is not None:
                found.append(slot)
        day += timedelta(days=1)
    return found


def _first_on(
    day: date,
    people: Sequence[Availability],
    length: timedelta,
    earliest: datetime,
    latest: datetime,
) -> Interval | None:
    asker = people[0]
    wall = datetime.combine(day, asker.hours.start)
    closing = datetime.combine(day, asker.hours.end)
    while wall + length <= closing:
        # Through UTC: a wall time skipped by a spring-forward change moves on by the gap.
        start = wall.replace(tzinfo=asker.zone).astimezone(UTC)
        if start >= latest:
            return None
        slot = Interval(start, start + length)
        if start >= earliest and fits_all(people, slot):
            return slot
        wall += STEP
    return None


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)
