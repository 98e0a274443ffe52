"""Only one replica runs the scheduler: a PostgreSQL advisory lock decides which."""

from __future__ import annotations

import pytest

from storage.database import create_engine
from storage.leader import PostgresLeaderLock, SingleProcessLock, leader_lock


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_one_leader_at_a_time_and_a_successor_when_it_goes(migrated_url: str) -> None:
    first_engine, second_engine = create_engine(migrated_url), create_engine(migrated_url)
    first, second = PostgresLeaderLock(first_engine), PostgresLeaderLock(second_engine)
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.acquire(), "the leader keeps its lock from tick to tick"
        # The leader's connection dies (a crash, a network cut): the lock goes with it.
        assert first._connection is not None
        await first._connection.invalidate()
        assert await second.acquire()
        assert not await first.acquire(), "the old leader notices it lost the lock"
        await second.release()
        assert await first.acquire()
    finally:
        await first.release()
        await second.release()
        await first_engine.dispose()
        await second_engine.dispose()


async def test_sqlite_is_a_single_process_that_always_leads(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        lock = leader_lock(engine)
        if engine.dialect.name == "sqlite":
            assert isinstance(lock, SingleProcessLock) and await lock.acquire()
        else:
            assert isinstance(lock, PostgresLeaderLock)
    finally:
        await engine.dispose()
