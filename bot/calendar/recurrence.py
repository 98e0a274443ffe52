"""A pair's regular slot ("every 2 weeks on Tuesday at 08:30"): its occurrences, on the wall
clock of the person who set it, so that 08:30 stays 08:30 across daylight-saving changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class RegularSlot:
    weeks: int
    # The day of the first occurrence (its weekday is the slot's), and the local time.
    first: date
    at: time
    zone: str
    # Who set it: the organiser of the sessions it books.
    by: int

    def to_json(self) -> dict[str, Any]:
        return {
            "weeks": self.weeks,
            "first": self.first.isoformat(),
            "at": self.at.strftime("%H:%M"),
            "zone": self.zone,
            "by": self.by,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RegularSlot:
        return cls(
            weeks=int(value["weeks"]),
            first=date.fromisoformat(str(value["first"])),
            at=time.fromisoformat(str(value["at"])),
            zone=str(value["zone"]),
            by=int(value["by"]),
        )

    def occurrence(self, number: int) -> datetime:
        day = self.first + timedelta(weeks=self.weeks * number)
        return datetime.combine(day, self.at, tzinfo=ZoneInfo(self.zone)).astimezone(UTC)

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after ``moment``."""
        local = moment.astimezone(ZoneInfo(self.zone)).date()
        number = max(0, (local - self.first).days // (7 * self.weeks))
        while self.occurrence(number) <= moment:
            number += 1
        return self.occurrence(number)
