"""Only one replica runs the scheduler: a lease in the database, renewed by a heartbeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.database import create_engine
from storage.leader import LeaseLeaderLock, SingleProcessLock, leader_lock
from storage.unit_of_work import SqlUnitOfWorkFactory


class WallClock:
    """The replicas' wall clock, moved by hand: a frozen leader's lease runs out in a test."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_one_leader_at_a_time_and_a_successor_when_it_stops_renewing(
    migrated_url: str,
) -> None:
    clock = WallClock()
    first_engine, second_engine = create_engine(migrated_url), create_engine(migrated_url)
    first = LeaseLeaderLock(first_engine, holder="first", lease_seconds=20, now=clock)
    second = LeaseLeaderLock(second_engine, holder="second", lease_seconds=20, now=clock)
    try:
        assert await first.acquire()
        assert not await second.acquire()
        clock.moment += timedelta(seconds=15)
        assert await first.acquire(), "the leader renews its lease from heartbeat to heartbeat"
        clock.moment += timedelta(seconds=15)
        assert not await second.acquire(), "a renewed lease still holds"
        # The leader freezes (SIGSTOP, a partition): its lease runs out, the other takes it.
        clock.moment += timedelta(seconds=21)
        assert await second.acquire()
        assert not await first.acquire(), "the old leader notices it lost the lease"
        await second.release()
        assert await first.acquire(), "a released lease is taken at once"
    finally:
        await first_engine.dispose()
        await second_engine.dispose()


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_a_leader_that_lost_its_lease_cannot_commit_a_tick(migrated_url: str) -> None:
    clock = WallClock()
    factory = SqlUnitOfWorkFactory(create_engine(migrated_url))
    other_engine = create_engine(migrated_url)
    frozen = LeaseLeaderLock(factory.engine, holder="frozen", lease_seconds=20, now=clock)
    successor = LeaseLeaderLock(other_engine, holder="successor", lease_seconds=20, now=clock)
    try:
        assert await frozen.acquire()
        async with factory() as uow:
            assert await frozen.fence(uow)
        clock.moment += timedelta(seconds=25)
        assert await successor.acquire()
        async with factory() as uow:
            assert not await frozen.fence(uow), "the fence refuses a lease taken over"
        async with factory() as uow:
            assert await successor.fence(uow), "the successor's own tick passes"
    finally:
        await factory.engine.dispose()
        await other_engine.dispose()


async def test_sqlite_is_a_single_process_that_always_leads(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        lock = leader_lock(engine)
        if engine.dialect.name == "sqlite":
            assert isinstance(lock, SingleProcessLock) and await lock.acquire()
        else:
            assert isinstance(lock, LeaseLeaderLock)
    finally:
        await engine.dispose()
