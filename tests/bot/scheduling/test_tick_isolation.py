"""One program's bad value never stops the tick for the others: what fails is logged with its
id, skipped, and retried at the next tick."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.console.session import ConsoleSession
from bot.clock import VirtualClock
from bot.domain import Checkin
from bot.i18n import Renderer
from bot.scheduling import ticker as ticker_module
from bot.scheduling.cohort import Cohort
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.console_support import ConsoleFactory

MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


async def two_programs(console: ConsoleSession) -> None:
    """Alpha (hr, with zoe) and Beta (kim, with yan), each with one participant."""
    for line in (
        '@hr /tandem program new "Alpha"',
        "@hr /tandem invite @zoe",
        "@zoe 2",
        '@kim /tandem program new "Beta"',
        "@kim /tandem invite @yan",
        "@yan 2",
    ):
        await console.run_line(line)


async def program_id(uow_factory: SqlUnitOfWorkFactory, name: str) -> int:
    async with uow_factory() as uow:
        return int(
            (
                await uow.session.execute(  # type: ignore[attr-defined]
                    sa.select(tables.program.c.id).where(tables.program.c.name == name)
                )
            ).scalar_one()
        )


async def set_end(uow_factory: SqlUnitOfWorkFactory, program: int, ends_on: object) -> None:
    """A value stored before dates were bounded (the command now refuses it)."""
    async with uow_factory() as uow:
        await uow.session.execute(  # type: ignore[attr-defined]
            sa.update(tables.program).where(tables.program.c.id == program).values(ends_on=ends_on)
        )
        await uow.commit()


async def checkin_periods(uow_factory: SqlUnitOfWorkFactory) -> list[int]:
    async with uow_factory() as uow:
        return sorted((await uow.last_checkin_periods()).values())


@pytest.fixture
async def due(make_console: ConsoleFactory) -> VirtualClock:
    clock = VirtualClock(MONDAY)
    await two_programs(make_console(clock=clock))
    clock.advance(timedelta(days=14, hours=1))  # both participants' first check-in is due
    return clock


async def test_a_program_whose_end_overflows_stops_nobody_else(
    uow_factory: SqlUnitOfWorkFactory, due: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    alpha = await program_id(uow_factory, "Alpha")
    await set_end(uow_factory, alpha, datetime(9999, 12, 31).date())
    ticker = Ticker(uow_factory, due, Renderer(), EngineConfig(default_locale="en"))
    with caplog.at_level(logging.WARNING, logger="tandem.scheduler"):
        sent = await ticker.tick()
    # Everyone's check-in went out, Alpha's included: only what needs its end failed.
    assert sent["checkin"] == 2
    assert await checkin_periods(uow_factory) == [1, 1]
    assert f"program:{alpha}" in ticker.last_failures
    failed = [r for r in caplog.records if r.getMessage().startswith("tick work failed")]
    assert {getattr(r, "subject", "") for r in failed} >= {f"program:{alpha}"}
    assert all(getattr(r, "error", "") == "OverflowError" for r in failed)
    # Once the value is put right, the next tick does the work that failed, with no error.
    await set_end(uow_factory, alpha, None)
    due.advance(timedelta(hours=1))
    await ticker.tick()
    assert ticker.last_failures == []


async def test_a_step_the_database_refuses_is_rolled_back_alone(
    uow_factory: SqlUnitOfWorkFactory, due: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def writes_a_broken_row(cohort: Cohort) -> None:
        # A check-in for an enrollment that does not exist: the foreign key refuses it.
        cohort.uow.add(
            Checkin(enrollment_id=987654, period=1, due_at=due.now(), created_at=due.now())
        )

    monkeypatch.setattr(
        ticker_module, "STEPS", (("broken", writes_a_broken_row), *ticker_module.STEPS)
    )
    ticker = Ticker(uow_factory, due, Renderer(), EngineConfig(default_locale="en"))
    sent = await ticker.tick()
    assert ticker.last_failures == ["step:broken"]
    assert sent["checkin"] == 2
    assert await checkin_periods(uow_factory) == [1, 1]


async def test_a_healthy_tick_takes_no_savepoint_and_one_that_fails_is_run_again_with_them(
    uow_factory: SqlUnitOfWorkFactory, due: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.upper())

    sa.event.listen(uow_factory.engine.sync_engine, "before_cursor_execute", seen)
    broken = {"on": True}

    async def broken_while_on(cohort: Cohort) -> None:
        if broken["on"]:
            cohort.uow.add(
                Checkin(enrollment_id=987654, period=1, due_at=due.now(), created_at=due.now())
            )

    monkeypatch.setattr(ticker_module, "STEPS", (("broken", broken_while_on), *ticker_module.STEPS))
    ticker = Ticker(uow_factory, due, Renderer(), EngineConfig(default_locale="en"))
    try:
        # The failing tick still does everyone else's work, as a careful tick always did.
        sent = await ticker.tick()
        assert ticker.last_failures == ["step:broken"]
        assert sent["checkin"] == 2
        assert any(s.startswith("SAVEPOINT") for s in statements)
        # Mended, the next ticks of the hour still take care; then they take none.
        broken["on"] = False
        due.advance(timedelta(minutes=30))
        statements.clear()
        await ticker.tick()
        assert ticker.last_failures == []
        assert any(s.startswith("SAVEPOINT") for s in statements)
        due.advance(timedelta(minutes=31))
        statements.clear()
        await ticker.tick()
        assert ticker.last_failures == []
        assert statements and not any("SAVEPOINT" in s for s in statements)
    finally:
        sa.event.remove(uow_factory.engine.sync_engine, "before_cursor_execute", seen)
    assert await checkin_periods(uow_factory) == [1, 1]


def test_a_program_with_countless_sessions_still_has_a_last_day() -> None:
    from datetime import date

    from bot.domain import Program
    from bot.scheduling.assessments import LONGEST_PROGRAM, program_end

    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    program = Program("Endless", start.date(), start, "en", "Europe/Paris")
    program.sessions_planned = 10**6
    assert program_end(program) == date(2026, 11, 30) + LONGEST_PROGRAM
