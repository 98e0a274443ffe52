"""APScheduler only fires the ticks; what is due is always read from the database.

Several replicas may run; one of them holds the leader lock (a PostgreSQL advisory lock) and is
the only one that ticks. Every replica delivers.
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.scheduling.ticker import Ticker

logger = logging.getLogger("tandem.scheduler")


class LeaderLock(Protocol):
    async def acquire(self) -> bool:
        """True while this process is the one that should tick (acquired now or still held)."""
        ...

    async def release(self) -> None: ...


class Scheduler:
    def __init__(self, ticker: Ticker, lock: LeaderLock, interval_seconds: float) -> None:
        self.ticker = ticker
        self.lock = lock
        self.interval_seconds = interval_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self.is_leader = False

    def start(self) -> None:
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.interval_seconds,
            # A late or overlapping tick is merged: the next one finds whatever is due anyway.
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=self.ticker.clock.now(),
        )
        self._scheduler.start()

    async def tick(self) -> None:
        leader = await self.lock.acquire()
        if leader != self.is_leader:
            logger.info("scheduler leadership changed", extra={"leader": leader})
            self.is_leader = leader
        if not leader:
            return
        try:
            await self.ticker.tick()
        except Exception:
            logger.exception("tick failed; the next one will catch up")

    async def stop(self) -> None:
        self._scheduler.shutdown(wait=False)
        await self.lock.release()
