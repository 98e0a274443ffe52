"""The owners' digest of a big program: 10,000 participants, 100,000 logged sessions.

Seeds one program (5,000 pairs with charters, 100,000 session logs over twelve weeks, up to
six check-ins a person, feedback on half the sessions) in bulk, then times the digest's figures
(storage's aggregate queries, as the Monday tick runs them) against a baseline measured in the
same run: a plain ``SELECT count(*) FROM session_log``. Target: under 1 s on both databases.

    .venv/bin/python bench/digest.py [--participants 10000] [--sessions 100000]
        [--postgres postgresql://postgres@127.0.0.1:5432/] [--no-postgres]

PostgreSQL runs in a scratch database created for the run and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.support import scratch_postgres, timed  # noqa: E402
from bot.digest import activity, weekly  # noqa: E402
from bot.domain import Program  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402

STARTS = date(2026, 9, 7)
NOW = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Monday 09:30 in Paris, twelve weeks in
TOPICS = ["linkedin", "seo", "privacy settings", "ai assistants", "dashboards", "no-code"]
BATCH = 5_000


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def seed(url: str, participants: int, sessions: int) -> float:
    started = time.perf_counter()
    rng = random.Random(7)
    engine = create_engine(url)
    created = _at(STARTS, 8)
    pairs = participants // 2
    try:
        async with engine.begin() as conn:

            async def insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
                for start in range(0, len(rows), BATCH):
                    await conn.execute(table.insert(), rows[start : start + BATCH])

            await insert(
                tables.program,
                [
                    {
                        "id": 1,
                        "name": "Bench",
                        "starts_on": STARTS,
                        "sessions_planned": 24,
                        "cadence_days": 7,
                        "session_minutes": 60,
                        "topics": TOPICS,
                        "reciprocal_topics": [],
                        "locale": "en",
                        "timezone": "Europe/Paris",
                        "closed": False,
                        "created_at": created,
                        "quote_min_group": 3,
                    }
                ],
            )
            await insert(
                tables.person,
                [
                    {
                        "id": i + 1,
                        "platform": "slack",
                        "workspace": "T1",
                        "user_id": f"U{i:06d}",
                        "display_name": f"Person {i}",
                        "unreachable": i % 997 == 0,
                        "created_at": created,
                    }
                    for i in range(participants)
                ],
            )
            await insert(
                tables.enrollment,
                [
                    {
                        "id": i + 1,
                        "program_id": 1,
                        "person_id": i + 1,
                        "role": "mentor" if i % 2 == 0 else "mentee",
                        "status": "active",
                        "joined_at": created,
                    }
                    for i in range(participants)
                ],
            )
            await insert(
                tables.pair,
                [
                    {
                        "id": p + 1,
                        "program_id": 1,
                        "mentor_enrollment_id": 2 * p + 1,
                        "mentee_enrollment_id": 2 * p + 2,
                        "status": "active",
                        "created_at": created,
                    }
                    for p in range(pairs)
                ],
            )
            await insert(
                tables.charter,
                [
                    {
                        "id": p + 1,
                        "pair_id": p + 1,
                        "status": "confirmed",
                        "meetings": 20,
                        "minutes": 60,
                    }
                    for p in range(pairs)
                ],
            )
            days = (NOW.date() - STARTS).days
            logs = []
            for s in range(sessions):
                # A tenth of the pairs stopped meeting after the first month: the quiet ones.
                pair = rng.randrange(pairs) + 1
                limit = 30 if pair % 10 == 0 else days
                held = STARTS + timedelta(days=rng.randrange(limit))
                logs.append(
                    {
                        "id": s + 1,
                        "pair_id": pair,
                        "logged_by": 2 * pair - 1,
                        "held_on": held,
                        "minutes": rng.choice((30, 45, 60, 90)),
                        "topics": ", ".join(rng.sample(TOPICS, 2)),
                        "created_at": _at(held, 17),
                    }
                )
            await insert(tables.session_log, logs)
            await insert(
                tables.feedback_request,
                [
                    {
                        "session_log_id": log["id"],
                        "person_id": log["logged_by"] + 1,
                        "program_id": 1,
                        "due_at": log["created_at"] + timedelta(hours=1),
                        "created_at": log["created_at"],
                        "asked_at": log["created_at"] + timedelta(hours=1),
                        "usefulness": rng.randint(2, 5),
                        "answered_at": log["created_at"] + timedelta(hours=2),
                        "learnt": f"learnt something {log['id']}" if log["id"] % 3 == 0 else None,
                        "share_name": log["id"] % 30 == 0,
                    }
                    for log in logs[::2]
                ],
            )
            checkins = []
            for e in range(participants):
                for period in range(6):
                    due = _at(STARTS + timedelta(days=14 * period + e % 14), 9)
                    if due > NOW - timedelta(days=1):
                        break
                    expired = rng.random() < 0.1
                    checkins.append(
                        {
                            "enrollment_id": e + 1,
                            "period": period + 1,
                            "status": "expired" if expired else "answered",
                            "due_at": due,
                            "created_at": due,
                            "answered_at": None if expired else due + timedelta(hours=3),
                            "mood": None if expired else rng.randint(1, 5),
                        }
                    )
            await insert(tables.checkin, checkins)
            # The message that asked each check-in (every 97th refused by the platform): the
            # reach figures of the digest and the dashboard read them.
            await insert(
                tables.outbox,
                [
                    {
                        "key": f"checkin:{c['enrollment_id']}:{c['period']}",
                        "purpose": "checkin",
                        "platform": "slack",
                        "person_id": c["enrollment_id"],
                        "payload": {"text": "How is your tandem going?"},
                        "status": "failed" if number % 97 == 0 else "sent",
                        "attempts": 5 if number % 97 == 0 else 1,
                        "not_before": c["due_at"],
                        "created_at": c["due_at"],
                        "sent_at": None if number % 97 == 0 else c["due_at"],
                        "last_error": "cannot_dm_bot" if number % 97 == 0 else None,
                    }
                    for number, c in enumerate(checkins, 1)
                ],
            )
        if url.startswith("postgresql"):
            async with engine.connect() as conn:
                await conn.execute(sa.text("COMMIT"))
                for table in (
                    "session_log",
                    "feedback_request",
                    "checkin",
                    "pair",
                    "enrollment",
                    "outbox",
                ):
                    await conn.execute(sa.text(f"ANALYZE {table}"))
        else:
            async with engine.begin() as conn:
                await conn.execute(sa.text("ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def measure(url: str, label: str, participants: int, sessions: int) -> None:
    await upgrade(url)
    seconds = await seed(url, participants, sessions)
    print(f"[{label}] seeded {participants:,} people, {sessions:,} sessions in {seconds:.1f} s")
    factory = SqlUnitOfWorkFactory(create_engine(url))
    try:

        async def baseline() -> object:
            async with factory() as uow:
                return await uow.session.scalar(
                    sa.select(sa.func.count()).select_from(tables.session_log)
                )

        async def digest() -> object:
            async with factory() as uow:
                program = await uow.program(1)
                assert isinstance(program, Program)
                return await weekly.compute(uow, program, NOW)

        async def export_rows() -> object:
            async with factory() as uow:
                return await uow.export_rows(1, 3)

        async def chart_weeks() -> object:
            async with factory() as uow:
                program = await uow.program(1)
                assert isinstance(program, Program)
                return await uow.weekly_activity(activity.window(program, NOW))

        base, count = await timed(baseline)
        took, figures = await timed(digest)
        exported, _ = await timed(export_rows, runs=1)
        charted, _ = await timed(chart_weeks)
        print(
            f"[{label}] baseline, count(*) over session_log ({count:,} rows): {base * 1000:8.1f} ms"
        )
        print(
            f"[{label}] digest figures (median of 5):                  {took * 1000:8.1f} ms "
            f"({took / base:.1f}× the baseline); target < 1000 ms: {'OK' if took < 1 else 'MISSED'}"
        )
        print(
            f"[{label}] export rows (sessions, participation, learnt):  {exported * 1000:8.1f} ms"
        )
        print(f"[{label}] chart weeks (sessions, mood; median of 5):  {charted * 1000:8.1f} ms")
        print(f"[{label}] figures: {figures}")
    finally:
        await factory.engine.dispose()


async def run(arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        await measure(
            f"sqlite:///{Path(folder) / 'bench.db'}",
            "sqlite",
            arguments.participants,
            arguments.sessions,
        )
    if arguments.no_postgres:
        return
    async with scratch_postgres(arguments.postgres, "tandem_bench_digest") as url:
        await measure(url, "postgresql", arguments.participants, arguments.sessions)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--no-postgres", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
