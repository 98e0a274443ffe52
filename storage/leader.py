"""Who runs the scheduler: a lease in the ``leader_lease`` table, renewed by a heartbeat.

A replica that stops renewing — it died, froze (SIGSTOP, a long GC pause) or lost the network —
loses the scheduler when its lease runs out, and another replica takes it at its next heartbeat.
A tick is fenced: before it commits, it checks in its own transaction (locking the lease row)
that this replica still holds an unexpired lease, so a leader that resumes after its successor
took over never commits a tick alongside it. On SQLite there is a single process, so it always
leads.

Leases are measured on the replicas' wall clocks (kept in step by NTP), never on the virtual
clock the engine may run on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.inbox import process_name
from bot.ports import UnitOfWork
from storage import tables

logger = logging.getLogger("tandem.scheduler")
SCHEDULER = "scheduler"
DEFAULT_LEASE_SECONDS = 20.0

lease = tables.leader_lease.c


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LeaseLeaderLock:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        holder: str | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        name: str = SCHEDULER,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine = engine
        self.holder = holder or process_name()
        self.lease = timedelta(seconds=lease_seconds)
        self.name = name
        self.now = now
        # The heartbeat and a tick may ask at the same moment: one at a time, or the second
        # would not see the lease the first just created.
        self._asking = asyncio.Lock()

    @property
    def heartbeat_seconds(self) -> float:
        return self.lease.total_seconds() / 4

    async def acquire(self) -> bool:
        """Renews this replica's lease, or takes a lease that ran out; True while leader."""
        async with self._asking:
            return await self._acquire()

    async def _acquire(self) -> bool:
        now = self.now()
        try:
            async with self.engine.begin() as connection:
                renewed = await connection.execute(
                    sa.update(tables.leader_lease)
                    .where(
                        lease.name == self.name,
                        sa.or_(lease.holder == self.holder, lease.until < now),
                    )
                    .values(
                        holder=self.holder,
                        until=now + self.lease,
                        fence=lease.fence + sa.case((lease.holder == self.holder, 0), else_=1),
                    )
                )
                if renewed.rowcount:
                    return True
                created = await connection.execute(
                    postgresql.insert(tables.leader_lease)
                    .values(name=self.name, holder=self.holder, until=now + self.lease, fence=1)
                    .on_conflict_do_nothing(index_elements=["name"])
                )
                return bool(created.rowcount)
        except (SQLAlchemyError, OSError):
            logger.warning("could not reach the database to hold the scheduler lease")
            return False

    async def release(self) -> None:
        """Gives the lease up at once (a graceful stop), so that a successor needs no wait."""
        try:
            async with self.engine.begin() as connection:
                await connection.execute(
                    sa.update(tables.leader_lease)
                    .where(lease.name == self.name, lease.holder == self.holder)
                    .values(until=self.now() - timedelta(seconds=1))
                )
        except (SQLAlchemyError, OSError):
            logger.warning("could not release the scheduler lease; it will run out by itself")

    async def fence(self, uow: UnitOfWork) -> bool:
        """In the tick's own transaction: does this replica still hold an unexpired lease?
        The lease row stays locked until that transaction ends, so no successor can take the
        lease between this check and the tick's commit."""
        session = getattr(uow, "session")  # noqa: B009 - the SQL unit of work's session
        held = await session.scalar(
            sa.select(lease.fence)
            .where(lease.name == self.name, lease.holder == self.holder, lease.until > self.now())
            .with_for_update()
        )
        return held is not None


class SingleProcessLock:
    """SQLite serves one process: it is always the leader."""

    @property
    def heartbeat_seconds(self) -> float:
        return 60.0

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None

    async def fence(self, uow: UnitOfWork) -> bool:
        return True


def leader_lock(
    engine: AsyncEngine, lease_seconds: float = DEFAULT_LEASE_SECONDS
) -> LeaseLeaderLock | SingleProcessLock:
    if engine.dialect.name == "postgresql":
        return LeaseLeaderLock(engine, lease_seconds=lease_seconds)
    return SingleProcessLock()
