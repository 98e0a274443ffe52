"""Every row the app keeps, its inbox included (its own SQLite file beside a SQLite database)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import tables


async def every_row(database: AsyncEngine, inbox: AsyncEngine) -> list[str]:
    """One line per row: ``table: (values…)``."""
    rows: list[str] = []
    scans = [(database, tables.metadata.sorted_tables)]
    if inbox is not database:
        scans.append((inbox, [tables.inbox]))
    for engine, scanned in scans:
        async with engine.connect() as connection:
            for table in scanned:
                found = await connection.execute(sa.select(table))
                rows += [f"{table.name}: {tuple(row)!r}" for row in found]
    return rows
