"""Working hours in a person's own IANA time zone, daylight-saving changes included.

Everything is computed on local wall-clock times and converted to UTC at the end, so a 10:00
check-in stays at 10:00 local when the clocks change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import Person
from bot.scheduling.days_off import DaysOff

MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)
NO_DAYS_OFF = DaysOff()
# How far ahead a working day is looked for: past the longest closure an owner may declare.
DAYS_SEARCHED = 190


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9, 0)
    end: time = time(18, 0)
    days: tuple[int, ...] = MONDAY_TO_FRIDAY
    # Public holidays and declared closures of the person's program: never a working day.
    days_off: DaysOff = NO_DAYS_OFF

    @classmethod
    def from_overrides(
        cls, overrides: dict[str, Any] | None, days_off: DaysOff | None = None
    ) -> WorkingHours:
        default = cls()
        days_off = days_off or default.days_off
        if not overrides:
            return cls(days_off=days_off)
        return cls(
            start=time.fromisoformat(overrides["start"]) if "start" in overrides else default.start,
            end=time.fromisoformat(overrides["end"]) if "end" in overrides else default.end,
            days=tuple(overrides.get("days", default.days)),
            days_off=days_off,
        )

    @classmethod
    def of(cls, person: Person, days_off: DaysOff | None = None) -> WorkingHours:
        """A person's hours: their overrides, less ``days_off`` (their program's) with the
        public holidays of their own country when known."""
        return cls.from_overrides(
            person.working_hours, (days_off or NO_DAYS_OFF).in_country(person.country)
        )

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.days_off

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        for offset in range(DAYS_SEARCHED):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("working hours have no working day")

    def contains(self, instant: datetime, zone: ZoneInfo) -> bool:
        local = instant.astimezone(zone)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def next_working_moment(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """``instant`` when it falls in working hours, else the start of the next working slot."""
        if self.contains(instant, zone):
            return instant
        local = instant.astimezone(zone)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.start:
            return at_local(day, self.start, zone)
        return at_local(self.next_working_day(day + timedelta(days=1)), self.start, zone)


def at_local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time (a time skipped by DST moves forward)."""
    local = datetime.combine(day, moment, tzinfo=zone)
    # Round-trip through UTC normalises a non-existent local time (spring forward).
    return local.astimezone(UTC)
