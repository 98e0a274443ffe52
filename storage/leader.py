"""Who runs the scheduler: a PostgreSQL advisory lock held on a connection of its own.

If the leader dies, its connection closes, the lock is freed and another replica takes it at
its next tick. On SQLite there is a single process, so it always leads.
"""

from __future__ import annotations

import contextlib
import logging

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger("tandem.scheduler")
# An arbitrary application-wide key: "Tandem" in ASCII.
SCHEDULER_LOCK_KEY = 0x54616E64656D


class PostgresLeaderLock:
    def __init__(self, engine: AsyncEngine, key: int = SCHEDULER_LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._connection is not None:
            try:
                await self._connection.execute(sa.text("SELECT 1"))
                return True
            except SQLAlchemyError:
                logger.warning("lost the scheduler lock's connection")
                await self._drop()
        connection = await self.engine.connect()
        try:
            got = await connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
            # Commit so that the connection holds no open transaction while it keeps the lock.
            await connection.commit()
        except SQLAlchemyError:
            await connection.close()
            return False
        if got:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def release(self) -> None:
        if self._connection is not None:
            try:
                await self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
                await self._connection.commit()
            except SQLAlchemyError:
                logger.warning("could not release the scheduler lock; dropping its connection")
            finally:
                await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        # Invalidate, not just close: a pooled connection would keep the session lock alive.
        try:
            await connection.invalidate()
        except SQLAlchemyError:
            logger.warning("the scheduler lock's connection was already gone")
        with contextlib.suppress(SQLAlchemyError):
            await connection.rollback()
        await connection.close()


class SingleProcessLock:
    """SQLite serves one process: it is always the leader."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


def leader_lock(engine: AsyncEngine) -> PostgresLeaderLock | SingleProcessLock:
    if engine.dialect.name == "postgresql":
        return PostgresLeaderLock(engine)
    return SingleProcessLock()
