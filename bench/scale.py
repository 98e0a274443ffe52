"""A company of 100,000 people: the tick, a check-in round, the digest and the report.

Seeds (bench/scale_seed.py: a year of history, bulk loaded) a company of ``--people`` people
(100,000) on PostgreSQL and of ``--small`` people (10,000) on PostgreSQL and on SQLite, into
databases migrated by the project's migrations, then prints, each against a baseline measured
in the same run:

1. the start-up sweep (a process re-evaluates everyone, a stretch per tick: its ticks, the
   slowest, the peak memory), then the idle tick (nothing due) against a one-row indexed
   SELECT, and the ratio big/small;
2. the weekly digest and the program report (rendered as the tick and ``/tandem report`` do)
   against ``SELECT count(*)`` over the sessions; target under 2 s at 100,000 on PostgreSQL;
3. a check-in round (the tick at the moment the 26th check-in of everyone falls due) against a
   bare bulk insert of as many outbox rows (bench/checkins.py's ``bare_insert``, run after
   the round in the same database), each in a process of its own for its peak memory.

    .venv/bin/python bench/scale.py [--people 100000] [--small 10000] [--keep] [--turns]
        [--postgres postgresql://postgres@127.0.0.1:5432/] [--no-postgres] [--no-sqlite]
        [--no-round] [--drop-kept]

Without ``--keep`` every database is a scratch one, dropped at the end. With it the seeded
databases (``tandem_scale_<people>`` on the server, ``<tmp>/tandem_scale_<people>.sqlite``) are
kept and reused by the next run, which only migrates them; the round then runs in a copy
(``CREATE DATABASE … TEMPLATE``, a file copy for SQLite), dropped afterwards. ``--drop-kept``
removes them. The turns (bench/teams_turns.py, bench/slack_ack.py) run at the end with
``--turns``, each with its own defaults; they do not depend on the company's size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import scale_seed  # noqa: E402
from bench.checkins import bare_insert, round_rows  # noqa: E402
from bench.support import scratch_postgres, timed  # noqa: E402
from bot.clock import VirtualClock  # noqa: E402
from bot.digest import report, weekly  # noqa: E402
from bot.domain import Program  # noqa: E402
from bot.i18n import Renderer  # noqa: E402
from bot.scheduling.ticker import Ticker  # noqa: E402
from bot.turn import EngineConfig  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402


def _admin_dsn(server_url: str) -> str:
    return make_url(server_url).set(database="postgres").render_as_string(hide_password=False)


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def _seeded_name(url: str) -> str | None:
    """The seeded program's name (``scale_seed.marker``), None in an empty database."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(
                sa.select(tables.program.c.name).where(tables.program.c.id == 1)
            )
    finally:
        await engine.dispose()


async def _prepare(url: str, people: int, label: str) -> None:
    """Migrate the database, and seed it unless it already holds this company."""
    await upgrade(url)
    if await _seeded_name(url) == scale_seed.marker(people):
        print(f"[{label}] reusing the company of {people:,} people seeded earlier")
        return
    seconds, counts = await scale_seed.seed(url, people)
    rows = sum(counts.values())
    print(f"[{label}] seeded {people:,} people, {rows:,} rows in {seconds:.1f} s: {counts}")


@asynccontextmanager
async def company_database(
    backend: str, people: int, server_url: str, folder: str, keep: bool
) -> AsyncIterator[str]:
    """A migrated database holding the company: kept and reused with ``keep``, else scratch."""
    label = f"{backend} {people:,}"
    if backend == "sqlite":
        base = tempfile.gettempdir() if keep else folder
        url = f"sqlite:///{Path(base) / f'tandem_scale_{people}.sqlite'}"
        await _prepare(url, people, label)
        yield url
        return
    if not keep:
        async with scratch_postgres(server_url, f"tandem_scale_{people}") as url:
            await _prepare(url, people, label)
            yield url
        return
    name = f"tandem_scale_{people}"
    admin = await asyncpg.connect(_admin_dsn(server_url))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _database_url(server_url, name)
    await _prepare(url, people, label)
    yield url


@asynccontextmanager
async def copy_of(url: str, server_url: str, keep: bool) -> AsyncIterator[str]:
    """A database the round may change: the kept one's copy, or the scratch one itself."""
    if not keep:
        yield url
        return
    if url.startswith("sqlite"):
        source = make_url(url).database or ""
        target = f"{source}.round"
        shutil.copyfile(source, target)
        try:
            yield f"sqlite:///{target}"
        finally:
            os.remove(target)
        return
    source = make_url(url).database
    target = f"{source}_round"
    admin = await asyncpg.connect(_admin_dsn(server_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        started = time.perf_counter()
        await admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')
        print(f"[copy] {source} copied for the round in {time.perf_counter() - started:.1f} s")
        yield _database_url(server_url, target)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await admin.close()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ticker(factory: SqlUnitOfWorkFactory, at: datetime) -> tuple[Ticker, VirtualClock]:
    clock = VirtualClock(at)
    return Ticker(factory, clock, Renderer(default_locale="en"), EngineConfig("en")), clock


async def measure_idle(url: str, label: str, runs: int) -> tuple[float, float]:
    """The warm-up tick, then the median idle tick (a minute apart) and the baseline."""
    factory = SqlUnitOfWorkFactory(create_engine(url))
    try:
        ticker, clock = _ticker(factory, scale_seed.IDLE_AT)
        # The sweep a process starts with (bot.scheduling.sweep), to its end: a stretch of
        # enrollments and pairs per tick, a minute apart.
        sweep_started = time.perf_counter()
        slowest, ticks, warm = 0.0, 0, Counter[str]()
        while ticks == 0 or ticker.sweep is not None:
            if ticks:
                clock.advance(timedelta(minutes=1))
            started = time.perf_counter()
            warm.update(await ticker.tick())
            slowest = max(slowest, time.perf_counter() - started)
            ticks += 1
        swept = time.perf_counter() - sweep_started
        print(
            f"[{label}] start-up sweep: {ticks} ticks, {swept:.1f} s in all, slowest "
            f"{slowest * 1000:.0f} ms, queued {dict(warm)}; peak memory so far {_peak_mb():.0f} MB"
        )

        async def idle_tick() -> object:
            clock.advance(timedelta(minutes=1))
            return await ticker.tick()

        async def baseline() -> object:
            async with factory() as uow:
                return await uow.session.scalar(
                    sa.select(tables.person.c.id).where(tables.person.c.id == 1)
                )

        base, _ = await timed(baseline, runs=21)
        idle, queued = await timed(idle_tick, runs=runs)
        print(
            f"[{label}] idle tick (median of {runs}): {idle * 1000:8.1f} ms, "
            f"queued {dict(queued)}  | baseline one-row SELECT {base * 1000:.2f} ms "
            f"({idle / base:.0f}×)  target < 50 ms: {'OK' if idle < 0.05 else 'MISSED'}"
        )
        if queued or ticker.last_failures:
            print(f"[{label}] NOT IDLE: queued {dict(queued)}, failures {ticker.last_failures}")
        return idle, base
    finally:
        await factory.engine.dispose()


async def measure_digest(url: str, label: str) -> None:
    factory = SqlUnitOfWorkFactory(create_engine(url))
    renderer = Renderer(default_locale="en")
    now = scale_seed.IDLE_AT
    try:

        async def baseline() -> object:
            async with factory() as uow:
                return await uow.session.scalar(
                    sa.select(sa.func.count()).select_from(tables.session_log)
                )

        async def render(module: Any) -> Any:
            async with factory() as uow:
                program = await uow.program(scale_seed.PROGRAM_ID)
                assert isinstance(program, Program)
                return await module.render(uow, renderer, "en", program, now)

        base, count = await timed(baseline, runs=3)
        print(f"[{label}] baseline count(*) over session_log ({count:,}): {base * 1000:8.1f} ms")
        for name, module in (("weekly digest", weekly), ("program report", report)):
            took, _ = await timed(lambda module=module: render(module), runs=3)
            verdict = "OK" if took < 2 else "MISSED"
            print(
                f"[{label}] {name} (median of 3): {took * 1000:8.1f} ms "
                f"({took / base:.1f}× the baseline)  target < 2000 ms: {verdict}"
            )
    finally:
        await factory.engine.dispose()


async def _child(phase: str, url: str, count: int) -> dict[str, Any]:
    """Runs one phase of this script in a process of its own: its peak memory is its own."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--url",
        url,
        "--count",
        str(count),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the {phase} phase failed ({process.returncode})")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def measure_round(url: str, label: str, people: int) -> None:
    round_ = await _child("round", url, people)
    queued = sum(round_["queued"].values())
    bulk = await _child("bulk", url, queued)
    ratio = round_["seconds"] / bulk["seconds"]
    print(
        f"[{label}] check-in round: {round_['seconds']:.2f} s, queued {round_['queued']}, "
        f"peak RSS {round_['peak_mb']:.0f} MB"
    )
    print(
        f"[{label}] bare bulk insert of {queued:,} outbox rows: {bulk['seconds']:.2f} s, "
        f"peak RSS {bulk['peak_mb']:.0f} MB; round / bulk: {ratio:.1f}× "
        f"(target <= 2×: {'OK' if ratio <= 2 else 'MISSED'})"
    )


async def _baseline_insert(factory: SqlUnitOfWorkFactory, count: int) -> float:
    """A bare bulk insert of the rows a round of ``count`` people writes (check-ins,
    conversations, outbox rows, prompts; bench/checkins.py). It empties those tables after
    itself: run it after the round, on its own copy of the database."""
    async with factory() as uow:
        result = await uow.session.execute(
            sa.select(tables.enrollment.c.id, tables.enrollment.c.person_id)
            .order_by(tables.enrollment.c.id)
            .limit(count)
        )
        enrollments = [(int(e), int(p)) for e, p in result]
    seconds, _ = await bare_insert(factory, round_rows(enrollments))
    return seconds


async def run_phase(phase: str, url: str, count: int) -> None:
    factory = SqlUnitOfWorkFactory(create_engine(url))
    try:
        result: dict[str, Any] = {}
        if phase == "round":
            ticker, _ = _ticker(factory, scale_seed.ROUND_AT)
            # The round as a running process finds it: by the due index (the copy was swept).
            ticker.sweep = None
            started = time.perf_counter()
            result["queued"] = dict(await ticker.tick())
            result["seconds"] = time.perf_counter() - started
        else:
            result["seconds"] = await _baseline_insert(factory, count)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
    finally:
        await factory.engine.dispose()


async def drop_kept(arguments: argparse.Namespace) -> None:
    admin = await asyncpg.connect(_admin_dsn(arguments.postgres))
    try:
        for people in {arguments.people, arguments.small}:
            await admin.execute(f'DROP DATABASE IF EXISTS "tandem_scale_{people}" WITH (FORCE)')
    finally:
        await admin.close()


async def run(arguments: argparse.Namespace) -> None:
    targets = []
    if not arguments.no_sqlite:
        targets.append(("sqlite", arguments.small))
    if not arguments.no_postgres:
        targets += [("postgresql", arguments.small), ("postgresql", arguments.people)]
    idle: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend, people in targets:
            label = f"{backend} {people:,}"
            async with company_database(
                backend, people, arguments.postgres, folder, arguments.keep
            ) as url:
                idle[(backend, people)], _ = await measure_idle(url, label, arguments.idle_runs)
                await measure_digest(url, label)
                if not arguments.no_round:
                    async with copy_of(url, arguments.postgres, arguments.keep) as scratch:
                        await measure_round(scratch, label, people)
    small, big = (
        idle.get(("postgresql", arguments.small)),
        idle.get(("postgresql", arguments.people)),
    )
    if small and big:
        ratio = big / small
        print(
            f"[postgresql] idle tick {arguments.people:,} / {arguments.small:,}: {ratio:.2f} "
            f"(target <= 1.5: {'OK' if ratio <= 1.5 else 'MISSED'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-round", action="store_true", help="skip the check-in rounds")
    parser.add_argument("--idle-runs", type=int, default=5, help="idle ticks timed")
    parser.add_argument("--keep", action="store_true", help="keep and reuse seeded databases")
    parser.add_argument("--drop-kept", action="store_true", help="drop kept databases, exit")
    parser.add_argument("--turns", action="store_true", help="then run the turns benchmarks")
    parser.add_argument("--phase", choices=("round", "bulk"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.phase:
        asyncio.run(run_phase(arguments.phase, arguments.url, arguments.count))
    elif arguments.drop_kept:
        asyncio.run(drop_kept(arguments))
        for people in {arguments.people, arguments.small}:
            for suffix in ("", "-wal", "-shm"):
                Path(tempfile.gettempdir(), f"tandem_scale_{people}.sqlite{suffix}").unlink(
                    missing_ok=True
                )
    else:
        asyncio.run(run(arguments))
        if not arguments.turns:
            print("turns: run bench/teams_turns.py and bench/slack_ack.py (or pass --turns)")
        for script in ("teams_turns.py", "slack_ack.py") if arguments.turns else ():
            # They measure turns, which do not depend on the company's size: their defaults.
            print(f"== bench/{script}", flush=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / script)], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
