"""Week by week since the program started: sessions logged and check-in mood, for the chart.

The weeks are ISO weeks (Monday to Sunday) in the program's time zone; storage counts them in
the database, one row a week, between bounds worked out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Program

# About a quarter: enough to see a trend, few enough for labels to stay readable.
MAX_WEEKS = 12


@dataclass(frozen=True)
class ActivityWindow:
    program_id: int
    # Local Mondays, oldest first; the last one is this week's.
    mondays: tuple[date, ...]
    # Each Monday's local midnight in UTC, plus the one after the last week: answers (UTC
    # moments) fall in a week by these bounds, daylight-saving changes included.
    bounds: tuple[datetime, ...]


@dataclass(frozen=True)
class WeekActivity:
    monday: date
    sessions: int
    minutes: int
    # Average check-in mood that week; None when nobody answered.
    mood: float | None
    checkins: int
    # Check-ins that fell due that week, and how many of them have been answered (the
    # response rate; the dashboard's chart).
    due: int = 0
    answered: int = 0

    @property
    def response_rate(self) -> int | None:
        """Percent of that week's check-ins answered; None when none fell due."""
        return round(100 * self.answered / self.due) if self.due else None


def window(program: Program, now: datetime, max_weeks: int = MAX_WEEKS) -> ActivityWindow:
    """The weeks from the program's start (at most ``max_weeks``, the latest) to this week."""
    assert program.id is not None
    zone = ZoneInfo(program.timezone)
    today = now.astimezone(zone).date()
    this_monday = today - timedelta(days=today.weekday())
    start = min(program.starts_on, today)
    first = max(
        start - timedelta(days=start.weekday()), this_monday - timedelta(weeks=max_weeks - 1)
    )
    count = (this_monday - first).days // 7 + 1
    mondays = tuple(first + timedelta(weeks=i) for i in range(count))
    bounds = tuple(
        datetime.combine(day, time(0), zone).astimezone(UTC)
        for day in (*mondays, this_monday + timedelta(weeks=1))
    )
    return ActivityWindow(program_id=program.id, mondays=mondays, bounds=bounds)
