"""The owners' dashboard for a big program: each page over real HTTP, against a bare static
file served by the same server (the dashboard's style sheet, through the same middleware).

Seeds the digest benchmark's program (bench/digest.py: 10,000 people, 5,000 pairs, 100,000
sessions), makes person 1 its owner with an open session, serves the dashboard on a local
port and times each page (p50 and p95 of ``--runs`` requests, and their ratio to the static
file's p50). Target: each page under 300 ms p50 on PostgreSQL.

The seeded tables are vacuumed and analysed before timing, as autovacuum would have done to
a live database after such a load: without it no index-only scan is one (every row is checked
in the table) and the planner works from empty statistics.

    .venv/bin/python bench/dashboard.py [--participants 10000] [--sessions 100000] [--runs 9]
        [--postgres postgresql://postgres@127.0.0.1:5432/] [--no-sqlite] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from adapters.dashboard.app import COOKIE, DashboardApp  # noqa: E402
from adapters.web import make_app  # noqa: E402
from bench.digest import NOW, seed  # noqa: E402
from bench.support import scratch_postgres  # noqa: E402
from bot.clock import VirtualClock  # noqa: E402
from bot.dashboard.access import SESSION_LIFETIME, new_token, token_hash  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.i18n import Renderer  # noqa: E402
from bot.turn import EngineConfig  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402

PAGES = {
    "static (style sheet)": "/dashboard/style.css",
    "overview": "/dashboard/programs/1/",
    "pairs (5,000 rows)": "/dashboard/programs/1/pairs",
    "pairs, filtered": "/dashboard/programs/1/pairs?flag=attention&sort=last",
    "one pair": "/dashboard/programs/1/pairs/17",
    "people (10,000 rows)": "/dashboard/programs/1/people",
    "people not answered": "/dashboard/programs/1/people?show=not_answered",
    "matching": "/dashboard/programs/1/matching",
    "outcomes": "/dashboard/programs/1/outcomes",
    "exports": "/dashboard/programs/1/exports",
}


async def owner_session(factory: SqlUnitOfWorkFactory) -> str:
    token = new_token()
    async with factory.engine.begin() as connection:
        await connection.execute(sa.insert(tables.program_owner).values(program_id=1, person_id=1))
        await connection.execute(
            sa.insert(tables.dashboard_session).values(
                token_hash=token_hash(token),
                person_id=1,
                created_at=NOW,
                expires_at=NOW + SESSION_LIFETIME,
            )
        )
    return token


async def vacuum(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            postgresql = connection.dialect.name == "postgresql"
            await connection.execute(sa.text("VACUUM ANALYZE" if postgresql else "ANALYZE"))
    finally:
        await engine.dispose()


async def measure(url: str, label: str, arguments: argparse.Namespace) -> None:
    await upgrade(url)
    seconds = await seed(url, arguments.participants, arguments.sessions)
    print(f"[{label}] seeded {arguments.participants:,} people in {seconds:.1f} s")
    await vacuum(url)
    factory = SqlUnitOfWorkFactory(create_engine(url))
    session = await owner_session(factory)
    clock, renderer = VirtualClock(NOW), Renderer(default_locale="en")
    engine = Engine(factory, clock, renderer, EngineConfig(default_locale="en"))
    dashboard = DashboardApp(factory, clock, renderer, "", engine)
    server = TestServer(make_app(dashboard=dashboard), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={session}"}) as http:
            base = None
            for name, path in PAGES.items():
                durations, size = [], 0
                for _ in range(arguments.runs):
                    started = time.perf_counter()
                    async with http.get(server.make_url(path)) as response:
                        body = await response.read()
                        assert response.status == 200, (path, response.status)
                    durations.append(time.perf_counter() - started)
                    size = len(body)
                median = statistics.median(durations)
                slow = sorted(durations)[math.ceil(0.95 * len(durations)) - 1]
                base = base or median
                verdict = "" if base == median else "OK" if median < 0.3 else "MISSED"
                print(
                    f"[{label}] {name:<24} p50 {median * 1000:8.1f} ms "
                    f"({median / base:6.1f}× static), p95 {slow * 1000:8.1f} ms "
                    f"({slow / base:6.1f}× static), {size / 1024:7.1f} KiB {verdict}"
                )
    finally:
        await server.close()
        await factory.engine.dispose()


async def run(arguments: argparse.Namespace) -> None:
    if not arguments.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            await measure(f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite", arguments)
    if not arguments.no_postgres:
        async with scratch_postgres(arguments.postgres, "tandem_bench_dashboard") as url:
            await measure(url, "postgresql", arguments)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
