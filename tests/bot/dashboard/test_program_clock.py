"""Where a program stands, as the dashboard's overview says it: week n of N."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.dashboard.pages import program_clock
from bot.domain import Program


def pilot(ends_on: date | None) -> Program:
    return Program(
        name="Pilot",
        starts_on=date(2026, 11, 18),
        ends_on=ends_on,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        locale="en",
        timezone="Europe/Paris",
        id=1,
    )


@pytest.mark.parametrize(
    ("today", "week"),
    [
        (date(2026, 11, 17), 0),  # not started
        (date(2026, 11, 18), 1),  # its first day
        (date(2026, 11, 24), 1),  # day 7
        (date(2026, 11, 25), 2),  # day 8
        (date(2026, 12, 3), 3),  # day 16
        (date(2027, 2, 9), 12),  # its last day (84 days: 12 weeks)
        (date(2027, 5, 1), 12),  # ended long ago: still its last week
    ],
)
def test_week_n_of_n(today: date, week: int) -> None:
    noon = datetime(today.year, today.month, today.day, 11, tzinfo=UTC)
    clock = program_clock(pilot(date(2027, 2, 9)), noon)
    assert (clock.week, clock.weeks) == (week, 12)


def test_a_program_without_an_end_date_counts_weeks_on() -> None:
    clock = program_clock(pilot(None), datetime(2027, 5, 1, 11, tzinfo=UTC))
    assert clock.weeks is None and clock.week == 24
