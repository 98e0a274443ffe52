"""The prompts the bot showed people (``bot.prompts``): one row each, taken when answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.prompts import Prompt
from storage import tables
from storage.bulk_writes import insert_rows


class SqlPromptStore:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def add_prompts(self, prompts: Sequence[Prompt]) -> None:
        if not prompts:
            return
        if len(prompts) == 1:
            # The common case (one confirmation's buttons), numbered in the insert itself.
            await self.session.execute(_insert_numbered(prompts[0]))
            return
        last = await self.session.scalar(sa.select(sa.func.max(tables.prompt.c.shown)))
        rows = [
            {**_values(prompt), "shown": (last or 0) + position}
            for position, prompt in enumerate(prompts, start=1)
        ]
        await insert_rows(self.session, tables.prompt, rows)

    async def take_prompt(self, token: str) -> Prompt | None:
        columns = tables.prompt.c
        # One statement: of two answers racing for the same prompt, the second deletes nothing
        # (PostgreSQL makes it wait for the first to commit; SQLite runs turns one at a time).
        result = await self.session.execute(
            sa.delete(tables.prompt)
            .where(columns.token == token)
            .returning(
                columns.token,
                columns.person_id,
                columns.offers,
                columns.created_at,
                columns.expires_at,
            )
        )
        row = result.first()
        if row is None:
            return None
        return Prompt(
            token=row.token,
            person_id=row.person_id,
            offers=tuple(row.offers),
            created_at=row.created_at,
            expires_at=row.expires_at,
        )

    async def purge_prompts(self, expired_before: datetime, shown_before: datetime) -> int:
        columns = tables.prompt.c
        result = await self.session.execute(
            sa.delete(tables.prompt).where(
                sa.or_(columns.expires_at < expired_before, columns.created_at < shown_before)
            ),
            execution_options={"synchronize_session": False},
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def prompts_of(self, person_id: int) -> Sequence[Prompt]:
        columns = tables.prompt.c
        result = await self.session.execute(
            sa.select(
                columns.token,
                columns.person_id,
                columns.offers,
                columns.created_at,
                columns.expires_at,
            )
            .where(columns.person_id == person_id)
            .order_by(columns.created_at, sa.func.coalesce(columns.shown, 0), columns.token)
        )
        return [
            Prompt(
                token=row.token,
                person_id=row.person_id,
                offers=tuple(row.offers),
                created_at=row.created_at,
                expires_at=row.expires_at,
            )
            for row in result
        ]

    async def expire_prompts(self, person_id: int, now: datetime, keep: str = "") -> int:
        columns = tables.prompt.c
        result = await self.session.execute(
            sa.update(tables.prompt)
            .where(
                columns.person_id == person_id,
                columns.expires_at > now,
                columns.token != keep,
            )
            .values(expires_at=now),
            execution_options={"synchronize_session": False},
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _insert_numbered(prompt: Prompt) -> sa.Insert:
    """``INSERT … SELECT``: the prompt, shown after every other one."""
    columns = tables.prompt.c
    values = _values(prompt)
    shown = sa.func.coalesce(sa.func.max(columns.shown), 0) + 1
    selected = sa.select(
        *(sa.literal(value, columns[name].type) for name, value in values.items()), shown
    ).select_from(tables.prompt)
    return sa.insert(tables.prompt).from_select([*values, "shown"], selected)


def _values(prompt: Prompt) -> dict[str, Any]:
    """A prompt's row, but for the order it was shown in."""
    return {
        "token": prompt.token,
        "person_id": prompt.person_id,
        "offers": list(prompt.offers),
        "created_at": prompt.created_at,
        "expires_at": prompt.expires_at,
    }
