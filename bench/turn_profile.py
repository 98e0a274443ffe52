"""Where a turn's time goes: SQL statements per common turn, and a profile of ``session log``.

The engine on SQLite (a file, as in production), a paired mentor set up first; each turn goes
through ``Engine.handle`` the way the adapters call it, without HTTP. For each common turn
(``session log``, ``status``, a button clicked, a check-in answered) it prints the statements
the turn sends to the database (counted by an SQLAlchemy event listener) and its median time;
then, with ``--profile``, the functions ``session log`` spends most of its time in (cProfile).

    .venv/bin/python bench/turn_profile.py [--turns 200] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bot.clock import SystemClock  # noqa: E402
from bot.events import EventKind, InboundEvent, Sender  # noqa: E402
from bot.main import Runtime, build_runtime  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.pairs import seed_pair  # noqa: E402

WORKSPACE = "T-bench"
MENTOR = Sender("teams", WORKSPACE, "29:mentor", "Léa", locale="en")


class StatementCounter:
    """Counts the statements the engine's connections execute (BEGIN/COMMIT included)."""

    def __init__(self, runtime: Runtime) -> None:
        self.kinds: Counter[str] = Counter()
        self.shown = 0
        self.count_driver_calls()
        sync_engine = runtime.uow_factory.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", self._statement)
        event.listen(sync_engine, "begin", self._begin)
        event.listen(sync_engine, "commit", self._commit)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN"):
            return  # counted by _begin
        self.kinds[statement.split(None, 1)[0].upper()] += 1
        if self.shown:
            print("   ", " ".join(statement.split())[:200])

    def show(self, turns: int) -> None:
        self.shown = turns

    def _begin(self, _conn: Any) -> None:
        self.kinds["BEGIN"] += 1
        if self.shown:
            print("    BEGIN")

    def _commit(self, _conn: Any) -> None:
        self.kinds["COMMIT"] += 1
        if self.shown:
            print("    COMMIT")

    def count_driver_calls(self) -> None:
        """Each call into aiosqlite is a round trip to its thread: counted as ``driver``."""
        import aiosqlite.core

        original = aiosqlite.core.Connection._execute
        kinds = self

        async def counted(connection: Any, function: Any, *args: Any, **kwargs: Any) -> Any:
            kinds.kinds["driver"] += 1
            return await original(connection, function, *args, **kwargs)

        aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]

    def take(self) -> Counter[str]:
        taken, self.kinds = self.kinds, Counter()
        return taken


def command(text: str, delivery: str) -> InboundEvent:
    return InboundEvent(EventKind.COMMAND, MENTOR, text=text, delivery_id=delivery)


def choice_value(replies: list[Message]) -> str:
    for reply in replies:
        for choice in reply.choices:
            return choice.value
    raise LookupError("no button in the replies")


async def measure(
    name: str,
    runtime: Runtime,
    counter: StatementCounter,
    turns: int,
    make_turn: Callable[[int], Awaitable[list[Message]]],
) -> None:
    await make_turn(-1)  # warm-up
    counter.take()
    durations = []
    cpu_started = time.process_time()
    for number in range(turns):
        started = time.perf_counter()
        await make_turn(number)
        durations.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu_started) / turns
    kinds = counter.take()
    driver = kinds.pop("driver", 0) / turns
    per_turn = sum(kinds.values()) / turns
    detail = ", ".join(f"{kind} {count / turns:g}" for kind, count in sorted(kinds.items()))
    print(
        f"{name:<22} {statistics.median(durations) * 1000:7.2f} ms  cpu {cpu * 1000:6.2f} ms  "
        f"{per_turn:5.1f} statements ({detail}), {driver:g} driver calls"
    )


def print_by_package(stats: pstats.Stats, turns: int) -> None:
    """Own time per library (or per module of ours), per turn: where the CPU goes."""
    totals: Counter[str] = Counter()
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        if "site-packages/" in filename:
            where = filename.split("site-packages/")[1].split("/")[0]
        elif str(ROOT) in filename:
            where = filename.replace(str(ROOT) + "/", "")
        elif filename == "~":
            where = function if "poll" in function or "put" in function else "builtins"
        else:
            where = "stdlib " + Path(filename).stem
        totals[where] += own
    print("own time per turn, by library or module (ms):")
    for where, seconds in totals.most_common(25):
        print(f"  {seconds / turns * 1000:8.3f}  {where}")


async def run(arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(database_url=f"sqlite:///{directory}/profile.db", tandem_locale="en")
        runtime = await build_runtime(settings, SystemClock(), migrate=True)
        await seed_pair(
            runtime,
            platform="teams",
            workspace=WORKSPACE,
            mentor=(MENTOR.user_id, "Léa"),
            mentee=("29:mentee", "Marc"),
            sessions_planned=100_000,
        )
        engine = runtime.engine
        counter = StatementCounter(runtime)
        deliveries = iter(range(10**9))

        def log(number: int) -> Awaitable[list[Message]]:
            return engine.handle(
                command(f'session log 45m "topic {number}"', f"d{next(deliveries)}")
            )

        def status(_: int) -> Awaitable[list[Message]]:
            return engine.handle(command("status", f"d{next(deliveries)}"))

        async def button(_: int) -> list[Message]:
            # ``session plan`` asks to confirm with buttons; the click answers it.
            asked = await engine.handle(command("session plan tomorrow 10:00", "x"))
            value = choice_value(asked)
            return await engine.handle(
                InboundEvent(EventKind.CHOICE, MENTOR, value=value, delivery_id=f"d{value}")
            )

        print(f"{arguments.turns} turns each, SQLite, one at a time")
        await measure("session log", runtime, counter, arguments.turns, log)
        await measure("status", runtime, counter, arguments.turns, status)
        if arguments.show:
            print("the statements of one session log:")
            counter.show(1)
            await log(-2)
            print("the statements of one status:")
            await status(-2)
            counter.show(0)
        if arguments.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for number in range(arguments.turns):
                await log(number)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(arguments.sort)
            stats.print_stats(arguments.lines)
            print_by_package(stats, arguments.turns)
        del button
        await runtime.close()


async def run_teams(arguments: argparse.Namespace) -> None:
    """The same ``session log`` through the real Teams HTTP stack, profiled end to end."""
    import aiohttp

    from adapters.web import make_app
    from tests.fakes.bot_connector import TENANT, FakeBotConnector

    fake = FakeBotConnector()
    await fake.start()
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            database_url=f"sqlite:///{directory}/profile.db",
            tandem_locale="en",
            teams_enabled=True,
            microsoft_service_url=fake.url,
        )
        runtime = await build_runtime(settings, SystemClock(), migrate=True)
        mentor = "29:bench-mentor"
        await seed_pair(
            runtime,
            platform="teams",
            workspace=TENANT,
            mentor=(mentor, "Léa"),
            mentee=("29:bench-mentee", "Marc"),
            sessions_planned=100_000,
        )
        assert runtime.teams is not None
        runner = web.AppRunner(make_app(None, runtime.teams), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/api/messages"
        counter = StatementCounter(runtime)

        async def turn(http: aiohttp.ClientSession, number: int) -> None:
            body = {
                "type": "message",
                "id": f"a{number}",
                "serviceUrl": fake.url,
                "channelId": "msteams",
                "from": {"id": mentor, "name": "Léa"},
                "conversation": {
                    "conversationType": "personal",
                    "tenantId": TENANT,
                    "id": "a:bench",
                },
                "recipient": {"id": "28:bench-bot", "name": "Tandem"},
                "locale": "en-US",
                "text": f'session log 45m "topic {number}"',
                "channelData": {"tenant": {"id": TENANT}},
            }
            expected = len(fake.sent) + 1
            async with http.post(url, json=body) as response:
                assert response.status == 200, response.status
            await runtime.teams.settled()  # type: ignore[union-attr]
            assert len(fake.sent) == expected

        async with aiohttp.ClientSession() as http:
            for number in range(20):
                await turn(http, -number - 1)
            counter.take()
            profiler = cProfile.Profile() if arguments.profile else None
            cpu_started, started = time.process_time(), time.perf_counter()
            if profiler is not None:
                profiler.enable()
            for number in range(arguments.turns):
                await turn(http, number)
            if profiler is not None:
                profiler.disable()
            cpu = (time.process_time() - cpu_started) / arguments.turns
            wall = (time.perf_counter() - started) / arguments.turns
        kinds = counter.take()
        driver = kinds.pop("driver", 0) / arguments.turns
        print(
            f"teams session log over HTTP: {wall * 1000:.2f} ms a turn, cpu {cpu * 1000:.2f} ms "
            f"(client and fake connector included), "
            f"{sum(kinds.values()) / arguments.turns:.1f} statements, {driver:g} driver calls"
        )
        if profiler is not None:
            stats = pstats.Stats(profiler).sort_stats(arguments.sort)
            stats.print_stats(arguments.lines)
            print_by_package(stats, arguments.turns)
        await runner.cleanup()
        await runtime.close()
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--show", action="store_true", help="print one turn's statements")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--teams", action="store_true", help="through the Teams HTTP stack")
    arguments = parser.parse_args()
    asyncio.run(run_teams(arguments) if arguments.teams else run(arguments))


if __name__ == "__main__":
    main()
