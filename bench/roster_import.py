"""Import of a 20,000-line roster: the dry run and the confirmation, against a bare parse.

Writes a realistic roster (HR's eight columns, every kind of bad line), then on PostgreSQL
(a scratch database, dropped afterwards) and on SQLite times, for a console-owned program whose
directory answers at once (the platform's own lookups are not what is measured):

- a bare ``csv.reader`` pass over the same file (the floor);
- the dry run: reading, checking every line, finding who is known, the program's standing,
  keeping the plan (one transaction);
- the confirmation: 20,000 people, invitations, outbox rows and prompts written in bulk (one
  transaction).

Peak memory is measured in a second pass under ``tracemalloc`` (which slows everything, so
its times are not reported), into a second program of the same database. Target: dry run plus
confirmation under 10 s on PostgreSQL.

    .venv/bin/python bench/roster_import.py [--lines 20000]
        [--postgres postgresql://postgres@127.0.0.1:5432/] [--no-postgres] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from adapters.console.directory import ConsoleDirectory  # noqa: E402
from bench.support import scratch_postgres  # noqa: E402
from bot.domain import Person, Program, ProgramOwner  # noqa: E402
from bot.i18n import Renderer  # noqa: E402
from bot.roster.confirm import confirm_import  # noqa: E402
from bot.roster.plan import RosterPlan, dry_run  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402
from tests.roster_files import csv_bytes, roster  # noqa: E402

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 15:00 in Paris
T = TypeVar("T")


async def _program(uow_factory: SqlUnitOfWorkFactory, name: str) -> tuple[Program, Person]:
    async with uow_factory() as uow:
        owner = await uow.person_by_identity("console", "console", "hr")
        if owner is None:
            owner = Person("console", "console", "hr", "hr", NOW)
            uow.add(owner)
            await uow.flush()
        program = Program(name, date(2026, 12, 1), NOW, "en", "Europe/Paris")
        uow.add(program)
        await uow.flush()
        assert program.id is not None and owner.id is not None
        uow.add(ProgramOwner(program_id=program.id, person_id=owner.id))
        await uow.commit()
    return program, owner


async def _measured(
    action: Callable[[], Awaitable[T]], trace: bool
) -> tuple[tuple[float, float], float | None, T]:
    """(wall seconds, this process's CPU seconds), peak MB allocated during the action (when
    traced), and its result. CPU time tells a slow machine from slow code."""
    if trace:
        tracemalloc.start()
        tracemalloc.reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    result = await action()
    elapsed = (time.perf_counter() - started, time.process_time() - cpu)
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return elapsed, peak, result


async def _bare_parse(data: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"))))


async def _import(
    uow_factory: SqlUnitOfWorkFactory, renderer: Renderer, data: bytes, name: str, trace: bool
) -> dict[str, Any]:
    program, owner = await _program(uow_factory, name)
    directory = ConsoleDirectory()

    async def checking() -> RosterPlan:
        async with uow_factory() as uow:
            plan = await dry_run(
                uow,
                directory,
                program,
                ("console", "console"),
                "people.csv",
                data,
                owner.id,
                NOW,
            )
            await uow.commit()
            return plan

    async def confirming() -> int:
        async with uow_factory() as uow:
            kept = await uow.roster_import(plan.import_id or 0)
            assert kept is not None
            done = await confirm_import(uow, renderer, kept, owner, "Europe/Paris", NOW)
            await uow.commit()
            return done.invited

    parse_s, parse_mb, rows = await _measured(lambda: _bare_parse(data), trace)
    dry_s, dry_mb, plan = await _measured(checking, trace)
    confirm_s, confirm_mb, invited = await _measured(confirming, trace)
    async with uow_factory.engine.connect() as connection:
        queued = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(tables.outbox)
            .where(tables.outbox.c.purpose == "invitation")
        )
    return {
        "rows": rows - 1,
        "to_invite": plan.to_invite,
        "invited": invited,
        "queued": queued,
        "parse": (parse_s, parse_mb),
        "dry_run": (dry_s, dry_mb),
        "confirm": (confirm_s, confirm_mb),
    }


async def run(label: str, url: str, data: bytes) -> None:
    await upgrade(url)
    uow_factory = SqlUnitOfWorkFactory(create_engine(url))
    renderer = Renderer(default_locale="en")
    try:
        timed = await _import(uow_factory, renderer, data, "Timed", trace=False)
        traced = await _import(uow_factory, renderer, data, "Traced", trace=True)
    finally:
        await uow_factory.engine.dispose()
    load = os.getloadavg()[0]
    print(
        f"\n{label}: {timed['rows']:,} lines, {timed['to_invite']:,} to invite, "
        f"{timed['invited']:,} invited, {timed['queued']:,} invitations in the outbox "
        f"(load average {load:.1f} on {os.cpu_count()} cores)"
    )
    for key, name in (
        ("parse", "bare csv parse"),
        ("dry_run", "dry run"),
        ("confirm", "confirmation"),
    ):
        (wall, cpu), peak = timed[key][0], traced[key][1]
        print(
            f"  {name:<16} {wall * 1000:8.0f} ms wall {cpu * 1000:8.0f} ms CPU"
            f"   peak {peak:6.1f} MB"
        )
    parse_s = timed["parse"][0][0]
    total = timed["dry_run"][0][0] + timed["confirm"][0][0]
    verdict = "OK" if total < 10 else "OVER TARGET"
    print(
        f"  dry run + confirmation {total:.2f} s ({total / parse_s:.0f}x the bare parse): "
        f"{verdict} (target < 10 s)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    arguments = parser.parse_args()
    data = csv_bytes(roster(arguments.lines))
    print(f"roster: {arguments.lines:,} lines, {len(data) / 1024 / 1024:.1f} MB")
    if not arguments.no_postgres:
        async with scratch_postgres(arguments.postgres, "bench_roster") as url:
            await run("PostgreSQL", url, data)
    if not arguments.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            await run("SQLite", f"sqlite:///{Path(folder) / 'roster.db'}", data)


if __name__ == "__main__":
    asyncio.run(main())
