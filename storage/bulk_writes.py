"""The scheduler's bulk writes: a round of check-ins, conversations, outbox rows and prompts in
a few set-based statements per chunk.

PostgreSQL gets one ``INSERT … SELECT * FROM unnest(<one array per column>)`` per chunk: a
handful of parameters whatever the row count, one round-trip, no per-row statement. SQLite gets
``executemany`` (one C loop over a prepared statement) inside the tick's transaction.

New ids are taken before inserting rather than read back with RETURNING: neither database
promises that RETURNING hands rows back in the order they were given, and SQLAlchemy falls back
to one statement a row on SQLite when asked to sort them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OutboxMessage
from bot.fanout import NewCheckin, NewConversation, NewOutboxMessage
from storage import tables

# Rows a statement: big enough that round-trips do not count, small enough that a round of
# 100,000 people never holds more than this many rows' parameters at once.
BULK_CHUNK = 2000
# Keys per ``IN (…)`` on SQLite, well under its bound-parameter limit.
KEYS_PER_LOOKUP = 500
_OUTBOX_COLUMNS = [column.name for column in tables.outbox.columns if column.name != "id"]


def chunked(rows: Sequence[Any], size: int = BULK_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class SqlBulkWrites:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError  # the unit of work's

    async def insert_returning_ids(
        self, rows: Sequence[NewCheckin] | Sequence[NewConversation]
    ) -> list[int]:
        """Insert many new check-ins or conversations in a few statements; their ids, in order."""
        if not rows:
            return []
        table = tables.checkin if isinstance(rows[0], NewCheckin) else tables.conversation
        ids = await self._new_ids(table, len(rows))
        for start in range(0, len(rows), BULK_CHUNK):
            chunk: Sequence[NewCheckin | NewConversation] = rows[start : start + BULK_CHUNK]
            values = [
                {"id": new_id, **row._asdict()}
                for new_id, row in zip(ids[start : start + BULK_CHUNK], chunk, strict=True)
            ]
            await insert_rows(self.session, table, values)
        return ids

    async def enqueue_many(self, messages: Sequence[OutboxMessage | NewOutboxMessage]) -> set[str]:
        """Add the messages whose key is new (the first of a key given twice); returns the keys
        added. A key already in the outbox is skipped: a tick run again queues nothing twice."""
        added: set[str] = set()
        seen: set[str] = set()
        for chunk in chunked(messages):
            rows = []
            for message in chunk:
                if message.key in seen:
                    continue
                seen.add(message.key)
                if isinstance(message, NewOutboxMessage):
                    rows.append(message._asdict())
                else:
                    rows.append({name: getattr(message, name) for name in _OUTBOX_COLUMNS})
            if _is_postgresql(self.session):
                # A turn may be queueing the same key at this moment: the conflict clause, not
                # a lookup, decides which one wins.
                added.update(await _unnest_insert(self.session, tables.outbox, rows, "key"))
                continue
            # SQLite: the tick's transaction began IMMEDIATE, so it is the only writer; the
            # keys already there cannot change between the lookup and the insert.
            existing = await self._existing_outbox_keys([row["key"] for row in rows])
            new_rows = [row for row in rows if row["key"] not in existing]
            if new_rows:
                await self.session.execute(sa.insert(tables.outbox), new_rows)
            added.update(row["key"] for row in new_rows)
        return added

    async def _new_ids(self, table: sa.Table, count: int) -> list[int]:
        if _is_postgresql(self.session):
            result = await self.session.execute(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"table": table.name, "count": count},
            )
            return sorted(int(row[0]) for row in result)
        # SQLite hands out max(id) + 1 itself; the transaction began IMMEDIATE, so nobody else
        # can insert until it ends.
        last = await self.session.scalar(sa.select(sa.func.max(table.c.id)))
        first = int(last or 0) + 1
        return list(range(first, first + count))

    async def _existing_outbox_keys(self, keys: Sequence[str]) -> set[str]:
        existing: set[str] = set()
        column = tables.outbox.c.key
        for chunk in chunked(keys, KEYS_PER_LOOKUP):
            result = await self.session.execute(sa.select(column).where(column.in_(chunk)))
            existing.update(str(row[0]) for row in result)
        return existing


async def insert_rows(
    session: AsyncSession, table: sa.Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert the rows (every one with the same columns) in one statement a chunk."""
    for chunk in chunked(rows):
        if _is_postgresql(session):
            await _unnest_insert(session, table, chunk)
        else:
            await session.execute(sa.insert(table), list(chunk))


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def _unnest_insert(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    conflict: str | None = None,
) -> list[str]:
    """One ``INSERT … SELECT * FROM unnest(…)``; with ``conflict``, rows whose value of that
    column exists already are skipped, and the values inserted are returned."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    arrays: dict[str, list[Any]] = {}
    casts = []
    for position, name in enumerate(names):
        column_type = table.c[name].type
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[name] for row in rows]
        arrays[f"c{position}"] = [process(v) for v in values] if process else values
        sql_type = column_type.compile(dialect=dialect)
        if sql_type in ("JSON", "JSONB"):
            # JSON goes as text, cast by the server: asyncpg has no array codec for it.
            casts.append(f"CAST(CAST(:c{position} AS TEXT[]) AS {sql_type}[])")
        else:
            casts.append(f"CAST(:c{position} AS {sql_type}[])")
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"SELECT * FROM unnest({', '.join(casts)})"
    )
    if conflict is None:
        await session.execute(sa.text(statement), arrays)
        return []
    statement += f" ON CONFLICT ({quote(conflict)}) DO NOTHING RETURNING {quote(conflict)}"
    result = await session.execute(sa.text(statement), arrays)
    return [str(row[0]) for row in result]
