"""Days nobody is written to: a country's public holidays (the ``holidays`` package) and the
days off a program's owners declare (``/tandem program set closed: 2026-12-24..2027-01-01``).

Scheduled messages (check-ins, reminders, nudges, assessments, the weekly digest) that would
fall on such a day move to the next working day, at the same local time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

# A declared closure longer than this is a mistake (a year typed wrong), not a holiday.
LONGEST_CLOSURE = timedelta(days=92)


@dataclass(frozen=True)
class DaysOff:
    """``country``: an ISO 3166-1 alpha-2 code whose public holidays are days off;
    ``closed``: inclusive (first, last) ranges of days off."""

    country: str | None = None
    closed: tuple[tuple[date, date], ...] = ()

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if any(first <= day <= last for first, last in self.closed):
            return True
        return self.country is not None and day in public_holidays(self.country, day.year)

    def __bool__(self) -> bool:
        return self.country is not None or bool(self.closed)

    def in_country(self, country: str | None) -> DaysOff:
        """The same closures with the public holidays of ``country`` (a person's, from the
        roster) in place of the program's; unchanged when the person has none."""
        if not country or country == self.country:
            return self
        return DaysOff(country, self.closed)


def is_known_country(code: str) -> bool:
    return code.upper() in holidays.list_supported_countries()


@functools.lru_cache(maxsize=256)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The country's public holidays of that year (built once: the package computes them)."""
    return frozenset(holidays.country_holidays(country.upper(), years=year))
