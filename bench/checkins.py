"""A check-in round for 10,000 participants, measured end to end.

1. The round: the tick working out who is due and writing check-ins, their conversations,
   outbox rows and prompts, against a baseline measured in the same run: a bare bulk insert of
   the same rows (SQLAlchemy Core ``executemany`` into the same four tables, rows built
   beforehand), and the older floor of the outbox rows alone. The round's write is the tick's
   check-in step less the same step in a tick with nothing due (the reading and the
   working out). Peak memory: the process's resident high-water mark before and after the
   tick, and with ``--trace-memory`` what the check-in step allocated at its peak
   (tracemalloc; it slows the step, so its time is then not comparable).
2. Delivery against a local fake Slack Web API that enforces a rate limit: the achieved rate as
   a fraction of the allowed rate (target >= 0.9), with duplicates and losses counted, and the
   history lookups made (none without a crash: every send is marked before it goes).

    .venv/bin/python bench/checkins.py [--participants 10000] [--rate 400] [--no-delivery]
        [--database-url postgresql://postgres@127.0.0.1:5432] [--trace-memory]

A PostgreSQL URL names the server: the run creates a scratch database on it and drops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack.port import SlackChatPort  # noqa: E402
from bench.support import scratch_postgres  # noqa: E402
from bot.clock import VirtualClock  # noqa: E402
from bot.delivery import Deliverer  # noqa: E402
from bot.domain import OutboxStatus, Program, Role  # noqa: E402
from bot.i18n import Renderer  # noqa: E402
from bot.messages import Choice, Message  # noqa: E402
from bot.ports import Pace, UnitOfWork  # noqa: E402
from bot.scheduling.cohort import Cohort  # noqa: E402
from bot.scheduling.ticker import Step, Ticker  # noqa: E402
from bot.turn import EngineConfig  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402
from tests.fakes.slack_api import TOKEN  # noqa: E402

# Monday 2 November 2026, 10:00 in Paris: the first check-in of people who joined two weeks ago.
START = date(2026, 10, 19)
DUE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHUNK = 2000
# The round's four tables, emptied after the baseline.
ROUND_TABLES = (tables.prompt, tables.outbox, tables.conversation, tables.checkin)


async def seed(factory: SqlUnitOfWorkFactory, participants: int) -> None:
    """A program and its people, written in bulk (a company of 100,000 in seconds)."""
    joined = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    async with factory() as uow:
        program = Program(
            name="Bench",
            starts_on=START,
            created_at=joined,
            locale="en",
            timezone="Europe/Paris",
            topics=["Social networks"],
        )
        uow.add(program)
        await uow.flush()
        # Steady state: the direct-message channel of each person is already known (the Slack
        # adapter keeps it from their first message), as it is after the first fan-out.
        for start in range(0, participants, CHUNK):
            people = [
                {
                    "platform": "slack",
                    "workspace": "T1",
                    "user_id": f"U{index:06d}",
                    "display_name": f"Person {index}",
                    "locale": "en",
                    "timezone": "Europe/Paris",
                    "address": {"dm_channel": f"D{index:06d}"},
                    "unreachable": False,
                    "working_hours": None,
                    "created_at": joined,
                }
                for index in range(start, min(start + CHUNK, participants))
            ]
            await uow.session.execute(sa.insert(tables.person), people)
        person_ids = (
            await uow.session.scalars(sa.select(tables.person.c.id).order_by(tables.person.c.id))
        ).all()
        enrollments = [
            {
                "program_id": program.id,
                "person_id": person_id,
                "role": Role.MENTOR if index % 2 == 0 else Role.MENTEE,
                "status": "active",
                "paused_until": None,
                "joined_at": joined,
            }
            for index, person_id in enumerate(person_ids)
        ]
        for start in range(0, len(enrollments), CHUNK):
            await uow.session.execute(
                sa.insert(tables.enrollment), enrollments[start : start + CHUNK]
            )
        await uow.commit()


def round_rows(enrollments: list[tuple[int, int]]) -> dict[sa.Table, list[dict[str, Any]]]:
    """The rows a round writes, built as plain values: one check-in, conversation, outbox row
    and prompt a person, with a message of the round's size (text and five buttons)."""
    now = DUE
    rows: dict[sa.Table, list[dict[str, Any]]] = {table: [] for table in ROUND_TABLES}
    for index, (enrollment_id, person_id) in enumerate(enrollments):
        token = f"baseline{index:010d}"
        choices = tuple(
            Choice(f"{token}|conv:{index}:mood:{mood}", f"Mood {mood}") for mood in range(1, 6)
        )
        text = "How did your mentoring go these last two weeks in Bench? Pick one."
        rows[tables.checkin].append(
            {
                "enrollment_id": enrollment_id,
                "period": 1000,
                "status": "open",
                "due_at": now,
                "created_at": now,
            }
        )
        rows[tables.conversation].append(
            {
                "person_id": person_id,
                "flow": "checkin",
                "subject_id": index,
                "step": "mood",
                "answers": {},
                "status": "open",
                "updated_at": now,
            }
        )
        rows[tables.outbox].append(
            {
                "key": f"baseline:{index}",
                "purpose": "baseline",
                "platform": "slack",
                "person_id": person_id,
                "payload": Message(text=text, choices=choices).to_payload(),
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "not_before": now,
                "created_at": now,
            }
        )
        rows[tables.prompt].append(
            {
                "token": token,
                "person_id": person_id,
                "offers": [f"choice:{choice.value}" for choice in choices],
                "created_at": now,
                "shown": index,
            }
        )
    return rows


async def bare_insert(
    factory: SqlUnitOfWorkFactory, rows: dict[sa.Table, list[dict[str, Any]]]
) -> tuple[float, float]:
    """The floor: the rows inserted with Core ``executemany`` in one transaction, nothing else."""
    started, cpu = time.perf_counter(), time.process_time()
    async with factory() as uow:
        for table, table_rows in rows.items():
            for start in range(0, len(table_rows), CHUNK):
                await uow.session.execute(sa.insert(table), table_rows[start : start + CHUNK])
        await uow.commit()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    async with factory() as uow:
        for table in ROUND_TABLES:
            await uow.session.execute(sa.delete(table))
        await uow.commit()
    return elapsed, cpu


class TimedTicker(Ticker):
    """A ticker that notes how long each step took (its outbox written included)."""

    step_seconds: Counter[str]
    step_cpu: Counter[str]

    async def _run_step(self, uow: UnitOfWork, cohort: Cohort, name: str, step: Step) -> None:
        await self._timed(name, super()._run_step(uow, cohort, name, step))

    async def _run_step_at_once(self, cohort: Cohort, name: str, step: Step) -> None:
        await self._timed(name, super()._run_step_at_once(cohort, name, step))

    async def _timed(self, name: str, running: Awaitable[None]) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        traced = self.trace_step == name
        if traced:
            tracemalloc.start()
        try:
            await running
        finally:
            if traced:
                self.traced_peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            self.step_seconds[name] += time.perf_counter() - started
            self.step_cpu[name] += time.process_time() - cpu

    def reset(self, trace_step: str = "") -> None:
        self.step_seconds, self.step_cpu = Counter(), Counter()
        self.trace_step = trace_step
        self.traced_peak = 0


def peak_rss_mb() -> float:
    # Linux reports the high-water mark in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(database_url: str, options: argparse.Namespace) -> None:
    participants, rate = options.participants, options.rate
    await upgrade(database_url)
    engine = create_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine)
    try:
        await seed(factory, participants)
        async with factory() as uow:
            columns = tables.enrollment.c
            enrollments = [
                (int(row[0]), int(row[1]))
                for row in await uow.session.execute(
                    sa.select(columns.id, columns.person_id).order_by(columns.id)
                )
            ]
        rows = round_rows(enrollments)
        outbox_only, _ = await bare_insert(factory, {tables.outbox: rows[tables.outbox]})
        baseline, baseline_cpu = await bare_insert(factory, rows)
        del rows

        clock = VirtualClock(DUE)
        ticker = TimedTicker(factory, clock, Renderer(default_locale="en"), EngineConfig("en"))
        ticker.reset("checkins" if options.trace_memory else "")
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        queued = await ticker.tick()
        tick_seconds = time.perf_counter() - started
        rss_after = peak_rss_mb()
        round_step, traced_peak = ticker.step_seconds["checkins"], ticker.traced_peak
        round_cpu = ticker.step_cpu["checkins"]
        ticker.reset()
        started = time.perf_counter()
        again = await ticker.tick()
        idle_tick = time.perf_counter() - started
        idle_step = ticker.step_seconds["checkins"]
        written = round_step - idle_step
        written_cpu = round_cpu - ticker.step_cpu["checkins"]

        backend = engine.dialect.name
        print(f"== {backend}, {participants} participants")
        print(f"tick (who is due + the round): {tick_seconds:.2f} s, queued {dict(queued)}")
        print(f"  its check-in step: {round_step:.2f} s")
        print(f"second tick, nothing new due: {idle_tick:.2f} s, queued {dict(again)}")
        print(f"  its check-in step (reading, working out who is due): {idle_step:.2f} s")
        print(f"the round written (check-in step less the idle one): {written:.2f} s")
        print(
            f"baseline, bare bulk insert of the same {4 * participants} rows "
            f"(check-ins, conversations, outbox, prompts): {baseline:.2f} s"
        )
        print(f"round written / baseline: {written / baseline:.2f}x (target <= 2)")
        print(f"whole check-in step / baseline: {round_step / baseline:.2f}x")
        # On a busy machine wall time mostly measures waiting for a core; this process's own
        # CPU time does not (on SQLite it is all the work; PostgreSQL's server is not in it).
        print(
            f"CPU time of this process: round written {written_cpu:.2f} s, baseline "
            f"{baseline_cpu:.2f} s: {written_cpu / baseline_cpu:.2f}x"
        )
        print(f"older floor, bulk insert of {participants} outbox rows: {outbox_only:.2f} s")
        print(f"tick / older floor: {tick_seconds / outbox_only:.1f}x")
        print(f"peak RSS: {rss_before:.0f} MB before the tick, {rss_after:.0f} MB after it")
        if options.trace_memory:
            print(f"check-in step's traced peak: {traced_peak / 2**20:.1f} MB (timing slowed)")
        if not options.no_delivery:
            await deliver(factory, clock, participants, rate)
    finally:
        await engine.dispose()


async def deliver(
    factory: SqlUnitOfWorkFactory, clock: VirtualClock, participants: int, rate: float
) -> None:
    # The fake Slack runs in a process of its own, as Slack does not share our event loop.
    fake = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.slack_api",
        str(rate),
        str(max(10, rate / 10)),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert fake.stdout is not None
    url = (await fake.stdout.readline()).decode().strip()
    session = aiohttp.ClientSession()
    try:
        pace = Pace(per_second=rate * 0.97, burst=int(rate / 20), per_conversation_per_second=1)
        client = AsyncWebClient(token=TOKEN, base_url=url, session=session)
        deliverer = Deliverer(factory, clock, {"slack": SlackChatPort(client, pace)})
        started = time.perf_counter()
        sent = await deliverer.drain()
        while True:  # anything delayed by a 429 comes due again later
            async with factory() as uow:
                if await uow.outbox_outstanding() == 0:
                    break
            clock.advance(timedelta(seconds=30))
            sent += await deliverer.drain()
        delivery_seconds = time.perf_counter() - started
        async with session.get(url.replace("/api/", "/_stats")) as response:
            stats = await response.json()
    finally:
        await session.close()
        fake.terminate()
        await fake.wait()

    posted: dict[str, int] = stats["keys"]
    duplicates = sum(count - 1 for count in posted.values() if count > 1)
    losses = participants - len(posted)
    achieved = stats["posted"] / delivery_seconds
    print(
        f"delivery: {sent} sent in {delivery_seconds:.1f} s = {achieved:.0f} msg/s "
        f"against {rate:.0f} allowed: {achieved / rate:.2f} of the allowed rate"
    )
    print(f"429 answered by the fake: {stats['rejected'].get('429', 0)}")
    print(f"duplicates: {duplicates}, losses: {losses}")
    # Each send is marked as begun before it goes and recorded right after: nothing is in
    # doubt without a crash, so Slack's history is never read.
    print(f"conversations.history calls: {stats['history_calls']}")


async def main_async(options: argparse.Namespace) -> None:
    if options.database_url and not options.database_url.startswith("sqlite"):
        async with scratch_postgres(options.database_url, "bench_checkins") as url:
            await run(url, options)
        return
    with tempfile.TemporaryDirectory() as folder:
        await run(options.database_url or f"sqlite:///{Path(folder) / 'bench.db'}", options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=400.0, help="messages/s Slack allows")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-delivery", action="store_true", help="the round only")
    parser.add_argument("--trace-memory", action="store_true", help="tracemalloc the round")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
