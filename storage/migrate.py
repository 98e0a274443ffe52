"""Runs the Alembic migrations from code (startup, tests) rather than the ``alembic`` CLI.

Alembic's command API is synchronous and migrations/env.py drives an async engine with
``asyncio.run``, so each command runs in a worker thread that has no event loop of its own.
"""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from bot.resources import shipped_dir
from storage.database import create_engine

MIGRATIONS = shipped_dir("storage", "migrations")


def alembic_config(database_url: str) -> Config:
    """An in-memory Alembic config for the project's migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), revision)


async def downgrade(database_url: str, revision: str = "-1") -> None:
    """Step back one revision by default; ``"base"`` removes every table."""
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(database_url: str) -> str | None:
    """The revision the database is at; None for an empty (never migrated) database."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()
