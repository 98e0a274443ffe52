"""How fast Teams gets its answer: ``session log 45m "topic"`` messages over real HTTP.

Two servers measured side by side in the same run, on the same stack (aiohttp, botbuilder's
CloudAdapter with ConfigurationBotFrameworkAuthentication, unauthenticated as for local use),
in a process of their own; the clients and the fake Bot Connector (tests/fakes/bot_connector.py)
they wait on run in this process, as Teams is outside the bot's process:

- ours: the real web app (the Teams adapter, the engine on SQLite), a paired participant set
  up first; each message logs a session and answers its confirmation;
- floor: a bare botbuilder echo bot (``CloudAdapter.process``, the reply sent in the turn).

Two times per activity, one at a time: the HTTP answer (ours writes an authenticated activity
to the durable inbox, acknowledges it and runs its turn right after; the echo bot answers once
its reply is sent), and the reply's arrival at the fake connector (``time.monotonic``). Then the
drain rate of a burst from concurrent clients: activities applied per second, from the first
request until every reply has arrived. Errors: a refused request, a reply missing or doubled,
and for ours a session not logged.

    .venv/bin/python bench/teams_turns.py [--sequential 300] [--concurrent 1000] [--clients 16]

Targets: the reply's p50 within 1.3x of the echo bot's, a throughput of at least 0.8 of the
echo bot's, and a handling p99 under 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from botbuilder.core import TurnContext  # noqa: E402
from botbuilder.integration.aiohttp import (  # noqa: E402
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from adapters.teams.app import BotFrameworkConfiguration  # noqa: E402
from adapters.web import make_app  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.main import build_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.fakes.bot_connector import TENANT, FakeBotConnector, Sent  # noqa: E402
from tests.pairs import seed_pair  # noqa: E402

MENTOR, MENTEE = "29:bench-mentor", "29:bench-mentee"
BOT = {"id": "28:bench-bot", "name": "Tandem"}
_ids = itertools.count(1)
TOPIC = re.compile(r"topic (\d+)")


@dataclass
class Figures:
    name: str
    times: list[float] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)
    rps: float = 0.0
    errors: int = 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def activity(service_url: str, conversation: str, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": str(next(_ids)),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": MENTOR, "name": "Léa"},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": conversation},
        "recipient": BOT,
        "locale": "en-US",
        "localTimezone": "Europe/Paris",
        "text": text,
        "channelData": {"tenant": {"id": TENANT}},
    }


def shown(sent: Sent) -> str:
    """What the person reads: the text, or the text blocks of the card (a confirmation with
    buttons, such as "Plan the next session", is an Adaptive Card)."""
    card = sent.card or {}
    blocks = [str(b.get("text", "")) for b in card.get("body", ()) if b.get("type") == "TextBlock"]
    return "\n".join([sent.text, *blocks])


class EchoBot:
    async def on_turn(self, context: TurnContext) -> None:
        if context.activity.type == "message":
            await context.send_activity(context.activity.text)


async def listen(application: web.Application) -> str:
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}"


async def serve_all(connector_url: str) -> None:
    """The servers' process: ours and the echo bot, answering through the connector at
    ``connector_url``; their URLs on stdout."""
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            database_url=f"sqlite:///{directory}/bench.db",
            tandem_locale="en",
            teams_enabled=True,
            microsoft_service_url=connector_url,
        )
        runtime = await build_runtime(settings, SystemClock(), migrate=True)
        pair_id = await seed_pair(
            runtime,
            platform="teams",
            workspace=TENANT,
            mentor=(MENTOR, "Léa"),
            mentee=(MENTEE, "Marc"),
            program_name="Bench",
            sessions_planned=1000,
        )

        async def logged(request: web.Request) -> web.Response:
            async with runtime.uow_factory() as uow:
                return web.json_response({"logged": await uow.session_count(pair_id)})

        echo_adapter = CloudAdapter(
            ConfigurationBotFrameworkAuthentication(
                BotFrameworkConfiguration("", "", "", "MultiTenant")
            )
        )
        echo_bot = EchoBot()

        async def echo(request: web.Request) -> web.StreamResponse:
            response = await echo_adapter.process(request, echo_bot)
            return response if response is not None else web.Response(status=201)

        floor_app = web.Application()
        floor_app.router.add_post("/api/messages", echo)
        stats_app = web.Application()
        stats_app.router.add_get("/logged", logged)
        urls = {
            "ours": await listen(make_app(None, runtime.teams)) + "/api/messages",
            "floor": await listen(floor_app) + "/api/messages",
            "logged": await listen(stats_app) + "/logged",
        }
        print(json.dumps(urls), flush=True)
        await asyncio.Event().wait()


class Arrivals:
    """When each numbered reply reached the fake connector, per server; read as they come."""

    def __init__(self, fake: FakeBotConnector) -> None:
        self.fake = fake
        self.seen = 0
        self.at: dict[str, dict[int, float]] = {"ours": {}, "floor": {}}
        self.numbers: dict[str, list[int]] = {"ours": [], "floor": []}

    def _read(self) -> None:
        for sent in self.fake.sent[self.seen :]:
            found = TOPIC.search(shown(sent))
            for name in ("ours", "floor"):
                if found and sent.conversation_id.startswith(f"a:bench-{name}"):
                    number = int(found.group(1))
                    self.numbers[name].append(number)
                    self.at[name].setdefault(number, sent.at)
        self.seen = len(self.fake.sent)

    async def until(self, name: str, count: int, within: float) -> dict[int, float]:
        """Returns once ``count`` replies of ``name`` arrived, or ``within`` seconds passed."""
        deadline = time.monotonic() + within
        self._read()
        while len(self.at[name]) < count and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError):
                await self.fake.wait_for(len(self.fake.sent) + 1, deadline - time.monotonic())
            self._read()
        return self.at[name]


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> bool:
    async with http.post(url, json=body) as response:
        await response.read()
        return response.status in (200, 201)


async def measure(
    http: aiohttp.ClientSession,
    urls: dict[str, str],
    arrivals: Arrivals,
    name: str,
    arguments: argparse.Namespace,
) -> tuple[Figures, int]:
    figures = Figures(name)
    conversation = f"a:bench-{name}"
    sent = 0
    started_at: dict[int, float] = {}

    def next_body(where: str = conversation) -> dict[str, Any]:
        nonlocal sent
        sent += 1
        return activity(arrivals.fake.url, where, f'session log 45m "topic {sent}"')

    async def until_replied(count: int, within: float) -> dict[int, float]:
        return await arrivals.until(name, count, within)

    for _ in range(20):  # warm-up: connections, caches, the SDK's first imports
        await post(http, urls[name], next_body())
    await until_replied(sent, 10)
    for _ in range(arguments.sequential):
        body = next_body()
        started = time.monotonic()
        started_at[sent] = started
        ok = await post(http, urls[name], body)
        figures.times.append(time.monotonic() - started)
        figures.errors += not ok
        # The next activity waits for this reply: one turn at a time, as a person types.
        arrived = await until_replied(sent, 5)
        if sent in arrived:
            figures.replies.append(arrived[sent] - started)
    # Concurrent clients are different people's chats, as they would be in a tenant.
    batch = [
        next_body(f"{conversation}-{index % arguments.clients}")
        for index in range(arguments.concurrent)
    ]
    queue = iter(batch)

    async def client() -> None:
        for body in queue:
            figures.errors += not await post(http, urls[name], body)

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(arguments.clients)))
    await until_replied(sent, 60)
    figures.rps = arguments.concurrent / (time.monotonic() - started)
    return figures, sent


async def run(arguments: argparse.Namespace) -> None:
    # The schemas are the tests' business: here they would slow down only the replies that
    # carry a card (ours), a cost the real service does not put on the bot.
    fake = FakeBotConnector(check_schemas=False)
    await fake.start()
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", fake.url, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        urls = json.loads(await server.stdout.readline())
        arrivals = Arrivals(fake)
        connector = aiohttp.TCPConnector(limit=arguments.clients * 2)
        results: dict[str, Figures] = {}
        async with aiohttp.ClientSession(connector=connector) as http:
            sent: dict[str, int] = {}
            for name in ("floor", "ours"):
                results[name], sent[name] = await measure(http, urls, arrivals, name, arguments)
            async with http.get(urls["logged"]) as response:
                logged = (await response.json())["logged"]
        for name, figures in results.items():
            numbers = arrivals.numbers[name]
            figures.errors += abs(len(numbers) - sent[name]) + len(numbers) - len(set(numbers))
        results["ours"].errors += sent["ours"] - logged
        report(results, arguments)
    finally:
        server.terminate()
        await server.wait()
        await fake.stop()


def report(results: dict[str, Figures], arguments: argparse.Namespace) -> None:
    print(
        f'"session log" messages: {arguments.sequential} one at a time, '
        f"{arguments.concurrent} with {arguments.clients} concurrent clients (SQLite)"
    )
    print(
        f"{'server':<8} {'handling p50':>13} {'p99':>8} {'reply p50':>10} {'p99':>8} "
        f"{'applied/s':>9} {'errors':>7}   (ms)"
    )
    for f in results.values():
        print(
            f"{f.name:<8} {percentile(f.times, 0.5):>13.2f} {percentile(f.times, 0.99):>8.2f} "
            f"{percentile(f.replies, 0.5):>10.2f} {percentile(f.replies, 0.99):>8.2f} "
            f"{f.rps:>9.0f} {f.errors:>7}"
        )
    ours, floor = results["ours"], results["floor"]
    ratio = statistics.median(ours.times) / statistics.median(floor.times)
    reply_ratio = statistics.median(ours.replies) / statistics.median(floor.replies)
    print(
        f"handling p50 ours / echo bot: {ratio:.2f}x; reply p50: {reply_ratio:.2f}x; "
        f"throughput: {ours.rps / floor.rps:.2f}"
    )
    checks = [
        ("reply p50 within 1.3x of the echo bot's", reply_ratio <= 1.3),
        ("throughput at least 0.8 of the echo bot's", ours.rps / floor.rps >= 0.8),
        ("handling p99 under 10 ms", percentile(ours.times, 0.99) < 10),
        ("zero errors", all(f.errors == 0 for f in results.values())),
    ]
    for label, met in checks:
        print(f"  {'met   ' if met else 'MISSED'} {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--serve", metavar="CONNECTOR_URL", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    asyncio.run(serve_all(arguments.serve) if arguments.serve else run(arguments))


if __name__ == "__main__":
    main()
