"""What the database benchmarks share: a median timing, and a scratch PostgreSQL database."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url


async def timed(action: Callable[[], Awaitable[object]], runs: int = 5) -> tuple[float, object]:
    """The median duration of ``runs`` calls (seconds), and the last call's result."""
    result: object = None
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await action()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


@asynccontextmanager
async def scratch_postgres(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A database created on the server for the run, dropped afterwards; yields its URL."""
    server = make_url(server_url)
    name = f"{prefix}_{random.randrange(10**6)}"
    admin = await asyncpg.connect(
        server.set(database="postgres").render_as_string(hide_password=False)
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
