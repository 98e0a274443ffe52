"""Storage side of the leavers, the inactivity policy and retention (bot.leaving)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OutboxStatus
from bot.leaving.ports import PeopleChange
from storage import tables


class SqlLeaverQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError  # the unit of work's

    async def skip_outbox_to(self, person_id: int) -> int:
        outbox = tables.outbox.c
        result = await self.session.execute(
            sa.update(tables.outbox)
            .where(outbox.person_id == person_id, outbox.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SKIPPED)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def people_changes(
        self, program_id: int, start: datetime, end: datetime, actions: Sequence[str]
    ) -> Sequence[PeopleChange]:
        audit, person = tables.audit_entry.c, tables.person.c
        rows = await self.session.execute(
            sa.select(audit.action, audit.at, person.display_name, audit.details)
            .select_from(tables.audit_entry.outerjoin(tables.person, person.id == audit.actor_id))
            .where(
                audit.at >= start,
                audit.at < end,
                audit.program_id == program_id,
                audit.action.in_(list(actions)),
            )
            .order_by(audit.at, audit.id)
        )
        return [
            PeopleChange(action=action, at=at, name=name, details=dict(details or {}))
            for action, at, name, details in rows.all()
        ]
