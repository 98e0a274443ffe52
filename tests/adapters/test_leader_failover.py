"""A frozen leader loses the scheduler: two real ``tandem serve`` replicas on PostgreSQL, the
leader stopped with SIGSTOP; the other takes the lease within its length, and the old leader,
resumed, never ticks alongside it."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time

import pytest
import sqlalchemy as sa

from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.serve_process import ServeProcess

LEASE_SECONDS = 4.0


async def lease_holder(uow_factory: SqlUnitOfWorkFactory) -> tuple[str, int] | None:
    async with uow_factory.engine.connect() as connection:
        row = (
            await connection.execute(
                sa.text(
                    "SELECT holder, fence FROM leader_lease "
                    "WHERE name = 'scheduler' AND until > now()"
                )
            )
        ).first()
    return (str(row[0]), int(row[1])) if row is not None else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pid_of(holder: str) -> int:
    return int(holder.split(":")[-2])


async def wait_for_holder(
    uow_factory: SqlUnitOfWorkFactory, pid: int, within: float
) -> tuple[float, int]:
    """Seconds until ``pid`` holds the lease, and the lease's fence then."""
    started = time.monotonic()
    async with asyncio.timeout(within):
        while True:
            held = await lease_holder(uow_factory)
            if held is not None and pid_of(held[0]) == pid:
                return time.monotonic() - started, held[1]
            await asyncio.sleep(0.1)


def leadership_changes(log: str) -> list[bool]:
    changes = []
    for line in log.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("message") == "scheduler leadership changed":
            changes.append(bool(record["leader"]))
    return changes


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_a_frozen_leader_loses_the_scheduler_within_its_lease(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory
) -> None:
    # The two replicas share one port, as replicas on one host may (TANDEM_REUSE_PORT).
    port = free_port()
    environment = {
        "DATABASE_URL": migrated_url,
        "PORT": str(port),
        "TANDEM_REUSE_PORT": "true",
        "TEAMS_ENABLED": "true",
        "TANDEM_LEADER_LEASE_SECONDS": str(LEASE_SECONDS),
        "TANDEM_SCHEDULER_INTERVAL_SECONDS": "1",
        "TANDEM_LOG_LEVEL": "INFO",
    }
    leader = await ServeProcess.start(environment)
    await wait_for_holder(uow_factory, leader.process.pid, within=10)
    follower = await ServeProcess.start(environment)
    try:
        assert leader.url == follower.url == f"http://127.0.0.1:{port}"
        _, first_fence = await wait_for_holder(uow_factory, leader.process.pid, within=2)
        leader.process.send_signal(signal.SIGSTOP)
        took, fence = await wait_for_holder(
            uow_factory, follower.process.pid, within=LEASE_SECONDS * 3
        )
        # The lease runs out, and the follower's next heartbeat (every quarter lease) takes it.
        assert took <= LEASE_SECONDS * 1.25 + 3.0, took
        assert fence == first_fence + 1
        leader.process.send_signal(signal.SIGCONT)
        # Resumed, the old leader keeps finding the lease taken: the follower stays leader.
        await asyncio.sleep(LEASE_SECONDS)
        held = await lease_holder(uow_factory)
        assert held is not None and pid_of(held[0]) == follower.process.pid
    finally:
        leader.process.send_signal(signal.SIGCONT)
        leader_code = await leader.stop(signal.SIGTERM)
        follower_code = await follower.stop(signal.SIGTERM)
    assert leader_code == 0 and follower_code == 0
    leader_log = await leader.errors()
    assert leadership_changes(leader_log) == [True, False], leader_log[-3000:]
    assert leadership_changes(await follower.errors()) == [True]
