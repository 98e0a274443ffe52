"""Do replicas add up? One, then two ``tandem serve`` processes sharing one port on PostgreSQL.

A scratch PostgreSQL database (dropped afterwards) is migrated and seeded with one pair per
client. A fake Bot Connector runs in a process of its own (tests/fakes/bot_connector.py), the
clients in this one. Each round starts the servers as an operator would (``tandem serve`` with
``TANDEM_REUSE_PORT=true`` and the same ``PORT``: the kernel spreads the connections over
them), warms them up, then sends a burst of ``session log 45m "topic n"`` Teams activities from
concurrent clients, each client a person of their own (a conversation each), at the shared
port. Measured: activities applied per second, from the first request until every reply has
reached the connector. Checked: every activity answered with 200, every reply arrived once,
every session logged, and each person's sessions logged in the order they were sent (across
replicas, a conversation's turns keep their order).

    .venv/bin/python bench/replicas.py [--activities 600] [--clients 32]
        [--server-url postgresql://postgres@127.0.0.1:5432/postgres]

Target: two replicas apply at least 1.7x the activities per second of one. On a machine with
fewer cores than processes (servers, PostgreSQL, the clients) they share the same cores, so the
ratio also says how much CPU there was to add. What does not depend on the cores: the CPU time
the servers spent per activity (psutil, their user + system time during the measured burst).
When two replicas spend no more per activity than one (contention on shared rows, duplicated
work or lost caches would show there), N cores a replica give N times the rate: the projection
printed is the one-replica rate times 2 × (CPU per activity with one / with two).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import psutil  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from aiohttp import web  # noqa: E402

from bench.support import scratch_postgres  # noqa: E402
from storage.database import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.unit_of_work import SqlUnitOfWorkFactory  # noqa: E402
from tests.adapters.serve_process import ServeProcess, seed_pairs  # noqa: E402
from tests.fakes.bot_connector import TENANT, FakeBotConnector  # noqa: E402

BOT = {"id": "28:bench-bot", "name": "Tandem"}
TOPIC = re.compile(r"topic (\d+)")
_ids = itertools.count(1)


async def serve_connector() -> None:
    """The connector's process: the fake Bot Connector, and how many replies it got."""
    fake = FakeBotConnector()
    await fake.start()

    async def stats(request: web.Request) -> web.Response:
        # The replies to the people who logged (their partners are told too, by the outbox).
        numbers = [
            int(m.group(1))
            for sent in fake.sent
            if sent.conversation_id.startswith("a:29:bench-") and (m := TOPIC.search(sent.text))
        ]
        return web.json_response({"replies": len(numbers), "distinct": len(set(numbers))})

    application = web.Application()
    application.router.add_get("/stats", stats)
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"connector": fake.url, "stats": f"http://127.0.0.1:{port}/stats"}))
    sys.stdout.flush()
    await asyncio.Event().wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def activity(connector: str, mentor: str, number: int) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"bench-{next(_ids)}",
        "serviceUrl": connector,
        "channelId": "msteams",
        "from": {"id": mentor, "name": mentor},
        "conversation": {
            "conversationType": "personal",
            "tenantId": TENANT,
            "id": f"a:{mentor}",
        },
        "recipient": BOT,
        "locale": "en-US",
        "text": f'session log 45m "topic {number}"',
        "channelData": {"tenant": {"id": TENANT}},
    }


class Load:
    def __init__(self, urls: dict[str, str], mentors: list[str]) -> None:
        self.urls = urls
        self.mentors = mentors
        self.sent = 0
        self.errors = 0

    async def replies(self, http: aiohttp.ClientSession) -> dict[str, int]:
        async with http.get(self.urls["stats"]) as response:
            return dict(await response.json())

    async def burst(self, http: aiohttp.ClientSession, url: str, count: int) -> float:
        """Sends ``count`` activities from one client per person; activities per second until
        every reply has arrived."""
        per_client = {mentor: [] for mentor in self.mentors}  # type: dict[str, list[int]]
        for index in range(count):
            self.sent += 1
            per_client[self.mentors[index % len(self.mentors)]].append(self.sent)

        async def client(mentor: str, numbers: list[int]) -> None:
            for number in numbers:
                body = activity(self.urls["connector"], mentor, number)
                async with http.post(url, json=body) as response:
                    await response.read()
                    self.errors += response.status != 200

        started = time.monotonic()
        await asyncio.gather(*(client(m, n) for m, n in per_client.items()))
        deadline = time.monotonic() + 120
        while (await self.replies(http))["replies"] < self.sent:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.005)
        return count / (time.monotonic() - started)


async def round_of(
    replicas: int,
    load: Load,
    http: aiohttp.ClientSession,
    environment: dict[str, str],
    arguments: argparse.Namespace,
) -> tuple[float, float]:
    port = free_port()
    environment = {**environment, "PORT": str(port), "TANDEM_REUSE_PORT": "true"}
    servers = list(await asyncio.gather(*(start_server(environment) for _ in range(replicas))))
    url = f"http://127.0.0.1:{port}/api/messages"
    try:
        await load.burst(http, url, arguments.warmup)
        processes = [psutil.Process(server.process.pid) for server in servers]
        before = sum(_cpu_seconds(process) for process in processes)
        rate = await load.burst(http, url, arguments.activities)
        spent = sum(_cpu_seconds(process) for process in processes) - before
        return rate, spent / arguments.activities
    finally:
        for server in servers:
            await server.stop(signal.SIGTERM)


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def start_server(environment: dict[str, str]) -> ServeProcess:
    """``tandem serve`` as tests/adapters/serve_process.py starts it, with more patience: on a
    busy machine a process takes a while to import everything."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TANDEM_", "SLACK_", "MICROSOFT_", "TEAMS_", "DATABASE_"))
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=ROOT,
        env={**inherited, "TANDEM_LOG_LEVEL": "INFO", "TANDEM_LOG_FORMAT": "json", **environment},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    server = ServeProcess(process)
    server._reader = asyncio.create_task(server._read())
    port = await server._listening_port(within=300)
    server.url = f"http://127.0.0.1:{port}"
    await server.healthy(within=300)
    return server


async def in_order(database_url: str, mentors: int) -> tuple[int, int]:
    """(sessions logged, people whose sessions were logged out of the order they were sent)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.text(
                        "SELECT pair_id, topics FROM session_log ORDER BY pair_id, created_at, id"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    disordered = 0
    by_pair: dict[int, list[int]] = {}
    for pair_id, topics in rows:
        match = TOPIC.search(str(topics))
        if match:
            by_pair.setdefault(int(pair_id), []).append(int(match.group(1)))
    for numbers in by_pair.values():
        disordered += numbers != sorted(numbers)
    return len(rows), disordered


async def run(arguments: argparse.Namespace) -> None:
    connector = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--connector", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert connector.stdout is not None
        urls = json.loads(await connector.stdout.readline())
        async with scratch_postgres(arguments.server_url, "tandem_replicas") as database_url:
            await upgrade(database_url)
            mentors = [f"29:bench-{n}" for n in range(arguments.clients)]
            factory = SqlUnitOfWorkFactory(create_engine(database_url))
            await seed_pairs(factory, "teams", TENANT, mentors)
            await factory.engine.dispose()
            environment = {
                "DATABASE_URL": database_url,
                "TANDEM_LOCALE": "en",
                "MICROSOFT_SERVICE_URL": urls["connector"],
            }
            load = Load(urls, mentors)
            connector_pool = aiohttp.TCPConnector(limit=arguments.clients * 2)
            rates: dict[int, float] = {}
            cpu: dict[int, float] = {}
            async with aiohttp.ClientSession(connector=connector_pool) as http:
                for replicas in (1, 2):
                    rates[replicas], cpu[replicas] = await round_of(
                        replicas, load, http, environment, arguments
                    )
                stats = await load.replies(http)
            logged, disordered = await in_order(database_url, arguments.clients)
        errors = (
            load.errors + (load.sent - stats["replies"]) + (stats["replies"] - stats["distinct"])
        )
        errors += load.sent - logged
        report(rates, cpu, errors, disordered, arguments)
    finally:
        connector.terminate()
        await connector.wait()


def report(
    rates: dict[int, float],
    cpu: dict[int, float],
    errors: int,
    disordered: int,
    arguments: argparse.Namespace,
) -> None:
    cores = os.cpu_count() or 1
    print(
        f'"session log" Teams activities on PostgreSQL: {arguments.activities} a round from '
        f"{arguments.clients} people at once, one shared port ({cores} cores on this machine)"
    )
    print(f"{'replicas':<9} {'applied/s':>10} {'server CPU ms/activity':>23}")
    for replicas, rate in rates.items():
        print(f"{replicas:<9} {rate:>10.0f} {cpu[replicas] * 1000:>23.2f}")
    ratio = rates[2] / rates[1]
    print(f"two replicas / one: {ratio:.2f}x")
    projected = 2 * cpu[1] / cpu[2]
    print(
        f"CPU per activity, one replica / two: {cpu[1] / cpu[2]:.2f}; with a core per replica, "
        f"two would apply {projected:.2f}x one"
    )
    print(f"errors: {errors}; people whose sessions were logged out of order: {disordered}")
    checks = [
        ("two replicas apply >= 1.7x one", ratio >= 1.7),
        ("with a core per replica, two would apply >= 1.7x one", projected >= 1.7),
        ("zero errors", errors == 0),
        ("every conversation kept its order", disordered == 0),
    ]
    for label, met in checks:
        print(f"  {'met   ' if met else 'MISSED'} {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--activities", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=64)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--connector", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    asyncio.run(serve_connector() if arguments.connector else run(arguments))


if __name__ == "__main__":
    main()
