"""The outcome KPIs of a big program: 10,000 participants, each assessed three times.

Seeds one program (10,000 enrollments; a baseline, a halfway and an end self-assessment of
five topics each, i.e. 30,000 assessments and 150,000 ratings; 10,000 end evaluations, a third
of them with "what changed" text) in bulk, then times the digest's outcome figures (skill
progress per topic and per person, satisfaction, NPS, continue share, quotes) and HR's
per-person export against a baseline measured in the same run: ``SELECT count(*)`` over the
ratings. Target: well under the digest's 1 s on both databases.

    .venv/bin/python bench/outcomes.py [--participants 10000]
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
from bot.digest import weekly  # noqa: E402
from bot.domain import Program  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.outcome_queries import skill_progress_insert  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402

STARTS = date(2026, 9, 7)
NOW = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
TOPICS = [f"topic {n}" for n in range(1, 9)]
MOMENTS = ("baseline", "mid", "end")
BATCH = 5_000


async def seed(url: str, participants: int) -> float:
    started = time.perf_counter()
    rng = random.Random(7)
    engine = create_engine(url)
    at = datetime(2026, 9, 7, 8, tzinfo=UTC)
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
                        "sessions_planned": 6,
                        "cadence_days": 14,
                        "session_minutes": 60,
                        "topics": TOPICS,
                        "reciprocal_topics": TOPICS,
                        "locale": "en",
                        "timezone": "Europe/Paris",
                        "closed": False,
                        "created_at": at,
                        "quote_min_group": 3,
                    }
                ],
            )
            ids = range(1, participants + 1)
            await insert(
                tables.person,
                [
                    {
                        "id": i,
                        "platform": "console",
                        "workspace": "bench",
                        "user_id": f"p{i}",
                        "display_name": f"person {i}",
                        "unreachable": False,
                        "created_at": at,
                    }
                    for i in ids
                ],
            )
            await insert(
                tables.enrollment,
                [
                    {
                        "id": i,
                        "program_id": 1,
                        "person_id": i,
                        "role": "mentor" if i % 2 else "mentee",
                        "status": "active",
                        "joined_at": at,
                    }
                    for i in ids
                ],
            )
            assessments, ratings = [], []
            for i in ids:
                topics = rng.sample(TOPICS, 5)
                levels = {t: rng.randint(1, 4) for t in topics}
                for number, moment in enumerate(MOMENTS):
                    assessment_id = (i - 1) * len(MOMENTS) + number + 1
                    when = at + timedelta(days=42 * number)
                    assessments.append(
                        {
                            "id": assessment_id,
                            "enrollment_id": i,
                            "moment": moment,
                            "topics": topics,
                            "due_at": when,
                            "created_at": when,
                            "answered_at": when,
                        }
                    )
                    for topic in topics:
                        level = min(5, max(1, levels[topic] + rng.randint(-1, number + 1)))
                        ratings.append(
                            {"assessment_id": assessment_id, "topic": topic, "level": level}
                        )
            await insert(tables.skill_assessment, assessments)
            await insert(tables.skill_rating, ratings)
            await conn.execute(skill_progress_insert())
            await insert(
                tables.evaluation,
                [
                    {
                        "enrollment_id": i,
                        "answered_at": at + timedelta(days=84, minutes=i),
                        "satisfaction": rng.randint(2, 5),
                        "recommend": rng.randint(4, 10),
                        "continue_reciprocal": rng.random() < 0.6,
                        "changed": f"changed {i}" if i % 3 == 0 else None,
                        "share_name": i % 10 == 0,
                    }
                    for i in ids
                ],
            )
        async with engine.begin() as conn:
            await conn.execute(sa.text("ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def measure(url: str, label: str, participants: int) -> None:
    await upgrade(url)
    seconds = await seed(url, participants)
    print(f"[{label}] seeded {participants:,} people, 3 assessments each, in {seconds:.1f} s")
    factory = SqlUnitOfWorkFactory(create_engine(url))
    try:

        async def baseline() -> object:
            async with factory() as uow:
                return await uow.session.scalar(
                    sa.select(sa.func.count()).select_from(tables.skill_rating)
                )

        async def figures() -> object:
            async with factory() as uow:
                program = await uow.program(1)
                assert isinstance(program, Program)
                return await uow.outcome_figures(weekly.period_for(program, NOW))

        async def export() -> object:
            async with factory() as uow:
                return await uow.outcome_export(1, 3)

        base, count = await timed(baseline)
        took, result = await timed(figures)
        exported, _ = await timed(export, runs=3)
        rows = f"({count:,} rows)"
        print(f"[{label}] baseline, count(*) over skill_rating {rows}: {base * 1000:7.1f} ms")
        print(
            f"[{label}] outcome figures (median of 5):                  {took * 1000:7.1f} ms "
            f"({took / base:.1f}× the baseline)"
        )
        print(f"[{label}] per-person export (median of 3):               {exported * 1000:7.1f} ms")
        print(f"[{label}] figures: {result}")
    finally:
        await factory.engine.dispose()


async def run(arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        await measure(f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite", arguments.participants)
    if arguments.no_postgres:
        return
    async with scratch_postgres(arguments.postgres, "tandem_bench_outcomes") as url:
        await measure(url, "postgresql", arguments.participants)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/")
    parser.add_argument("--no-postgres", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
