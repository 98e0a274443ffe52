"""When the mid-program and end-of-program self-assessments fall."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain import AssessmentMoment, Program
from bot.scheduling.assessments import moment_day, program_end


def _program(ends_on: date | None = None) -> Program:
    return Program(
        name="Pilot",
        starts_on=date(2026, 11, 18),
        created_at=datetime(2026, 11, 18, tzinfo=UTC),
        locale="en",
        timezone="Europe/Paris",
        sessions_planned=6,
        cadence_days=14,
        ends_on=ends_on,
    )


def test_a_program_without_an_end_date_ends_after_its_planned_sessions() -> None:
    program = _program()
    # 6 sessions every 14 days: 84 days after 18 November.
    assert program_end(program) == date(2027, 2, 10)
    assert moment_day(program, AssessmentMoment.MID) == date(2026, 12, 30)
    assert moment_day(program, AssessmentMoment.END) == date(2027, 2, 10)


def test_halfway_is_between_the_start_and_the_end_date() -> None:
    program = _program(ends_on=date(2026, 12, 5))
    # 17 days: halfway rounds down to the 8th day.
    assert moment_day(program, AssessmentMoment.MID) == date(2026, 11, 26)
    assert moment_day(program, AssessmentMoment.END) == date(2026, 12, 5)
