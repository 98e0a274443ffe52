"""The digest's figures as the database computes them, on SQLite and PostgreSQL: the week's
topics whatever way the lines were written, and the report's pairs needing attention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.digest import report, weekly
from bot.domain import Checkin, CheckinStatus, Program, SessionLog
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.storage.test_unit_of_work import add_all, build_world

# Monday 14 April 2025, 09:30 in Paris; the program started on Saturday 1 March.
TODAY = datetime(2025, 4, 14, 7, 30, tzinfo=UTC)


async def _program(uow: SqlUnitOfWork) -> Program:
    (found,) = await uow.programs_named("Digital 2025")
    return found


async def test_topics_count_each_session_whatever_the_line(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    world = await build_world(uow_factory)
    lines = [
        "SEO, LinkedIn",
        "seo, linkedin",
        "seo,LinkedIn",
        "SEO",
        "linkedin, seo, seo",
        " AI ",
        "",
    ]
    async with uow_factory() as uow:
        await add_all(
            uow,
            *(
                SessionLog(
                    pair_id=world.pair,
                    logged_by=world.alice,
                    held_on=date(2025, 4, 9),
                    minutes=30,
                    topics=line,
                    created_at=TODAY - timedelta(days=4),
                )
                for line in lines
            ),
            # Last week's line is not this week's topic.
            SessionLog(
                pair_id=world.pair,
                logged_by=world.alice,
                held_on=date(2025, 4, 2),
                minutes=30,
                topics="ai, ai, ai",
                created_at=TODAY - timedelta(days=11),
            ),
        )
        await uow.commit()

    async with uow_factory() as uow:
        program = await _program(uow)
        figures = await uow.digest_figures(weekly.period_for(program, TODAY))
    # seo: three lines once, "SEO" once, twice in the last line.
    assert figures.topics == (("seo", 6), ("linkedin", 4), ("ai", 1))
    assert figures.sessions_week == len(lines)


async def test_report_names_pairs_by_the_last_weeks_only(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    world = await build_world(uow_factory)

    def expired(period: int, due: datetime) -> Checkin:
        return Checkin(
            enrollment_id=world.mentee,
            period=period,
            status=CheckinStatus.EXPIRED,
            due_at=due,
            created_at=due,
        )

    async with uow_factory() as uow:
        await add_all(
            uow,
            # The pair meets: it is not quiet.
            SessionLog(
                pair_id=world.pair,
                logged_by=world.alice,
                held_on=date(2025, 4, 10),
                minutes=45,
                topics="seo",
                created_at=TODAY - timedelta(days=4),
            ),
            # A check-in missed in March, long forgotten.
            expired(1, datetime(2025, 3, 10, 9, 0, tzinfo=UTC)),
        )
        await uow.commit()

    async with uow_factory() as uow:
        program = await _program(uow)
        whole_run = await uow.digest_figures(report.period_for(program, TODAY))
    assert (whole_run.at_risk_count, whole_run.at_risk) == (0, ())

    async with uow_factory() as uow:
        await add_all(uow, expired(2, datetime(2025, 4, 7, 8, 0, tzinfo=UTC)))
        await uow.commit()
    async with uow_factory() as uow:
        program = await _program(uow)
        whole_run = await uow.digest_figures(report.period_for(program, TODAY))
        week = await uow.digest_figures(weekly.period_for(program, TODAY))
    assert whole_run.at_risk_count == week.at_risk_count == 1
    assert whole_run.at_risk[0].expired_checkins == week.at_risk[0].expired_checkins == 1
    assert whole_run.at_risk[0].mentee == "Bob"
