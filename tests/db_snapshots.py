"""Copies of a whole test database, taken once after an expensive setup and put back in later
tests of the same test process instead of playing the setup again.

SQLite: the file, through SQLite's backup API (consistent with its write-ahead log).
PostgreSQL: every table's rows in a schema of their own inside the session's database (kept
when the tests reset ``public``), in their physical order so that a scan finds them in the
order it did, and where each sequence stood.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import tables

_names = itertools.count(1)


@dataclass(frozen=True)
class DatabaseCopy:
    # SQLite: the copy's file. PostgreSQL: the schema holding the rows.
    where: str
    # PostgreSQL only: each table's columns, and each sequence's last value (None: never used).
    columns: dict[str, list[str]] = field(default_factory=dict)
    sequences: dict[str, int | None] = field(default_factory=dict)


def _plain_url(engine: AsyncEngine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(engine: AsyncEngine) -> str:
    path = engine.url.database
    assert path, "an in-memory SQLite database cannot be copied"
    return path


def _backup(source: str, target: str) -> None:
    with (
        contextlib.closing(sqlite3.connect(source)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


async def is_empty(engine: AsyncEngine) -> bool:
    """No row in any table of the schema (the migrations' own bookkeeping aside)."""
    async with engine.connect() as connection:
        for table in tables.metadata.sorted_tables:
            if await connection.scalar(sa.select(sa.literal(1)).select_from(table).limit(1)):
                return False
    return True


async def take(engine: AsyncEngine, folder: Path) -> DatabaseCopy:
    """A copy of every row of the database behind ``engine`` (no transaction may be open)."""
    name = f"copy_{next(_names)}"
    if engine.url.get_backend_name() == "sqlite":
        where = str(folder / f"{name}.db")
        _backup(_sqlite_path(engine), where)
        return DatabaseCopy(where)
    connection = await asyncpg.connect(_plain_url(engine))
    try:
        async with connection.transaction():
            await connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            await connection.execute(f'CREATE SCHEMA "{name}"')
            columns: dict[str, list[str]] = {}
            for row in await connection.fetch(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name <> 'alembic_version' "
                "ORDER BY table_name, ordinal_position"
            ):
                columns.setdefault(row["table_name"], []).append(row["column_name"])
            for table in columns:
                await connection.execute(
                    f'CREATE TABLE "{name}"."{table}" AS '
                    f'SELECT * FROM public."{table}" ORDER BY ctid'
                )
            sequences = {
                row["sequencename"]: row["last_value"]
                for row in await connection.fetch(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
                )
            }
    finally:
        await connection.close()
    return DatabaseCopy(name, columns, sequences)


async def put_back(engine: AsyncEngine, copy: DatabaseCopy) -> None:
    """Makes the database behind ``engine`` what it was when ``copy`` was taken. The engine's
    pooled connections are closed first (none may be in use)."""
    await engine.dispose()
    if engine.url.get_backend_name() == "sqlite":
        _backup(copy.where, _sqlite_path(engine))
        return
    connection = await asyncpg.connect(_plain_url(engine))
    try:
        async with connection.transaction():
            # Foreign keys are not checked while copying, so that the order does not matter.
            await connection.execute("SET LOCAL session_replication_role = replica")
            for table, names in copy.columns.items():
                listed = ", ".join(f'"{column}"' for column in names)
                await connection.execute(f'DELETE FROM public."{table}"')
                await connection.execute(
                    f'INSERT INTO public."{table}" ({listed}) '
                    f'SELECT {listed} FROM "{copy.where}"."{table}" ORDER BY ctid'
                )
            for sequence, last_value in copy.sequences.items():
                await connection.execute(
                    "SELECT setval(format('public.%I', $1::text), $2, $3)",
                    sequence,
                    1 if last_value is None else last_value,
                    last_value is not None,
                )
    finally:
        await connection.close()
