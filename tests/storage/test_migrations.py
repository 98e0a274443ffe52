"""The Alembic migrations build exactly the schema storage/tables.py describes, on both backends."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from storage.database import create_engine
from storage.migrate import alembic_config, current_revision, downgrade, upgrade
from storage.tables import metadata


async def _inspect(database_url: str, inspect: Any) -> Any:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(inspect)
    finally:
        await engine.dispose()


def _columns_by_table(connection: Connection) -> dict[str, set[str]]:
    inspector = sa.inspect(connection)
    return {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in inspector.get_table_names()
    }


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_history_is_linear_and_starts_at_0001() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_heads() == [scripts.get_current_head()]
    assert scripts.get_base() == "0001"


async def test_empty_database_has_no_revision(database_url: str) -> None:
    assert await current_revision(database_url) is None


async def test_upgrade_creates_every_table_with_its_columns(database_url: str) -> None:
    await upgrade(database_url)

    tables = await _inspect(database_url, _columns_by_table)

    expected = {
        table.name: {column.name for column in table.columns} for table in metadata.sorted_tables
    }
    assert tables.pop("alembic_version") == {"version_num"}
    assert tables == expected
    assert await current_revision(database_url) == HEAD


async def test_migrated_schema_matches_the_metadata(database_url: str) -> None:
    await upgrade(database_url)

    assert await _inspect(database_url, _differences) == []


async def test_downgrade_to_base_then_upgrade_again(database_url: str) -> None:
    await upgrade(database_url)

    await downgrade(database_url, "base")
    assert await current_revision(database_url) is None
    assert set(await _inspect(database_url, _columns_by_table)) == {"alembic_version"}

    await upgrade(database_url)
    assert await current_revision(database_url) == HEAD
    assert await _inspect(database_url, _differences) == []


async def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    await upgrade(database_url)
    await upgrade(database_url)

    assert await current_revision(database_url) == HEAD


async def test_upgrade_from_the_first_revision_keeps_the_data(database_url: str) -> None:
    await upgrade(database_url, "0001")
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO person (platform, workspace, user_id, display_name, unreachable,"
                    " created_at) VALUES ('console', 'console', 'alice', 'Alice', false,"
                    " '2026-11-18 09:00:00')"
                )
            )
        await upgrade(database_url)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(sa.text("SELECT user_id, working_hours FROM person"))
            ).all()
    finally:
        await engine.dispose()
    assert [(row[0], row[1]) for row in rows] == [("alice", None)]
