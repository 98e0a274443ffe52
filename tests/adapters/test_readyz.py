"""``/readyz`` tells whether the database answers and the scheduler works; ``/healthz`` only
that the process does."""

from __future__ import annotations

import socket
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.web import READY_TIMEOUT_SECONDS, make_app
from bot.clock import VirtualClock
from bot.i18n import Renderer
from bot.scheduling.scheduler import FAILING_AFTER_TICKS, Scheduler
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage import tables
from storage.database import create_engine
from storage.leader import LeaseLeaderLock
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.console_support import ConsoleFactory


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _probe(database_url: str) -> tuple[int, dict[str, object], int]:
    engine = create_engine(database_url)
    try:
        async with TestClient(TestServer(make_app(database=engine))) as client:
            ready = await client.get("/readyz")
            health = await client.get("/healthz")
            return ready.status, await ready.json(), health.status
    finally:
        await engine.dispose()


async def test_ready_when_the_database_answers(migrated_url: str) -> None:
    assert await _probe(migrated_url) == (200, {"status": "ready"}, 200)


async def test_not_ready_while_postgresql_is_unreachable() -> None:
    started = time.monotonic()
    status, body, health = await _probe(f"postgresql://postgres@127.0.0.1:{_closed_port()}/x")
    assert (status, body["status"], body["database"]) == (503, "unavailable", "unreachable")
    assert body["reason"] == "database unreachable"
    # The process itself is alive: no orchestrator should restart it for the database's outage.
    assert health == 200
    assert time.monotonic() - started < 5


async def test_not_ready_when_the_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    status, _, health = await _probe(f"sqlite:///{tmp_path / 'missing-folder' / 'tandem.db'}")
    assert (status, health) == (503, 200)


async def test_not_ready_when_postgresql_hangs() -> None:
    # A server that accepts connections and never says a word: the probe gives up on its own.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        status, _, _ = await _probe(f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/x")
    assert status == 503
    assert time.monotonic() - started < READY_TIMEOUT_SECONDS + 2


async def _scheduler_probe(engine: AsyncEngine, scheduler: Scheduler) -> tuple[int, dict[str, Any]]:
    async with TestClient(TestServer(make_app(database=engine, scheduler=scheduler))) as client:
        ready = await client.get("/readyz")
        return ready.status, await ready.json()


async def test_not_ready_once_the_last_ticks_all_failed(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    # The scheduler's own database connection is cut (a closed port), the web's is fine.
    broken = create_engine(f"postgresql://postgres@127.0.0.1:{_closed_port()}/x")
    clock = VirtualClock(datetime(2026, 11, 18, 14, 0, tzinfo=UTC))
    ticker = Ticker(SqlUnitOfWorkFactory(broken), clock, Renderer(), EngineConfig())
    scheduler = Scheduler(ticker, LeaseLeaderLock(uow_factory.engine, holder="me"), 60)
    try:
        for attempt in range(1, FAILING_AFTER_TICKS + 1):
            await scheduler.tick()
            status, body = await _scheduler_probe(uow_factory.engine, scheduler)
            assert body["scheduler"]["failed_ticks"] == attempt
            assert status == (503 if attempt == FAILING_AFTER_TICKS else 200), body
        assert body["reason"] == f"the last {FAILING_AFTER_TICKS} scheduler ticks failed"
        assert body["scheduler"]["failing"] is True
    finally:
        await scheduler.lock.release()
        await broken.dispose()


async def test_work_that_keeps_failing_for_one_program_shows_as_degraded(
    uow_factory: SqlUnitOfWorkFactory, make_console: ConsoleFactory
) -> None:
    clock = VirtualClock(datetime(2026, 11, 18, 14, 0, tzinfo=UTC))
    console = make_console(clock=clock)
    for line in ('@hr /tandem program new "Alpha"', "@hr /tandem invite @zoe", "@zoe 2"):
        await console.run_line(line)
    async with uow_factory() as uow:
        # A value stored before dates were bounded: its end cannot be computed with.
        await uow.session.execute(sa.update(tables.program).values(ends_on=date(9999, 12, 31)))
        alpha = (await uow.session.execute(sa.select(tables.program.c.id))).scalar_one()
        await uow.commit()
    ticker = Ticker(uow_factory, clock, Renderer(), EngineConfig())
    scheduler = Scheduler(ticker, LeaseLeaderLock(uow_factory.engine, holder="me"), 60)
    try:
        for _ in range(FAILING_AFTER_TICKS):
            await scheduler.tick()
            clock.advance(timedelta(minutes=1))
        status, body = await _scheduler_probe(uow_factory.engine, scheduler)
    finally:
        await scheduler.lock.release()
    # Everyone else is served: the replica stays ready, and says what keeps failing.
    assert status == 200
    assert body["status"] == "degraded"
    assert body["scheduler"]["failed_ticks"] == 0
    assert body["scheduler"]["ticks_with_failures"] == FAILING_AFTER_TICKS
    assert f"program:{alpha}" in body["scheduler"]["failures"]
