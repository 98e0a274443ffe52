"""Nothing acknowledged is lost: real ``tandem serve`` processes, serving Slack and Teams at
once, killed (SIGKILL) or stopped (SIGTERM) right after a burst of acknowledged Slack commands
and Teams activities, then restarted; every request is applied exactly once.

Each of the four rounds (SIGKILL, then SIGTERM, at 0 and 1 s after the last acknowledgement)
ends the process that took the burst. On PostgreSQL a second replica shares
every burst and survives: it runs what the dead ones held once their leases run out.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.serve_process import (
    ServeProcess,
    drained,
    held_inbox_rows,
    logged_topics,
    seed_pairs,
    unfinished_inbox,
)
from tests.adapters.slack.payloads import SIGNING_SECRET, TEAM, signed_headers, slash_command
from tests.fakes.bot_connector import TENANT, FakeBotConnector
from tests.fakes.slack_api import TOKEN, FakeSlack

FORM = "application/x-www-form-urlencoded"
MENTORS = [f"U{number:03d}" for number in range(20)]
TEAMS_MENTORS = [f"29:mentor-{number:03d}" for number in range(20)]
# Commands in a burst right before a kill at once, and before a later one: enough that the process
# is still busy when it dies (the first round asserts it left work behind), few enough that the
# rounds stay cheap on two cores.
BURST = 100
BURST_LATE = 40
# A lease short enough that a survivor takes a dead replica's rows within the test.
LEASE = "3"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    # Slack's rate limit holds the confirmations back, so that a backlog of acknowledged
    # commands is still waiting when the process is killed, as in a real burst.
    fake = FakeSlack(rate_per_second=60, burst=20)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeBotConnector]:
    fake = FakeBotConnector()
    await fake.start()
    yield fake
    await fake.stop()


def environment_of(database_url: str, fake: FakeSlack) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "TEAMS_ENABLED": "true",
        "TANDEM_INBOX_LEASE_SECONDS": LEASE,
        "TANDEM_SHUTDOWN_SECONDS": "2",
        # The outbox (feedback requests to mentees) is not what these tests look at.
        "TANDEM_SCHEDULER_INTERVAL_SECONDS": "3600",
    }


async def slack_burst(urls: list[str], round_name: str, count: int) -> list[str]:
    """``count`` signed ``/session log`` commands, spread over the servers; every one must be
    acknowledged. Returns the topics sent."""
    topics = [f"{round_name} n{number}" for number in range(count)]
    limit = asyncio.Semaphore(20)

    async def send(http: aiohttp.ClientSession, number: int) -> int:
        mentor = MENTORS[number % len(MENTORS)]
        body = slash_command(
            mentor, "/session", f'log 45m "{topics[number]}"', f"trig-{round_name}-{number}"
        )
        url = urls[number % len(urls)]
        async with (
            limit,
            http.post(
                f"{url}/slack/events", data=body.encode(), headers=signed_headers(body, FORM)
            ) as response,
        ):
            return response.status

    async with aiohttp.ClientSession() as http:
        statuses = await asyncio.gather(*(send(http, number) for number in range(count)))
    assert Counter(statuses) == {200: count}
    return topics


def exactly_once(sent: list[str], applied: list[str]) -> None:
    counts = Counter(applied)
    missing = [topic for topic in sent if counts[topic] == 0]
    twice = [topic for topic, seen in counts.items() if seen > 1]
    assert not missing, f"{len(missing)} acknowledged commands lost, e.g. {missing[:3]}"
    assert not twice, f"{len(twice)} commands applied twice, e.g. {twice[:3]}"
    assert len(applied) == len(sent)


# (signal, seconds after the last acknowledgement): each round kills or stops the process
# that took the burst, and the next round's process starts by running what it left.
# At once (the burst still being worked on) and a second later (mostly done, replies still
# going out): each signal at both moments.
ROUNDS = [
    (signal.SIGKILL, 0.0),
    (signal.SIGKILL, 1.0),
    (signal.SIGTERM, 0.0),
    (signal.SIGTERM, 1.0),
]


Burst = Callable[[list[str], str, int], Awaitable[list[str]]]


async def survive_rounds(
    uow_factory: SqlUnitOfWorkFactory,
    environment: dict[str, str],
    database_backend: str,
    burst: Burst,
) -> list[int]:
    """Plays ROUNDS: each round's process takes a burst, then is killed or stopped; on
    PostgreSQL a second replica shares every burst and survives them all. Then the last process
    standing drains the inbox, and every request must have been applied once. Returns how many
    requests each round left unfinished in the inbox."""
    survivor = await ServeProcess.start(environment) if database_backend == "postgresql" else None
    sent: list[str] = []
    left_behind: list[int] = []
    for number, (stop, delay) in enumerate(ROUNDS):
        victim = await ServeProcess.start(environment)
        urls = [victim.url] + ([survivor.url] if survivor is not None else [])
        sent += await burst(urls, f"r{number}", BURST if delay == 0 else BURST_LATE)
        await asyncio.sleep(delay)
        code = await victim.stop(stop)
        left_behind.append(await unfinished_inbox(uow_factory))
        if stop is signal.SIGTERM:
            assert code == 0, (await victim.errors())[-2000:]
            # A graceful stop hands its rows back: none stays held by the stopped process.
            assert await held_inbox_rows(uow_factory, victim.process.pid) == 0
    # The restarted process (SQLite), or the survivor once the dead ones' leases ran out.
    last = survivor or await ServeProcess.start(environment)
    await drained(uow_factory, within=120)
    assert await last.stop(signal.SIGTERM) == 0
    exactly_once(sent, await logged_topics(uow_factory))
    return left_behind


def teams_message(
    fake: FakeBotConnector, user: str, text: str, activity_id: str
) -> dict[str, object]:
    return {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-11-30T10:00:00.000Z",
        "serviceUrl": fake.url,
        "channelId": "msteams",
        "from": {"id": user, "name": user, "aadObjectId": f"aad-{user}"},
        "conversation": {
            "conversationType": "personal",
            "tenantId": TENANT,
            "id": fake.personal_conversation(user),
        },
        "recipient": {"id": "28:tandem-bot", "name": "Tandem"},
        "text": text,
        "locale": "en-US",
        "channelData": {"tenant": {"id": TENANT}},
    }


def teams_burst(fake: FakeBotConnector) -> Burst:
    async def burst(urls: list[str], round_name: str, count: int) -> list[str]:
        topics = [f"{round_name} n{number}" for number in range(count)]
        limit = asyncio.Semaphore(20)

        async def send(http: aiohttp.ClientSession, number: int) -> int:
            mentor = TEAMS_MENTORS[number % len(TEAMS_MENTORS)]
            activity = teams_message(
                fake, mentor, f'session log 45m "{topics[number]}"', f"{round_name}-{number}"
            )
            url = urls[number % len(urls)]
            async with limit, http.post(f"{url}/api/messages", json=activity) as response:
                return response.status

        async with aiohttp.ClientSession() as http:
            statuses = await asyncio.gather(*(send(http, number) for number in range(count)))
        assert Counter(statuses) == {200: count}
        return topics

    return burst


def both(slack: Burst, teams: Burst) -> Burst:
    """Every burst, half Slack commands and half Teams activities, sent together."""

    async def burst(urls: list[str], round_name: str, count: int) -> list[str]:
        sent = await asyncio.gather(
            slack(urls, f"{round_name}s", count // 2),
            teams(urls, f"{round_name}t", count - count // 2),
        )
        return [topic for topics in sent for topic in topics]

    return burst


async def test_slack_commands_and_teams_activities_survive_kills_and_stops(
    migrated_url: str,
    database_backend: str,
    uow_factory: SqlUnitOfWorkFactory,
    fake_slack: FakeSlack,
    fake_connector: FakeBotConnector,
) -> None:
    await seed_pairs(uow_factory, "slack", TEAM, MENTORS)
    await seed_pairs(uow_factory, "teams", TENANT, TEAMS_MENTORS)
    environment = environment_of(migrated_url, fake_slack)
    burst = both(slack_burst, teams_burst(fake_connector))
    left_behind = await survive_rounds(uow_factory, environment, database_backend, burst)
    # A kill right after the burst left work for the next process: the test tested something.
    assert left_behind[0] > 0, left_behind
