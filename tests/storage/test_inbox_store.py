"""The inbox's storage and its runner, on SQLite (the inbox's own file) and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.inbox import InboxItem, InboxRunner, InboxSettings
from storage import tables
from storage.inbox_store import SqlInboxStore, inbox_file_url, open_inbox_store
from storage.unit_of_work import SqlUnitOfWorkFactory

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LEASE = T0 + timedelta(seconds=30)


@pytest.fixture
async def store(
    uow_factory: SqlUnitOfWorkFactory, migrated_url: str
) -> AsyncIterator[SqlInboxStore]:
    opened = await open_inbox_store(migrated_url, uow_factory.engine)
    yield opened
    await opened.close()


def item(
    key: str, conversation: str = "slack:T1:U1", kind: str = "command", sender: str = ""
) -> InboxItem:
    return InboxItem(
        key, "slack", conversation, kind, {"body": {"text": key}}, sender=sender or conversation
    )


def keys(items: object) -> list[str]:
    return [entry.key for entry in items]  # type: ignore[attr-defined]


async def test_a_retry_finds_the_same_row(store: SqlInboxStore) -> None:
    first = await store.accept(item("slack:trig-1"), "a", T0, LEASE)
    again = await store.accept(item("slack:trig-1"), "b", T0, LEASE)
    assert first is not None and again is None
    assert await store.unfinished() == 1


async def test_sqlite_keeps_the_inbox_in_a_file_of_its_own(
    store: SqlInboxStore, migrated_url: str
) -> None:
    side = inbox_file_url(migrated_url)
    if migrated_url.startswith("sqlite"):
        assert side is not None and side.endswith("tandem-inbox.db")
        assert store.owns_engine
    else:
        assert side is None and not store.owns_engine


async def test_rows_held_by_a_live_process_are_not_taken_and_a_conversation_keeps_its_order(
    store: SqlInboxStore,
) -> None:
    for key, conversation in (("k1", "c1"), ("k2", "c1"), ("k3", "c2"), ("k4", "c1")):
        await store.accept(item(key, conversation), "dead", T0, LEASE)
    # Within the lease nothing is taken: the holder may be alive.
    assert await store.claim("b", T0 + timedelta(seconds=10), LEASE, 10) == []
    # Released by its holder (a graceful stop), the rows are taken at once, in order.
    assert await store.release("dead") == 4
    claimed = await store.claim("b", T0, LEASE, 10)
    assert keys(claimed) == ["k1", "k2", "k3", "k4"]
    # A third process takes nothing: "b" holds them all.
    assert await store.claim("c", T0 + timedelta(seconds=1), LEASE, 10) == []


async def test_a_later_row_waits_while_an_earlier_one_of_its_conversation_is_held(
    store: SqlInboxStore,
) -> None:
    await store.accept(item("k1", "c1"), "alive", T0, LEASE)
    await store.accept(item("k2", "c1"), "dead", T0, T0 + timedelta(seconds=1))
    await store.accept(item("k3", "c2"), "dead", T0, T0 + timedelta(seconds=1))
    later = T0 + timedelta(seconds=5)
    # k2's lease ran out, but k1 (same conversation) still runs elsewhere: only k3 is taken.
    assert keys(await store.claim("b", later, later + timedelta(seconds=30), 10)) == ["k3"]


async def test_a_lone_process_takes_over_whatever_its_crashed_predecessor_held(
    store: SqlInboxStore,
) -> None:
    await store.accept(item("k1"), "crashed", T0, LEASE)
    await store.accept(item("k2"), "crashed", T0, LEASE)
    claimed = await store.claim("restarted", T0 + timedelta(seconds=1), LEASE, 10, take_over=True)
    assert keys(claimed) == ["k1", "k2"]


async def test_renew_finish_retry_and_purge(store: SqlInboxStore) -> None:
    first = await store.accept(item("k1"), "a", T0, LEASE)
    second = await store.accept(item("k2", "c2"), "a", T0, LEASE)
    assert first is not None and second is not None
    assert await store.renew("a", [first, second], LEASE + timedelta(seconds=30)) == {
        first,
        second,
    }
    assert await store.renew("b", [first], LEASE) == set(), "only the holder renews"
    await store.finish(first, "a", T0)
    assert await store.renew("a", [first], LEASE) == set(), "a finished row is nobody's"
    # A failed turn waits for its backoff, then anyone may run it again.
    await store.retry_later(second, "a", T0 + timedelta(seconds=10), "ClientError", give_up=False)
    assert await store.claim("b", T0 + timedelta(seconds=5), LEASE, 10) == []
    (again,) = await store.claim("b", T0 + timedelta(seconds=11), LEASE, 10)
    assert again.key == "k2" and again.attempts == 1
    await store.retry_later(second, "b", T0, "ClientError", give_up=True)
    assert await store.unfinished() == 0
    assert await store.purge(T0 + timedelta(days=1)) == 2


class Recorder:
    def __init__(self) -> None:
        self.ran: list[str] = []
        self.failures: dict[str, int] = {}
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, entry: InboxItem) -> None:
        await self.gate.wait()
        if self.failures.get(entry.key, 0) > 0:
            self.failures[entry.key] -= 1
            raise ConnectionError("the platform is down")
        self.ran.append(entry.key)


async def test_the_runner_runs_each_conversation_in_order_and_retries_a_failed_turn(
    store: SqlInboxStore,
) -> None:
    recorder = Recorder()
    runner = InboxRunner(store, InboxSettings(concurrency=4), owner="p1")
    runner.register("slack", recorder)
    recorder.failures["k2"] = 1
    for number in range(1, 6):
        await runner.accept(item(f"k{number}", "c1"))
    await runner.settled()
    assert recorder.ran == ["k1", "k3", "k4", "k5"]
    assert await store.unfinished() == 1
    # k2 failed before its turn could run: it is run again once its backoff is over.
    store_now = datetime.now(UTC) + timedelta(seconds=3)
    runner.now = lambda: store_now
    assert await runner.recover() == 1
    await runner.settled()
    assert recorder.ran[-1] == "k2" and await store.unfinished() == 0


async def test_a_stop_hands_back_what_did_not_finish_within_its_deadline(
    store: SqlInboxStore,
) -> None:
    recorder = Recorder()
    recorder.gate.clear()
    first = InboxRunner(store, owner="stopping")
    first.register("slack", recorder)
    for number in range(3):
        await first.accept(item(f"k{number}", f"c{number}"))
    assert await first.stop(deadline_seconds=0.2) == 3
    assert recorder.ran == []
    # Another process takes them at once, without waiting for the lease.
    recorder.gate.set()
    second = InboxRunner(store, owner="successor")
    second.register("slack", recorder)
    assert await second.recover() == 3
    await second.settled()
    assert sorted(recorder.ran) == ["k0", "k1", "k2"] and await store.unfinished() == 0


async def test_a_finished_row_keeps_nothing_of_who_sent_it(store: SqlInboxStore) -> None:
    done = await store.accept(item("k1", "slack:T1:UWHOEVER"), "a", T0, LEASE)
    failed = await store.accept(item("k2", "slack:T1:UWHOEVER"), "a", T0, LEASE)
    waiting = await store.accept(item("k3", "slack:T1:UWHOEVER"), "a", T0, LEASE)
    assert done is not None and failed is not None and waiting is not None
    await store.finish(done, "a", T0)
    await store.retry_later(failed, "a", T0, "ClientError", give_up=True)
    async with store.engine.connect() as connection:
        rows = {
            row.key: (row.conversation, row.payload)
            for row in await connection.execute(sa.select(tables.inbox))
        }
    # Only the key stays, to recognise a platform's retry; the row still to run keeps all.
    assert rows["k1"] == ("", {}) and rows["k2"] == ("", {})
    assert rows["k3"] == ("slack:T1:UWHOEVER", {"body": {"text": "k3"}})


async def test_forgetting_a_sender_erases_their_requests_everywhere_and_nobody_elses(
    store: SqlInboxStore,
) -> None:
    # Ann's requests: one in her own chat, one in a team channel she shares with Bob.
    own = await store.accept(item("teams:1", "teams:ann-chat", sender="teams:ann"), "a", T0, LEASE)
    shared = await store.accept(
        item("teams:2", "teams:channel", sender="teams:ann"), "a", T0, LEASE
    )
    bobs = await store.accept(item("teams:3", "teams:channel", sender="teams:bob"), "a", T0, LEASE)
    assert own and shared and bobs
    assert await store.pending_from("teams:ann", other_than=own) == 1

    assert await store.forget_sender("teams:ann", T0) == 2

    assert await store.pending_from("teams:ann", other_than=None) == 0
    await store.release("a")
    # Bob's request in the shared channel is still there, whole, and runs.
    (left,) = await store.claim("b", T0, LEASE, limit=10)
    assert left.key == "teams:3" and left.sender == "teams:bob"
    assert left.payload == {"body": {"text": "teams:3"}}


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_an_inbox_file_of_an_earlier_version_gains_the_sender(
    uow_factory: SqlUnitOfWorkFactory, migrated_url: str
) -> None:
    side = inbox_file_url(migrated_url)
    assert side is not None
    path = side.removeprefix("sqlite:///")
    # The inbox file as the first version with an inbox wrote it: no sender column.
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE inbox (id INTEGER PRIMARY KEY, key VARCHAR(300) NOT NULL UNIQUE,"
        " platform VARCHAR(20) NOT NULL, conversation VARCHAR(300) NOT NULL,"
        " kind VARCHAR(40) NOT NULL, payload JSON NOT NULL, status VARCHAR(20) NOT NULL,"
        " attempts INTEGER NOT NULL, received_at DATETIME NOT NULL,"
        " not_before DATETIME NOT NULL, claimed_by VARCHAR(100), claimed_until DATETIME,"
        " finished_at DATETIME, last_error VARCHAR(500))"
    )
    old.commit()
    old.close()

    upgraded = await open_inbox_store(migrated_url, uow_factory.engine)
    try:
        assert await upgraded.accept(item("slack:new", sender="slack:T1:U9"), "a", T0, LEASE)
        assert await upgraded.forget_sender("slack:T1:U9", T0) == 1
    finally:
        await upgraded.close()


async def test_replicas_run_a_conversation_in_order_and_the_next_request_without_delay(
    store: SqlInboxStore, migrated_url: str
) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("replicas share an inbox on PostgreSQL only")
    ran: list[str] = []
    first_runs, first_may_finish, second_ran = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def turn(entry: InboxItem) -> None:
        if entry.key == "k1":
            first_runs.set()
            await first_may_finish.wait()
        ran.append(entry.key)
        if entry.key == "k2":
            second_ran.set()

    # Polls far apart: a request that waits is taken when the earlier one finishes, not later.
    replicas = [
        InboxRunner(store, InboxSettings(poll_seconds=600), owner=f"replica-{n}") for n in (1, 2)
    ]
    for replica in replicas:
        replica.register("slack", turn)
        await replica.start()
    one, two = replicas
    try:
        assert await one.accept(item("k1", "c1")) is not None
        await first_runs.wait()
        # The same person's next request reaches the other replica while the first one runs:
        # it waits; someone else's runs at once.
        assert await two.accept(item("k2", "c1")) is None
        assert await two.accept(item("k3", "c2")) is not None
        await two.settled()
        assert ran == ["k3"]
        first_may_finish.set()
        await asyncio.wait_for(second_ran.wait(), 5)
        assert ran == ["k3", "k1", "k2"]
        assert await store.unfinished() == 0
    finally:
        for replica in replicas:
            await replica.stop(0)
