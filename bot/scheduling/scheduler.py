"""APScheduler only fires the ticks; what is due is always read from the database.

Several replicas may run; one of them holds the leader lease and is the only one that ticks.
A heartbeat renews the lease (or takes it when its holder stopped renewing); each tick is
fenced: it commits only if this replica still holds the lease at that moment. Every replica
delivers.
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.ports import UnitOfWork
from bot.scheduling.ticker import Ticker

logger = logging.getLogger("tandem.scheduler")


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
        if not await self.heartbeat():
            return
        try:
            await self.ticker.tick(fence=self.lock.fence)
            self.failed_ticks = 0
        except Exception:
            self.failed_ticks += 1
            logger.exception("tick failed; the next one will catch up")

    async def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        await self.lock.release()
        self.is_leader = False
