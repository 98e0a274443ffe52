"""Real deliverer processes against the fake Slack: killed, cut off from PostgreSQL, stopped.

Each time every message arrives exactly once, and soon: the last one within 45 s of the first,
not after a lease has run out; and Slack's history is read only for the conversations where a
send may have begun and was not recorded, one page each.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.conftest_helpers import fan_out
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.fakes.tcp_proxy import CuttableProxy

ROOT = Path(__file__).resolve().parents[2]
ARRIVAL_SPREAD_LIMIT = 45.0


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    # Slack's Tier 3 limit on history reads, and a round trip per post, so that a kill or a
    # cut always finds sends under way.
    fake = FakeSlack(rate_per_second=100, burst=20, history_per_minute=50, post_delay=0.2)
    await fake.start()
    yield fake
    await fake.stop()


async def start_deliverer(
    database_url: str, fake: FakeSlack, *, lease: float | None = None, until_empty: bool = True
) -> asyncio.subprocess.Process:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "not-used-here",
        "SLACK_API_URL": fake.url,
        "SLACK_MESSAGES_PER_SECOND": "20",
        "SLACK_BURST": "5",
        "TANDEM_LOG_LEVEL": "WARNING",
    }
    if lease is not None:
        environment["TANDEM_DELIVERY_LEASE_SECONDS"] = str(lease)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "deliver",
        *(["--until-empty"] if until_empty else []),
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, within: float) -> None:
    async with asyncio.timeout(within):
        _, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()[-3000:]


async def outbox_rows(uow_factory: SqlUnitOfWorkFactory) -> list[sa.Row[tuple[object, ...]]]:
    async with uow_factory.engine.connect() as connection:
        result = await connection.execute(
            sa.text("SELECT status, attempted_at, claim_token, person_id FROM outbox")
        )
        return list(result.all())


def arrival_spread(fake: FakeSlack) -> float:
    stamps = [float(message["ts"]) for message in fake.posted]
    return max(stamps) - min(stamps)


async def test_a_deliverer_killed_mid_batch_is_taken_over_after_a_short_lease(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 40, datetime.now(UTC), messages_each=3)

    first = await start_deliverer(migrated_url, slack, lease=5)
    async with asyncio.timeout(20):
        await slack.when_posted(40).wait()
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert len(slack.posted) < len(keys), "the kill came too late to test anything"
    left = await outbox_rows(uow_factory)
    held = [row for row in left if row.status == "sending"]
    in_doubt = [row for row in held if row.attempted_at is not None]
    conversations_in_doubt = {row.person_id for row in in_doubt}
    assert in_doubt, "the kill should find sends under way"

    second = await start_deliverer(migrated_url, slack, lease=5)
    await finish(second, within=30)

    assert slack.keys_posted() == {key: 1 for key in keys}
    assert arrival_spread(slack) < ARRIVAL_SPREAD_LIMIT
    # Only conversations where a send had begun unrecorded were read back, one page each;
    # the rows the dead deliverer held but never tried were simply sent.
    history = slack.calls["conversations.history"]
    assert 1 <= history <= len(conversations_in_doubt)
    assert history * 4 <= len(held)
    assert slack.rejected[429] == 0


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_postgresql_going_away_mid_batch_loses_and_doubles_nothing(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 40, datetime.now(UTC), messages_each=3)
    url = make_url(migrated_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    try:
        deliverer = await start_deliverer(through_proxy, slack)  # the default lease
        async with asyncio.timeout(20):
            await slack.when_posted(30).wait()
        proxy.cut()
        cut_at = time.time()
        await asyncio.sleep(6)
        posted_while_away = [m for m in slack.posted if float(m["ts"]) > cut_at]
        proxy.restore()
        await finish(deliverer, within=30)
    finally:
        await proxy.stop()

    assert proxy.connections_cut > 0
    # Sends under way when the database went away reached Slack; the deliverer kept their
    # outcomes and recorded them once it could, so nobody had to look them up.
    assert posted_while_away
    assert slack.keys_posted() == {key: 1 for key in keys}
    assert arrival_spread(slack) < ARRIVAL_SPREAD_LIMIT
    assert slack.calls["conversations.history"] == 0
    assert {row.status for row in await outbox_rows(uow_factory)} == {"sent"}


async def test_sigterm_stops_the_deliverer_and_hands_its_claims_back_at_once(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, slack: FakeSlack
) -> None:
    keys = await fan_out(uow_factory, 60, datetime.now(UTC))

    first = await start_deliverer(migrated_url, slack, until_empty=False)  # the default lease
    async with asyncio.timeout(20):
        await slack.when_posted(15).wait()
    first.send_signal(signal.SIGTERM)
    stopped_at = time.monotonic()
    await finish(first, within=8)
    # Within a container's grace period (10 s), on a busy machine too.
    assert time.monotonic() - stopped_at < 8
    sent_by_first = len(slack.posted)
    assert sent_by_first < len(keys)
    # Nothing is left held: every unsent row is pending again, with no send begun.
    left = await outbox_rows(uow_factory)
    assert {row.status for row in left} == {"sent", "pending"}
    assert all(row.claim_token is None for row in left)
    assert all(row.attempted_at is None for row in left if row.status == "pending")

    started = time.monotonic()
    second = await start_deliverer(migrated_url, slack)
    await finish(second, within=20)
    # Far sooner than the 30 s lease: nothing was waited for.
    assert time.monotonic() - started < 15
    assert slack.keys_posted() == {key: 1 for key in keys}
    assert slack.calls["conversations.history"] == 0
