"""Storage side of the leavers, the inactivity policy and retention (bot.leaving)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import CheckinStatus, OutboxStatus
from bot.leaving.ports import PeopleChange
from storage import tables
from storage.scheduling_queries import CHUNK


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

    async def recent_checkins(
        self, enrollment_ids: Collection[int] | None
    ) -> dict[int, list[tuple[datetime, bool]]]:
        c = tables.checkin.c
        statement = (
            sa.select(c.enrollment_id, c.due_at, c.answered_at)
            .where(c.status != CheckinStatus.OPEN)
            .order_by(c.enrollment_id, c.period.desc())
        )
        found: dict[int, list[tuple[datetime, bool]]] = {}
        if enrollment_ids is None:
            chunks = [statement]
        else:
            ids = sorted(enrollment_ids)
            chunks = [
                statement.where(c.enrollment_id.in_(ids[start : start + CHUNK]))
                for start in range(0, len(ids), CHUNK)
            ]
        for chunk in chunks:
            for enrollment_id, due_at, answered_at in (await self.session.execute(chunk)).all():
                found.setdefault(enrollment_id, []).append((due_at, answered_at is not None))
        return found

    async def left_before(self, moment: datetime, limit: int) -> Sequence[int]:
        person = tables.person.c
        rows = await self.session.execute(
            sa.select(person.id)
            .where(person.left_at.is_not(None), person.left_at <= moment)
            .order_by(person.left_at, person.id)
            .limit(limit)
        )
        return [int(row[0]) for row in rows.all()]
