"""A deliverer's hold on outbox rows, fenced by its claim token, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bot.domain import OutboxMessage, OutboxStatus
from storage.database import create_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
LEASE = NOW + timedelta(seconds=30)


def message(key: str) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        purpose="digest",
        platform="slack",
        channel={"channel": "C1"},
        payload={"text": key},
        created_at=NOW,
        not_before=NOW,
    )


async def stored(uow_factory: SqlUnitOfWorkFactory) -> dict[str, OutboxMessage]:
    async with uow_factory() as uow:
        rows = (await uow.session.scalars(sa.select(OutboxMessage))).all()
        uow.session.expunge_all()  # read after the unit of work ends
        return {row.key: row for row in rows}


async def claim(uow_factory: SqlUnitOfWorkFactory, token: str, now: datetime) -> list[int]:
    async with uow_factory() as uow:
        claimed = await uow.claim_due_outbox(now, now + timedelta(seconds=30), 10, token)
        for row in claimed:
            row.status = OutboxStatus.SENDING
        await uow.commit()
        return [row.id for row in claimed if row.id is not None]


async def test_only_the_holder_renews_marks_and_hands_back_its_rows(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        for key in ("a", "b", "c"):
            await uow.enqueue(message(key))
        await uow.commit()
    ids = await claim(uow_factory, "first", NOW)
    assert len(ids) == 3 and (await stored(uow_factory))["a"].claim_token == "first"

    # Another deliverer takes over once the lease has run out; the first one, waking up,
    # can neither renew, nor mark a send, nor hand anything back.
    later = NOW + timedelta(seconds=31)
    assert sorted(await claim(uow_factory, "second", later)) == sorted(ids)
    async with uow_factory() as uow:
        assert await uow.renew_outbox_claims(ids, "first", later + timedelta(seconds=30)) == set()
        assert await uow.mark_outbox_attempts(ids, "first", later, later) == set()
        assert await uow.release_outbox_claims("first", ids) == 0
        await uow.commit()

    # The holder marks a send as begun (renewing its lease), renews, and hands back the rest.
    async with uow_factory() as uow:
        renewed_until = later + timedelta(minutes=1)
        assert await uow.mark_outbox_attempts(ids[:1], "second", later, renewed_until) == {ids[0]}
        assert await uow.renew_outbox_claims(ids, "second", renewed_until) == set(ids)
        assert await uow.release_outbox_claims("second", keep=ids[:2]) == 1
        assert await uow.release_outbox_claims("second", ids) == 2
        await uow.commit()
    rows = await stored(uow_factory)
    assert {key: row.status for key, row in rows.items()} == {
        "a": OutboxStatus.PENDING,
        "b": OutboxStatus.PENDING,
        "c": OutboxStatus.PENDING,
    }
    assert all(row.claim_token is None and row.claimed_until is None for row in rows.values())
    # The send that began stays in doubt: the next holder looks it up before sending again.
    assert rows["a"].attempted_at == later
    assert rows["b"].attempted_at is None

    # A holder stopping as a mark lands knows it never sent that row: it hands it back clean.
    assert sorted(await claim(uow_factory, "third", later)) == sorted(ids)
    async with uow_factory() as uow:
        assert await uow.mark_outbox_attempts(ids[1:], "third", later, renewed_until) == set(
            ids[1:]
        )
        assert await uow.release_outbox_claims("third", ids, never_sent=ids[2:]) == 3
        await uow.commit()
    rows = await stored(uow_factory)
    assert rows["a"].attempted_at == later  # in doubt since the second holder's send
    assert rows["b"].attempted_at == later  # this one may have gone out
    assert rows["c"].attempted_at is None


async def test_the_migration_keeps_rows_left_held_by_an_older_deliverer_in_doubt(
    database_url: str,
) -> None:
    await upgrade(database_url, "0005")
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for key, status in (("held", "sending"), ("waiting", "pending")):
                await connection.execute(
                    sa.text(
                        "INSERT INTO outbox (key, purpose, platform, payload, status, attempts,"
                        " not_before, created_at) VALUES (:key, 'digest', 'slack', '{}',"
                        " :status, 0, :now, :now)"
                    ),
                    {"key": key, "status": status, "now": NOW},
                )
        await upgrade(database_url)
        async with engine.connect() as connection:
            rows = await connection.execute(sa.text("SELECT key, attempted_at FROM outbox"))
            attempted = {key: value for key, value in rows.all()}
    finally:
        await engine.dispose()
    assert attempted["waiting"] is None
    assert attempted["held"] is not None
