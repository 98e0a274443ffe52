"""The guides owners imported for their programs (migration 0017)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.guides.model import OwnerGuide
from storage import tables

# Keys looked up in one statement at most: well under every backend's limit on parameters.
KEYS_A_QUERY = 500


class SqlGuideQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def owner_guides(self, program_id: int) -> Sequence[OwnerGuide]:
        columns = tables.owner_guide.c
        statement = (
            sa.select(OwnerGuide)
            .where(columns.program_id == program_id)
            .order_by(columns.line, columns.id)
        )
        return (await self.session.scalars(statement)).all()

    async def replace_owner_guides(self, program_id: int, guides: Sequence[OwnerGuide]) -> int:
        # Through the session rather than one DELETE: the rows it may hold stay consistent.
        existing = await self.owner_guides(program_id)
        for guide in existing:
            await self.session.delete(guide)
        await self.session.flush()
        self.session.add_all(guides)
        await self.session.flush()
        return len(existing)

    async def outbox_keys_present(self, keys: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        present: set[str] = set()
        for start in range(0, len(wanted), KEYS_A_QUERY):
            chunk = wanted[start : start + KEYS_A_QUERY]
            rows = await self.session.scalars(
                sa.select(tables.outbox.c.key).where(tables.outbox.c.key.in_(chunk))
            )
            present.update(rows)
        return present
