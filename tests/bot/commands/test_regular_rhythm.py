"""The rhythm a regular slot is proposed at: the charter's meetings over the program's length,
to the nearest week, from every week to every ``LONGEST_GAP`` weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.commands.regular import LONGEST_GAP
from bot.commands.regular_offers import rhythm
from bot.domain import Charter, Program


def program(weeks: int, sessions: int = 6) -> Program:
    start = date(2026, 11, 2)
    return Program(
        name="Pilot",
        starts_on=start,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        locale="en",
        timezone="Europe/Paris",
        sessions_planned=sessions,
        ends_on=start + timedelta(weeks=weeks),
    )


@pytest.mark.parametrize(
    ("weeks", "meetings", "expected"),
    [
        (12, 6, 2),  # the default program: every other week
        (12, 12, 1),
        (12, 5, 2),  # 2.4 weeks
        (12, 4, 3),
        (13, 5, 3),  # 2.6 weeks
        (12, 8, 1),  # 1.5: the shorter gap, so that the 8 meetings fit
        (12, 30, 1),  # more meetings than weeks: weekly at most
        (52, 2, LONGEST_GAP),  # a slower rhythm is planned session by session
    ],
)
def test_the_charters_meetings_over_the_programs_weeks(
    weeks: int, meetings: int, expected: int
) -> None:
    assert rhythm(program(weeks), Charter(pair_id=1, meetings=meetings)) == expected


def test_without_a_number_of_meetings_the_programs_own() -> None:
    assert rhythm(program(12, sessions=4), None) == 3
    assert rhythm(program(12, sessions=4), Charter(pair_id=1)) == 3
