"""The inbox table behind bot/inbox.py: each call is one short transaction of its own.

On SQLite the inbox lives in a file of its own beside the database (``tandem.db`` ->
``tandem-inbox.db``): SQLite lets one transaction write to a file at a time, and a request must
be written down and acknowledged in a few milliseconds whatever turn is running. The table there
is created from the schema at head (``storage/tables.py``, which a test keeps equal to the
migrations); the file holds nothing but the inbox. On PostgreSQL the ``inbox`` table of the
main database, created by migration 0006, serves every replica.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.inbox import DONE, FAILED, PENDING, InboxItem
from storage import tables
from storage.database import create_engine

columns = tables.inbox.c


def _free(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(columns.claimed_until.is_(None), columns.claimed_until < now)


def inbox_file_url(database_url: str) -> str | None:
    """The inbox's own SQLite file for a SQLite database file; None otherwise."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return url.set(
        database=str(path.with_name(f"{path.stem}-inbox{path.suffix}"))
    ).render_as_string(hide_password=False)


async def open_inbox_store(database_url: str, main_engine: AsyncEngine) -> SqlInboxStore:
    side = inbox_file_url(database_url)
    if side is None:
        return SqlInboxStore(main_engine)
    engine = create_engine(side)
    async with engine.begin() as connection:
        await connection.run_sync(_create_or_upgrade)
    return SqlInboxStore(engine, owns_engine=True)


def _create_or_upgrade(connection: sa.Connection) -> None:
    """The side file follows no Alembic history of its own: it is created as the table is
    defined today, and a file written by an earlier version gains the columns added since."""
    tables.inbox.create(connection, checkfirst=True)
    present = {column["name"] for column in sa.inspect(connection).get_columns("inbox")}
    if "sender" not in present:
        connection.exec_driver_sql(
            "ALTER TABLE inbox ADD COLUMN sender VARCHAR(300) NOT NULL DEFAULT ''"
        )
        connection.exec_driver_sql("CREATE INDEX ix_inbox_sender ON inbox (sender)")


class SqlInboxStore:
    def __init__(self, engine: AsyncEngine, *, owns_engine: bool = False) -> None:
        self.engine = engine
        self.owns_engine = owns_engine
        self._turns = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        # On PostgreSQL several replicas share the inbox; SQLite's serves one process.
        self._replicas = engine.dialect.name == "postgresql"
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._insert = insert

    async def close(self) -> None:
        if self.owns_engine:
            await self.engine.dispose()

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction. On the SQLite file, the process's writers take turns here: a
        writer that finds SQLite's lock taken sleeps in steps of up to tens of milliseconds,
        which an acknowledgement cannot afford, while this lock is handed over at once."""
        if self._turns is None:
            async with self.engine.begin() as connection:
                yield connection
            return
        async with self._turns, self.engine.begin() as connection:
            yield connection

    async def accept(
        self, item: InboxItem, owner: str, now: datetime, lease: datetime
    ) -> int | None:
        accepted = await self.accept_in_order(item, owner, now, lease)
        return accepted[0] if accepted is not None else None

    async def accept_in_order(
        self, item: InboxItem, owner: str, now: datetime, lease: datetime
    ) -> tuple[int, bool] | None:
        """Writes the row; returns its id, and whether it must wait for an earlier request of
        its conversation that another replica runs or that waits to be taken (PostgreSQL:
        the row is then written unheld, for the process that finishes the earlier one)."""
        claimed_by: Any = owner
        claimed_until: Any = lease
        if self._replicas:
            waits = self._behind_another(item.conversation, owner, now)
            claimed_by = sa.case(
                (waits, sa.null()), else_=sa.literal(owner, columns.claimed_by.type)
            )
            claimed_until = sa.case(
                (waits, sa.null()), else_=sa.literal(lease, columns.claimed_until.type)
            )
        statement = (
            self._insert(tables.inbox)
            .values(
                key=item.key,
                platform=item.platform,
                conversation=item.conversation,
                sender=item.sender,
                kind=item.kind,
                payload=item.payload,
                status=PENDING,
                attempts=0,
                received_at=now,
                not_before=now,
                claimed_by=claimed_by,
                claimed_until=claimed_until,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(columns.id, columns.claimed_by)
        )
        async with self._writing() as connection:
            if self._replicas:
                # The requests of one conversation are written one after the other, each
                # seeing the one before it (however close together two replicas got them).
                await connection.execute(
                    sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(item.conversation)))
                )
            row = (await connection.execute(statement)).first()
        if row is None:
            return None
        return int(row.id), row.claimed_by is None

    def _behind_another(
        self, conversation: str, owner: str, now: datetime
    ) -> sa.ColumnElement[bool]:
        """An earlier request of the conversation is run by another live process, or waits to
        be taken by whichever process finds it first."""
        earlier = tables.inbox.alias("earlier")
        held_elsewhere = sa.and_(earlier.c.claimed_by != owner, earlier.c.claimed_until >= now)
        free = sa.or_(earlier.c.claimed_until.is_(None), earlier.c.claimed_until < now)
        # A row waiting for its retry's backoff does not hold the next ones back here, as in a
        # lone process (a failing turn must not stop a person's next requests for minutes).
        waiting_to_be_taken = sa.and_(free, earlier.c.not_before <= now)
        return sa.exists().where(
            earlier.c.status == PENDING,
            earlier.c.conversation == conversation,
            sa.or_(held_elsewhere, waiting_to_be_taken),
        )

    async def claim(
        self, owner: str, now: datetime, lease: datetime, limit: int, *, take_over: bool = False
    ) -> Sequence[InboxItem]:
        earlier = tables.inbox.alias("earlier")
        # A conversation's turns run in order: a row waits while an earlier one of its
        # conversation is held by another live process, or waits to be tried again.
        blocked_by = [earlier.c.not_before > now]
        if not take_over:
            blocked_by.append(
                sa.and_(earlier.c.claimed_until >= now, earlier.c.claimed_by != owner)
            )
        held_before = (
            sa.exists()
            .where(
                earlier.c.conversation == columns.conversation,
                earlier.c.status == PENDING,
                earlier.c.id < columns.id,
                sa.or_(*blocked_by),
            )
            .correlate(tables.inbox)
        )
        conditions = [columns.status == PENDING, columns.not_before <= now, ~held_before]
        if not take_over:
            conditions.append(_free(now))
        async with self._writing() as connection:
            candidates = (
                await connection.execute(
                    sa.select(columns.id).where(*conditions).order_by(columns.id).limit(limit)
                )
            ).scalars()
            ids = list(candidates)
            if not ids:
                return []
            # The lease is checked again as it is taken: of two replicas, one wins each row.
            taking = sa.update(tables.inbox).where(columns.id.in_(ids), columns.status == PENDING)
            if not take_over:
                taking = taking.where(_free(now))
            taken = await connection.execute(
                taking.values(claimed_by=owner, claimed_until=lease).returning(
                    columns.id,
                    columns.key,
                    columns.platform,
                    columns.conversation,
                    columns.sender,
                    columns.kind,
                    columns.payload,
                    columns.attempts,
                )
            )
            rows = taken.all()
        items = [
            InboxItem(
                key=row.key,
                platform=row.platform,
                conversation=row.conversation,
                kind=row.kind,
                payload=dict(row.payload),
                id=row.id,
                attempts=row.attempts,
                sender=row.sender,
            )
            for row in rows
        ]
        return sorted(items, key=lambda item: item.id or 0)

    async def renew(self, owner: str, ids: Sequence[int], lease: datetime) -> set[int]:
        async with self._writing() as connection:
            result = await connection.execute(
                sa.update(tables.inbox)
                .where(
                    columns.id.in_(list(ids)),
                    columns.claimed_by == owner,
                    columns.status == PENDING,
                )
                .values(claimed_until=lease)
                .returning(columns.id)
            )
            return set(result.scalars())

    async def finish(self, item_id: int, owner: str, now: datetime, conversation: str = "") -> bool:
        """Marks the row done; True when later requests of ``conversation`` wait to be taken
        (written while this one ran on another replica), for the caller to take them now."""
        # The payload goes at once: it holds what people typed, and only the key is needed
        # to recognise a platform's retry. So does the conversation (a Slack user's id), which
        # only orders the rows still to run.
        statement = (
            sa.update(tables.inbox)
            .where(columns.id == item_id)
            .values(
                status=DONE,
                finished_at=now,
                payload={},
                conversation="",
                claimed_by=None,
                claimed_until=None,
            )
        )
        if not (self._replicas and conversation):
            async with self._writing() as connection:
                await connection.execute(statement)
            return False
        later = tables.inbox.alias("later")
        waiting = (
            sa.exists()
            .where(
                later.c.status == PENDING,
                later.c.conversation == conversation,
                later.c.id != item_id,
                sa.or_(later.c.claimed_until.is_(None), later.c.claimed_until < now),
            )
            .label("waiting")
        )
        async with self._writing() as connection:
            return bool(await connection.scalar(statement.returning(waiting)))

    async def retry_later(
        self, item_id: int, owner: str, not_before: datetime, error: str, *, give_up: bool
    ) -> None:
        values: dict[str, Any] = {
            "attempts": columns.attempts + 1,
            "not_before": not_before,
            "last_error": error[:500],
            "claimed_by": None,
            "claimed_until": None,
        }
        if give_up:
            values.update(status=FAILED, finished_at=not_before, payload={}, conversation="")
        await self._update(item_id, **values)

    async def release(self, owner: str, ids: Sequence[int] | None = None) -> int:
        statement = sa.update(tables.inbox).where(
            columns.claimed_by == owner, columns.status == PENDING
        )
        if ids is not None:
            statement = statement.where(columns.id.in_(list(ids)))
        async with self._writing() as connection:
            result = await connection.execute(statement.values(claimed_by=None, claimed_until=None))
            return int(result.rowcount or 0)

    async def purge(self, finished_before: datetime) -> int:
        async with self._writing() as connection:
            result = await connection.execute(
                sa.delete(tables.inbox).where(
                    columns.status.in_([DONE, FAILED]), columns.finished_at < finished_before
                )
            )
            return int(result.rowcount or 0)

    async def unfinished(self) -> int:
        async with self.engine.connect() as connection:
            count = await connection.scalar(
                sa.select(sa.func.count()).where(columns.status == PENDING)
            )
            return int(count or 0)

    async def pending_from(self, sender: str, other_than: int | None) -> int:
        if not sender:
            return 0
        statement = sa.select(sa.func.count()).where(
            columns.sender == sender, columns.status == PENDING
        )
        if other_than is not None:
            statement = statement.where(columns.id != other_than)
        async with self.engine.connect() as connection:
            return int(await connection.scalar(statement) or 0)

    async def forget_sender(self, sender: str, now: datetime) -> int:
        if not sender:
            return 0
        async with self._writing() as connection:
            result = await connection.execute(
                sa.update(tables.inbox)
                .where(columns.sender == sender)
                .values(
                    status=DONE,
                    finished_at=sa.func.coalesce(columns.finished_at, now),
                    payload={},
                    conversation="",
                    sender="",
                    last_error=None,
                    claimed_by=None,
                    claimed_until=None,
                )
            )
            return int(result.rowcount or 0)

    async def _update(self, item_id: int, **values: Any) -> None:
        async with self._writing() as connection:
            await connection.execute(
                sa.update(tables.inbox).where(columns.id == item_id).values(**values)
            )
