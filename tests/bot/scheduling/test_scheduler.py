"""Only the replica holding the lock ticks; every tick reads what is due from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.session import ConsoleSession
from bot.clock import VirtualClock
from bot.i18n import Renderer
from bot.scheduling.scheduler import Scheduler
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage.database import create_engine
from storage.leader import LeaseLeaderLock
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.console_support import ConsoleFactory

MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


async def enrolled(console: ConsoleSession) -> None:
    for line in (
        '@hr /tandem program new "Pilot"',
        "@hr /tandem invite @zoe",
        "@zoe 2",
    ):
        await console.run_line(line)


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_only_the_leader_ticks(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, make_console: ConsoleFactory
) -> None:
    clock = VirtualClock(MONDAY)
    await enrolled(make_console(clock=clock))
    clock.advance(timedelta(days=14, hours=1))  # zoe's first check-in is due
    config = EngineConfig(default_locale="en")
    ticker = Ticker(uow_factory, clock, Renderer(), config)

    other_engine = create_engine(migrated_url)
    other = LeaseLeaderLock(other_engine, holder="other")
    follower = Scheduler(ticker, LeaseLeaderLock(uow_factory.engine, holder="follower"), 60)
    try:
        assert await other.acquire()
        await follower.tick()
        assert not follower.is_leader
        async with uow_factory() as uow:
            assert await uow.last_checkin_periods() == {}
        await other.release()
        await follower.tick()
        assert follower.is_leader
        async with uow_factory() as uow:
            assert list((await uow.last_checkin_periods()).values()) == [1]
    finally:
        await follower.lock.release()
        await other_engine.dispose()
