"""APScheduler only fires the ticks; what is due is always read from the database.

Several replicas may run; one of them holds the leader lease and is the only one that ticks.
A heartbeat renews the lease (or takes it when its holder stopped renewing); each tick is
fenced: it commits only if this replica still holds the lease at that moment. Every replica
delivers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.ports import UnitOfWork
from bot.scheduling.ticker import Ticker

logger = logging.getLogger("tandem.scheduler")
# After this many ticks in a row that failed as a whole, the scheduler is reported failing.
FAILING_AFTER_TICKS = 3
# At most this many of the last tick's failed subjects are shown in the health detail.
SHOWN_FAILURES = 20
# Giving the lease up is one short write; a database that does not answer lets it expire.
RELEASE_SECONDS = 2.0


class LeaderLock(Protocol):
    @property
    def heartbeat_seconds(self) -> float:
        """How often the lease is renewed (a fraction of its length)."""
        ...

    async def acquire(self) -> bool:
        """True while this process is the one that should tick (acquired now or renewed)."""
        ...

    async def release(self) -> None: ...

    async def fence(self, uow: UnitOfWork) -> bool:
        """Inside the tick's transaction, just before it commits: still the leader?"""
        ...


class Scheduler:
    def __init__(self, ticker: Ticker, lock: LeaderLock, interval_seconds: float) -> None:
        self.ticker = ticker
        self.lock = lock
        self.interval_seconds = interval_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self.is_leader = False
        # Ticks that failed one after the other; /readyz reports a scheduler that keeps failing.
        self.failed_ticks = 0
        # Ticks in a row in which some program's, pair's or person's work failed (isolated).
        self.ticks_with_failures = 0
        self.last_failures: list[str] = []
        self._running_tick: asyncio.Task[object] | None = None

    def start(self) -> None:
        now = self.ticker.clock.now()
        self._scheduler.add_job(
            self.heartbeat,
            "interval",
            seconds=self.lock.heartbeat_seconds,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=now,
        )
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.interval_seconds,
            # A late or overlapping tick is merged: the next one finds whatever is due anyway.
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=now,
        )
        self._scheduler.start()

    async def heartbeat(self) -> bool:
        leader = await self.lock.acquire()
        if leader != self.is_leader:
            logger.info("scheduler leadership changed", extra={"leader": leader})
            self.is_leader = leader
        return leader

    async def tick(self) -> None:
        self._running_tick = asyncio.current_task()
        try:
            # Inside: a lease that cannot be asked about (the database is gone) is a failed tick.
            if not await self.heartbeat():
                return
            await self.ticker.tick(fence=self.lock.fence)
            self.failed_ticks = 0
            self.last_failures = list(self.ticker.last_failures)
            self.ticks_with_failures = self.ticks_with_failures + 1 if self.last_failures else 0
        except Exception:
            self.failed_ticks += 1
            logger.exception("tick failed; the next one will catch up")
        finally:
            self._running_tick = None

    @property
    def failing(self) -> bool:
        """The last ticks all failed as a whole: nothing the scheduler owes goes out."""
        return self.failed_ticks >= FAILING_AFTER_TICKS

    def health(self) -> dict[str, object]:
        """What /readyz shows of the scheduler: ids of what failed, never anything people wrote."""
        return {
            "leader": self.is_leader,
            "failed_ticks": self.failed_ticks,
            "ticks_with_failures": self.ticks_with_failures,
            "failures": self.last_failures[:SHOWN_FAILURES],
            "failing": self.failing,
            "degraded": self.ticks_with_failures >= FAILING_AFTER_TICKS,
        }

    async def stop(self, within: float) -> None:
        """Fires nothing more, lets a running tick finish within ``within`` seconds (its
        transaction rolls back if it is cut off), then gives the lease up for another replica."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        tick = self._running_tick
        if tick is not None and not tick.done():
            await asyncio.wait({tick}, timeout=within)
            if not tick.done():
                logger.warning("the running tick was cut off at the stop's deadline")
                tick.cancel()
                # A cancelled database call may wait on its driver's thread: never for long.
                await asyncio.wait({tick}, timeout=1.0)
        try:
            async with asyncio.timeout(RELEASE_SECONDS):
                await self.lock.release()
        except TimeoutError:
            logger.warning("the scheduler lease could not be given up; it will expire")
        self.is_leader = False
