"""How fast Slack gets its answer: signed ``/session log 45m "topic"`` one-liners over real HTTP.

Three servers measured side by side in the same run, each behind aiohttp on a local port, in a
process of their own; the clients and the fake Slack Web API (tests/fakes/slack_api.py) run in
this process, so that neither their work nor Slack's delays the servers' answers:

- ours: the real web app (Bolt inside aiohttp, the engine on SQLite), a paired participant set
  up first;
- floor: a bare slack_bolt AsyncApp whose only listener acknowledges the same slash command,
  with Bolt's defaults;
- floor-pbr: the same bare app with ``process_before_response=True``.

For each: p50 and p99 of the time to the acknowledgement one request at a time, and requests
per second with 32 concurrent clients, with errors counted (a refused request, a confirmation
missing or sent twice). For ours, also the time from the acknowledgement until the person's
confirmation is posted to the fake Slack (one at a time; the fake wakes the client),
and the drain rate of the concurrent burst: commands applied (in the database) per second, from
its first request until its last session is logged. Every request is written to the durable
inbox before it is acknowledged.

    .venv/bin/python bench/slack_ack.py [--sequential 300] [--concurrent 1000] [--clients 32]

Targets: p50 within 3x of the faster floor, p99 under 10 ms, at least 40 % of the faster floor's
throughput, confirmation within 1 s and its p50 within 10 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.app.async_app import AsyncApp  # noqa: E402
from slack_bolt.context.ack.async_ack import AsyncAck  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.web import make_app  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.main import build_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.adapters.slack.payloads import SIGNING_SECRET, signed_headers, slash_command  # noqa: E402
from tests.adapters.slack.world import seed_runtime_pair  # noqa: E402
from tests.fakes.slack_api import TOKEN, FakeSlack  # noqa: E402

FORM = "application/x-www-form-urlencoded"
MENTOR, MENTEE = "UBENCHMENTOR", "UBENCHMENTEE"


@dataclass
class Figures:
    name: str
    acks: list[float] = field(default_factory=list)
    confirmations: list[float] = field(default_factory=list)
    rps: float = 0.0
    errors: int = 0
    # Commands applied per second over the concurrent burst: from its first request until the
    # last session is in the database (acknowledged is not applied; the inbox runs the rest).
    drain_rate: float = 0.0
    burst_started: float = 0.0

    def percentile(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def serve(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> tuple[str, web.AppRunner]:
    application = web.Application()
    application.router.add_post("/slack/events", handler)
    return await listen(application)


async def listen(application: web.Application) -> tuple[str, web.AppRunner]:
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}/slack/events", runner


def bare_bolt(slack_url: str, *, process_before_response: bool) -> AsyncApp:
    client = AsyncWebClient(token=TOKEN, base_url=slack_url)
    app = AsyncApp(
        client=client,
        signing_secret=SIGNING_SECRET,
        process_before_response=process_before_response,
        name="floor",
    )

    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    app.command("/session")(acknowledge)
    return app


def bolt_handler(app: AsyncApp) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    return handle


class Requests:
    """Signed one-liners, each with a trigger id of its own (a repeated one is dropped)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def next(self) -> tuple[bytes, dict[str, str]]:
        self.count += 1
        body = slash_command(
            MENTOR, "/session", f'log 45m "topic {self.count}"', f"trig-{self.name}-{self.count}"
        )
        return body.encode(), signed_headers(body, FORM)


async def one(http: aiohttp.ClientSession, url: str, request: tuple[bytes, dict[str, str]]) -> bool:
    body, headers = request
    async with http.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status == 200


async def sequential(
    http: aiohttp.ClientSession,
    url: str,
    figures: Figures,
    requests: Requests,
    count: int,
    slack: FakeSlack | None,
) -> None:
    for _ in range(count):
        request = requests.next()
        posted = len(slack.posted) if slack is not None else 0
        started = time.perf_counter()
        ok = await one(http, url, request)
        acked = time.perf_counter()
        figures.acks.append(acked - started)
        figures.errors += not ok
        if slack is not None:
            # The person's confirmation: one chat.postMessage to their direct messages.
            if await until_posted(slack, posted + 1, 5):
                figures.confirmations.append(time.perf_counter() - acked)
            else:
                figures.errors += 1


async def until_logged(http: aiohttp.ClientSession, logged: str, count: int, within: float) -> int:
    """Waits until ``count`` sessions are in the database; returns how many there are."""
    deadline = time.perf_counter() + within
    while True:
        async with http.get(logged) as response:
            applied = int(await response.json())
        if applied >= count or time.perf_counter() > deadline:
            return applied
        # Counting is work for the server: not so often that it slows what it measures.
        await asyncio.sleep(0.05)


async def until_posted(slack: FakeSlack, count: int, within: float) -> bool:
    try:
        await asyncio.wait_for(slack.when_posted(count).wait(), within)
    except TimeoutError:
        return False
    return True


async def concurrent(
    http: aiohttp.ClientSession,
    url: str,
    figures: Figures,
    requests: Requests,
    count: int,
    clients: int,
) -> None:
    batch = [requests.next() for _ in range(count)]
    queue = iter(batch)
    errors = 0

    async def client() -> None:
        nonlocal errors
        for request in queue:
            try:
                errors += not await one(http, url, request)
            except aiohttp.ClientError:
                errors += 1

    started = figures.burst_started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    figures.rps = count / (time.perf_counter() - started)
    figures.errors += errors


async def serve_all(slack_url: str) -> None:
    """The servers' process: ours and the two floors, calling the Web API at ``slack_url``;
    their URLs on stdout."""
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            database_url=f"sqlite:///{directory}/bench.db",
            tandem_locale="en",
            slack_bot_token=TOKEN,  # type: ignore[arg-type]
            slack_signing_secret=SIGNING_SECRET,  # type: ignore[arg-type]
            slack_api_url=slack_url,
        )
        runtime = await build_runtime(settings, SystemClock(), migrate=True)
        pair_id = await seed_runtime_pair(runtime, "Bench", 100_000, MENTOR, MENTEE)

        async def logged(request: web.Request) -> web.Response:
            async with runtime.uow_factory() as uow:
                return web.json_response(await uow.session_count(pair_id))

        counter = web.Application()
        counter.router.add_get("/logged", logged)
        logged_url, _ = await listen(counter)
        ours, _ = await listen(make_app(runtime.slack))
        floor, _ = await serve(bolt_handler(bare_bolt(slack_url, process_before_response=False)))
        pbr, _ = await serve(bolt_handler(bare_bolt(slack_url, process_before_response=True)))
        urls = {"ours": ours, "floor": floor, "floor-pbr": pbr}
        urls["logged"] = logged_url.replace("/slack/events", "/logged")
        print(json.dumps(urls), flush=True)
        await asyncio.Event().wait()


async def run(arguments: argparse.Namespace) -> None:
    slack = FakeSlack(rate_per_second=1e9, burst=1e9)
    slack.users[MENTOR] = {"real_name": "Léa", "tz": "Europe/Paris", "locale": "en-GB"}
    await slack.start()
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", slack.url, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        urls = json.loads(await server.stdout.readline())
        results = {name: Figures(name) for name in ("ours", "floor", "floor-pbr")}
        connector = aiohttp.TCPConnector(limit=arguments.clients * 2)
        async with aiohttp.ClientSession(connector=connector) as http:
            for name, figures in results.items():
                url = urls[name]
                requests = Requests(name)
                ours = slack if name == "ours" else None
                # Warm-up: the first auth.test and users.info, connections, caches.
                await sequential(http, url, Figures("warm"), requests, 20, ours)
                await asyncio.sleep(0.2)
                await sequential(http, url, figures, requests, arguments.sequential, ours)
                posted = len(slack.posted)
                await concurrent(
                    http, url, figures, requests, arguments.concurrent, arguments.clients
                )
                if ours is not None:
                    logged_before = requests.count - arguments.concurrent
                    applied = await until_logged(http, urls["logged"], requests.count, 120)
                    figures.drain_rate = (applied - logged_before) / (
                        time.perf_counter() - figures.burst_started
                    )
                    # Every confirmation of the concurrent run arrives, once.
                    expected = posted + arguments.concurrent
                    await until_posted(slack, expected, 60)
                    await asyncio.sleep(0.5)
                    figures.errors += abs(len(slack.posted) - expected)
                    # Each request logged its session (a turn that failed answered an apology).
                    async with http.get(urls["logged"]) as response:
                        sent = requests.count
                        figures.errors += sent - int(await response.json())
        report(results, arguments)
    finally:
        server.terminate()
        await server.wait()
        await slack.stop()


def report(results: dict[str, Figures], arguments: argparse.Namespace) -> None:
    print(
        f"/session log one-liners: {arguments.sequential} one at a time, "
        f"{arguments.concurrent} with {arguments.clients} concurrent clients"
    )
    print(
        f"{'server':<10} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}  "
        "confirmation; burst applied per second"
    )
    for figures in results.values():
        confirmation = ""
        if figures.confirmations:
            confirmation = (
                f"p50 {figures.percentile(figures.confirmations, 0.5):.1f} ms, "
                f"max {max(figures.confirmations) * 1000:.1f} ms; "
                f"{figures.drain_rate:.0f} applied/s"
            )
        print(
            f"{figures.name:<10} {figures.percentile(figures.acks, 0.5):>8.2f} "
            f"{figures.percentile(figures.acks, 0.99):>8.2f} {figures.rps:>8.0f} "
            f"{figures.errors:>7}  {confirmation}"
        )
    ours = results["ours"]
    floors = [results["floor"], results["floor-pbr"]]
    fast_p50 = min(statistics.median(f.acks) for f in floors)
    fast_rps = max(f.rps for f in floors)
    checks = [
        ("p50 within 3x of the faster floor", statistics.median(ours.acks) <= 3 * fast_p50),
        ("p99 under 10 ms", ours.percentile(ours.acks, 0.99) < 10),
        ("throughput >= 40 % of the faster floor", ours.rps >= 0.4 * fast_rps),
        ("confirmation within 1 s", bool(ours.confirmations) and max(ours.confirmations) < 1),
        (
            "confirmation p50 within 10 ms",
            bool(ours.confirmations) and statistics.median(ours.confirmations) <= 0.010,
        ),
        ("zero errors", all(f.errors == 0 for f in results.values())),
    ]
    for label, met in checks:
        print(f"  {'met   ' if met else 'MISSED'} {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--serve", metavar="SLACK_URL", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    asyncio.run(serve_all(arguments.serve) if arguments.serve else run(arguments))


if __name__ == "__main__":
    main()
