"""A check-in round for 10,000 participants, measured end to end.

1. The tick: working out who is due and writing check-ins, conversations and outbox rows,
   against a baseline measured in the same run (a bare bulk insert of as many outbox rows).
2. Delivery against a local fake Slack Web API that enforces a rate limit: the achieved rate as
   a fraction of the allowed rate (target >= 0.9), with duplicates and losses counted, and the
   history lookups made (none without a crash: every send is marked before it goes).

    .venv/bin/python bench/checkins.py [--participants 10000] [--rate 400]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack.port import SlackChatPort  # noqa: E402
from bot.clock import VirtualClock  # noqa: E402
from bot.delivery import Deliverer  # noqa: E402
from bot.domain import Enrollment, OutboxMessage, Person, Program, Role  # noqa: E402
from bot.i18n import Renderer  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.ports import Pace  # noqa: E402
from bot.scheduling.ticker import Ticker  # noqa: E402
from bot.turn import EngineConfig  # noqa: E402
from storage import tables  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import downgrade, upgrade  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402
from tests.fakes.slack_api import TOKEN  # noqa: E402

# Monday 2 November 2026, 10:00 in Paris: the first check-in of people who joined two weeks ago.
START = date(2026, 10, 19)
DUE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def seed(factory: SqlUnitOfWorkFactory, participants: int) -> None:
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
        # Steady state: the direct-message channel of each person is already known (the Slack
        # adapter keeps it from their first message), as it is after the first fan-out.
        people = [
            Person(
                "slack",
                "T1",
                f"U{index:06d}",
                f"Person {index}",
                joined,
                "en",
                "Europe/Paris",
                address={"dm_channel": f"D{index:06d}"},
            )
            for index in range(participants)
        ]
        for person in people:
            uow.add(person)
        await uow.flush()
        assert program.id is not None
        for index, person in enumerate(people):
            assert person.id is not None
            role = Role.MENTOR if index % 2 == 0 else Role.MENTEE
            uow.add(Enrollment(program.id, person.id, role, joined))
        await uow.commit()


async def baseline_insert(factory: SqlUnitOfWorkFactory, count: int) -> float:
    """The floor: one bulk insert of ``count`` outbox rows, nothing else."""
    now = DUE
    rows = [
        OutboxMessage(
            key=f"baseline:{index}",
            purpose="baseline",
            platform="slack",
            payload=Message(text="x").to_payload(),
            created_at=now,
            not_before=now,
            person_id=None,
            channel={"channel": "C1"},
        )
        for index in range(count)
    ]
    started = time.perf_counter()
    async with factory() as uow:
        await uow.enqueue_many(rows)
        await uow.commit()
    elapsed = time.perf_counter() - started
    async with factory() as uow:
        await uow.session.execute(sa.delete(tables.outbox))
        await uow.commit()
    return elapsed


async def run(database_url: str, participants: int, rate: float) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    factory = SqlUnitOfWorkFactory(engine)
    try:
        await seed(factory, participants)
        baseline = await baseline_insert(factory, participants)

        clock = VirtualClock(DUE)
        ticker = Ticker(factory, clock, Renderer(default_locale="en"), EngineConfig("en"))
        started = time.perf_counter()
        queued = await ticker.tick()
        tick_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = await ticker.tick()
        idle_tick = time.perf_counter() - started

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
        backend = engine.dialect.name
        print(f"== {backend}, {participants} participants")
        print(
            f"tick (who is due + check-ins + outbox): {tick_seconds:.2f} s, queued {dict(queued)}"
        )
        print(f"baseline bulk insert of {participants} outbox rows: {baseline:.2f} s")
        print(f"tick / baseline: {tick_seconds / baseline:.1f}x")
        print(f"second tick, nothing new due: {idle_tick:.2f} s, queued {dict(again)}")
        print(
            f"delivery: {sent} sent in {delivery_seconds:.1f} s = {achieved:.0f} msg/s "
            f"against {rate:.0f} allowed: {achieved / rate:.2f} of the allowed rate"
        )
        print(f"429 answered by the fake: {stats['rejected'].get('429', 0)}")
        print(f"duplicates: {duplicates}, losses: {losses}")
        # Each send is marked as begun before it goes and recorded right after: nothing is in
        # doubt without a crash, so Slack's history is never read.
        print(f"conversations.history calls: {stats['history_calls']}")
    finally:
        await engine.dispose()
        if not database_url.startswith("sqlite"):
            await downgrade(database_url, "base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=400.0, help="messages/s Slack allows")
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(run(url, arguments.participants, arguments.rate))


if __name__ == "__main__":
    main()
