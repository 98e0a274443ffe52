"""Alembic environment: async engines (aiosqlite / asyncpg) built by storage.database.

The database URL is, in order: ``config.attributes["database_url"]`` (set by storage.migrate),
``alembic -x database_url=...``, the DATABASE_URL environment variable, ``sqlite:///./tandem.db``.

Alembic's command API is synchronous; this module runs the async migration with
``asyncio.run``, so call the commands from a thread without a running event loop
(storage.migrate does so with ``asyncio.to_thread``).
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from storage.database import async_url, create_engine
from storage.tables import UTCDateTime, metadata

DEFAULT_DATABASE_URL = "sqlite:///./tandem.db"

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    x_url = context.get_x_argument(as_dictionary=True).get("database_url")
    if x_url:
        return x_url
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the project's custom column types as plain SQLAlchemy types in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: batch mode recreates the table
        compare_type=True,
        render_item=render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: print the SQL instead of running it."""
    _configure(url=async_url(database_url()), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch mode drops and recreates tables; with foreign keys enforced, dropping a parent
        # table would cascade-delete its children's rows. The PRAGMA only works outside a
        # transaction, so end the one SQLAlchemy began before Alembic starts its own.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(database_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
