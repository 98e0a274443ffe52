"""Every row of every table, to show that a refused request changed nothing."""

from __future__ import annotations

import sqlalchemy as sa

from bot.ports import UnitOfWorkFactory
from storage import tables

Dump = dict[str, list[tuple[str, ...]]]
# The inbox records every signed request received, refused ones included (its payload erased
# once run): a log of what arrived, not data a request may change.
NOT_DATA = {"inbox"}


async def dump(uow_factory: UnitOfWorkFactory) -> Dump:
    async with uow_factory() as uow:
        session = uow.session  # type: ignore[attr-defined]
        return {
            table.name: sorted(
                tuple(repr(value) for value in row)
                for row in await session.execute(sa.select(table))
            )
            for table in tables.metadata.sorted_tables
            if table.name not in NOT_DATA
        }
