"""``/readyz`` tells whether the database answers; ``/healthz`` only that the process does."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from adapters.web import READY_TIMEOUT_SECONDS, make_app
from storage.database import create_engine


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _probe(database_url: str) -> tuple[int, dict[str, str], int]:
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
    assert (status, body) == (503, {"status": "unavailable", "database": "unreachable"})
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
