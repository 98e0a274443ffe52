"""SQLite statements make one trip to aiosqlite's thread, and behave as the plain driver's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.database import create_engine


async def test_each_statement_is_one_trip_with_rows_counts_and_errors_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = 0
    original = aiosqlite.core.Connection._execute

    async def counted(connection: Any, function: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await original(connection, function, *args, **kwargs)

    engine = create_engine(f"sqlite:///{tmp_path}/driver.db")
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "CREATE TABLE note (id INTEGER PRIMARY KEY, text VARCHAR NOT NULL UNIQUE)"
            )
        monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
        async with engine.begin() as connection:
            trips = 0
            inserted = await connection.execute(
                sa.text("INSERT INTO note (text) VALUES (:text)"), {"text": "un"}
            )
            assert trips == 1 and inserted.lastrowid == 1
            await connection.execute(
                sa.text("INSERT INTO note (text) VALUES (:text)"),
                [{"text": "deux"}, {"text": "trois"}],
            )
            trips = 0
            rows = (await connection.execute(sa.text("SELECT text FROM note ORDER BY id"))).all()
            assert trips == 1
            assert [row.text for row in rows] == ["un", "deux", "trois"]
            changed = await connection.execute(
                sa.text("UPDATE note SET text = text || '!' WHERE id > 1")
            )
            assert changed.rowcount == 2
            returned = await connection.execute(
                sa.text("INSERT INTO note (text) VALUES ('quatre') RETURNING id")
            )
            assert returned.scalar_one() == 4
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(sa.text("INSERT INTO note (text) VALUES ('un')"))
        async with engine.connect() as connection:
            count = await connection.scalar(sa.text("SELECT count(*) FROM note"))
            assert count == 4
    finally:
        await engine.dispose()
