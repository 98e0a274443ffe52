"""A pair's sessions: those logged, how many, and those planned."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Pair, PairStatus, PlannedSession, SessionLog
from storage import tables


class SqlSessionQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def session_count(self, pair_id: int) -> int:
        """How many sessions the pair logged, counted by the database."""
        statement = sa.select(sa.func.count()).where(tables.session_log.c.pair_id == pair_id)
        return int((await self.session.execute(statement)).scalar_one())

    async def sessions_and_charter_meetings(self, pair_id: int) -> tuple[int, int | None]:
        """How many sessions the pair logged, and how many its charter agreed on (None without
        a charter or a number there), in one trip: a session log's answer shows both."""
        logs, charter = tables.session_log.c, tables.charter.c
        statement = sa.select(
            sa.select(sa.func.count()).where(logs.pair_id == pair_id).scalar_subquery(),
            sa.select(charter.meetings).where(charter.pair_id == pair_id).scalar_subquery(),
        )
        count, meetings = (await self.session.execute(statement)).one()
        return int(count), int(meetings) if meetings is not None else None

    async def session_totals(self, pair_id: int) -> tuple[int, int]:
        logs = tables.session_log.c
        count, minutes = (
            await self.session.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(logs.minutes), 0)).where(
                    logs.pair_id == pair_id
                )
            )
        ).one()
        return int(count), int(minutes)

    async def session_logs(self, pair_id: int) -> Sequence[SessionLog]:
        columns = tables.session_log.c
        statement = (
            sa.select(SessionLog)
            .where(columns.pair_id == pair_id)
            .order_by(columns.held_on, columns.id)
        )
        return (await self.session.scalars(statement)).all()

    async def session_logs_by(self, person_id: int) -> Sequence[SessionLog]:
        columns = tables.session_log.c
        statement = sa.select(SessionLog).where(columns.logged_by == person_id)
        return (await self.session.scalars(statement.order_by(columns.id))).all()

    async def last_session_log_by(self, pair_id: int, person_id: int) -> SessionLog | None:
        columns = tables.session_log.c
        statement = (
            sa.select(SessionLog)
            .where(columns.pair_id == pair_id, columns.logged_by == person_id)
            .order_by(columns.created_at.desc(), columns.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(statement)).first()

    async def planned_sessions(self, pair_id: int, after: datetime) -> Sequence[PlannedSession]:
        columns = tables.planned_session.c
        statement = (
            sa.select(PlannedSession)
            .where(
                columns.pair_id == pair_id,
                columns.starts_at > after,
                columns.cancelled.is_(False),
            )
            .order_by(columns.starts_at)
        )
        return (await self.session.scalars(statement)).all()

    async def planned_sessions_to_check(
        self, now: datetime, until: datetime, checked_before: datetime, limit: int
    ) -> Sequence[PlannedSession]:
        """Upcoming sessions whose event a connected calendar holds, not read since
        ``checked_before``: never read first, then the longest unread."""
        columns = tables.planned_session.c
        statement = (
            sa.select(PlannedSession)
            .where(
                columns.starts_at > now,
                columns.starts_at <= until,
                columns.cancelled.is_(False),
                # A connector's stored id ("graph|mailbox|id"); an .ics UID has no "|".
                columns.calendar_event_id.contains("|"),
                sa.or_(
                    columns.calendar_checked_at.is_(None),
                    columns.calendar_checked_at < checked_before,
                ),
            )
            .order_by(
                columns.calendar_checked_at.is_not(None),
                columns.calendar_checked_at,
                columns.starts_at,
            )
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def pairs_with_regular_slot_due(self, now: datetime) -> Sequence[Pair]:
        columns = tables.pair.c
        statement = sa.select(Pair).where(
            columns.regular_due_at <= now,
            columns.status == PairStatus.ACTIVE,
            columns.regular_slot.is_not(None),
        )
        return (await self.session.scalars(statement.order_by(columns.id))).all()
