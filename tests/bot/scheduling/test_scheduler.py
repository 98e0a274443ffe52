"""Only the replica holding the lock ticks; every tick reads what is due from the database."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.session import ConsoleSession
from bot.clock import VirtualClock
from bot.i18n import Renderer
from bot.scheduling.scheduler import Scheduler
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage.database import create_engine
from storage.leader import LeaseLeaderLock, leader_lock
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


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_stop_cuts_off_a_tick_stuck_on_the_write_lock(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, make_console: ConsoleFactory
) -> None:
    clock = VirtualClock(MONDAY)
    await enrolled(make_console(clock=clock))
    clock.advance(timedelta(days=14, hours=1))  # zoe's first check-in is due
    ticker = Ticker(uow_factory, clock, Renderer(), EngineConfig(default_locale="en"))
    scheduler = Scheduler(ticker, leader_lock(uow_factory.engine, 20), 60)
    # Another writer (a turn of a process being stopped) holds SQLite's write lock: the tick
    # waits on busy_timeout, 30 s, inside the driver's thread.
    path = migrated_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        tick = asyncio.create_task(scheduler.tick())
        await asyncio.sleep(0.5)
        assert not tick.done()
        started = time.monotonic()
        await scheduler.stop(within=0.5)
        # Half a second for the tick, one for its cancellation: never busy_timeout's 30 s.
        assert time.monotonic() - started < 3
    finally:
        holder.rollback()
        holder.close()
    await asyncio.wait({tick}, timeout=5)
    async with uow_factory() as uow:
        # The tick cut off committed nothing: the check-in is still due for the next leader.
        assert await uow.last_checkin_periods() == {}
