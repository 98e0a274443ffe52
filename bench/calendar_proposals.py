"""Proposals for many pairs against a connected calendar (a script that prints figures, not a
test): batched free/busy next to the naive one-request-per-person baseline.

    .venv/bin/python bench/calendar_proposals.py [--pairs 1000] [--latency 0.05] [--in-flight 8]

The fake Microsoft Graph of the tests (tests/fakes/graph_calendar.py) runs on a local port and
answers every request after ``--latency`` seconds, each of the 2 x pairs mailboxes seeded with
meetings over the next two weeks. The real Graph connector (msal token, getSchedule) reads the
free/busy, then the engine's slot search (bot.calendar.slots.propose) makes each pair's three
proposals. Three ways, the same connector and the same cap of requests in flight:

- naive: one getSchedule request per person;
- per pair: one request for both people of a pair (what one ``/session plan`` turn sends);
- batched: every mailbox at once, in getSchedule's batches of 20.

Printed for each: wall time, time per pair, requests per pair, and the ratio to the naive way.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.calendar.graph import GraphCalendar
from adapters.calendar.http import CalendarHttp
from bot.calendar.mailbox import Refusal
from bot.calendar.slots import HORIZON, Availability, Interval, propose
from bot.scheduling.working_hours import WorkingHours
from tests.fakes.graph_calendar import CLIENT_ID, TENANT, FakeGraph

NOW = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
WINDOW = Interval(NOW, NOW + HORIZON + timedelta(days=1))
ZONES = [ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Singapore")]
Busy = dict[str, tuple[Interval, ...] | Refusal]


def seed(graph: FakeGraph, pairs: int, rng: random.Random) -> list[tuple[str, str]]:
    """Two mailboxes a pair, each with 3 to 12 one-hour meetings over the next two weeks."""
    people: list[tuple[str, str]] = []
    for number in range(pairs):
        pair = (f"mentor{number}@contoso.com", f"mentee{number}@contoso.com")
        for mailbox in pair:
            for _ in range(rng.randint(3, 12)):
                start = NOW + timedelta(hours=rng.randrange(14 * 24))
                graph.busy[mailbox].append((start, start + timedelta(hours=1)))
        people.append(pair)
    return people


def proposals(pairs: list[tuple[str, str]], busy: Busy) -> int:
    """The three proposals of every pair; how many pairs got three."""
    full = 0
    for number, pair in enumerate(pairs):
        people = [
            Availability(
                zone=ZONES[(number + side) % len(ZONES)],
                hours=WorkingHours(),
                busy=_intervals(busy.get(mailbox)),
            )
            for side, mailbox in enumerate(pair)
        ]
        full += len(propose(people, timedelta(hours=1), NOW)) == 3
    return full


def _intervals(found: tuple[Interval, ...] | Refusal | None) -> tuple[Interval, ...]:
    return found if isinstance(found, tuple) else ()


async def naive(graph: GraphCalendar, pairs: list[tuple[str, str]]) -> Busy:
    answers = await asyncio.gather(
        *(graph.busy([mailbox], WINDOW) for pair in pairs for mailbox in pair)
    )
    return {mailbox: busy for answer in answers for mailbox, busy in answer.items()}


async def per_pair(graph: GraphCalendar, pairs: list[tuple[str, str]]) -> Busy:
    answers = await asyncio.gather(*(graph.busy(list(pair), WINDOW) for pair in pairs))
    return {mailbox: busy for answer in answers for mailbox, busy in answer.items()}


async def batched(graph: GraphCalendar, pairs: list[tuple[str, str]]) -> Busy:
    return await graph.busy([mailbox for pair in pairs for mailbox in pair], WINDOW)


async def measure(
    name: str,
    way: Callable[[GraphCalendar, list[tuple[str, str]]], Awaitable[Busy]],
    server: FakeGraph,
    pairs: list[tuple[str, str]],
    in_flight: int,
) -> tuple[str, float, float, float, int]:
    http = CalendarHttp(timeout_seconds=30, retry_budget_seconds=0, max_in_flight=in_flight)
    graph = GraphCalendar(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=server.client_secret,
        http=http,
        api_url=server.api_url,
        login_url=server.url,
    )
    try:
        await graph._token()  # the token once, outside the timing, as in a running process
        started = time.perf_counter()
        busy = await way(graph, pairs)
        read = time.perf_counter() - started
        full = proposals(pairs, busy)
        elapsed = time.perf_counter() - started
    finally:
        await graph.close()
    refused = sum(isinstance(b, Refusal) for b in busy.values())
    assert refused == 0, f"{name}: {refused} mailboxes refused"
    return name, elapsed, read, http.sent / len(pairs), full


async def main(pair_count: int, latency: float, in_flight: int) -> None:
    server = FakeGraph(latency=latency)
    await server.start()
    try:
        pairs = seed(server, pair_count, random.Random(15))
        rows = [
            await measure(name, way, server, pairs, in_flight)
            for name, way in (("naive", naive), ("per pair", per_pair), ("batched", batched))
        ]
    finally:
        await server.stop()
    print(
        f"{pair_count} pairs, {2 * pair_count} mailboxes, {latency * 1000:.0f} ms per answer, "
        f"{in_flight} requests in flight at most"
    )
    print(
        f"{'way':<10}{'wall s':>9}{'free/busy s':>13}{'ms/pair':>10}{'req/pair':>10}"
        f"{'speed-up':>10}{'3 slots':>9}"
    )
    base = rows[0][1]
    for name, elapsed, read, per, full in rows:
        print(
            f"{name:<10}{elapsed:>9.2f}{read:>13.2f}{elapsed / pair_count * 1000:>10.2f}"
            f"{per:>10.3f}{base / elapsed:>9.1f}x{full:>9}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--in-flight", type=int, default=8)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.pairs, arguments.latency, arguments.in_flight))
