"""The scheduler's bulk queries: a handful of statements for a whole cohort."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import (
    Charter,
    Checkin,
    CheckinStatus,
    Conversation,
    ConversationStatus,
    Enrollment,
    EnrollmentStatus,
    FeedbackRequest,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Person,
    PlannedSession,
)
from storage import tables

T = TypeVar("T")
# Keeps every statement under SQLite's and asyncpg's bound-parameter limits.
CHUNK = 500
# Which ids a scheduler query is about; None: everyone (the full scan).
Scope = Collection[int] | None


def _scoped(column: sa.ColumnElement[Any], ids: Scope) -> Iterable[tuple[Any, ...]]:
    """The WHERE clauses of the statements to run: one for everyone, else one per chunk."""
    if ids is None:
        yield ()
        return
    for chunk in _chunks(ids):
        yield (column.in_(chunk),)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    batch = sorted(set(ids))
    for start in range(0, len(batch), CHUNK):
        yield batch[start : start + CHUNK]


class SqlSchedulingQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def _rows(self, statement: sa.Select[Any]) -> Sequence[Any]:
        return (await self.session.scalars(statement)).all()

    async def enrollments_with_status(
        self, statuses: Sequence[EnrollmentStatus]
    ) -> Sequence[Enrollment]:
        columns = tables.enrollment.c
        return await self._rows(
            sa.select(Enrollment).where(columns.status.in_(list(statuses))).order_by(columns.id)
        )

    async def persons_by_id(self, person_ids: Iterable[int]) -> dict[int, Person]:
        found: dict[int, Person] = {}
        for chunk in _chunks(person_ids):
            for person in await self._rows(sa.select(Person).where(tables.person.c.id.in_(chunk))):
                found[person.id] = person
        return found

    async def enrollments_by_id(self, enrollment_ids: Iterable[int]) -> dict[int, Enrollment]:
        found: dict[int, Enrollment] = {}
        for chunk in _chunks(enrollment_ids):
            for enrollment in await self._rows(
                sa.select(Enrollment).where(tables.enrollment.c.id.in_(chunk))
            ):
                found[enrollment.id] = enrollment
        return found

    async def last_checkin_periods(self, enrollment_ids: Scope = None) -> dict[int, int]:
        columns = tables.checkin.c
        statement = sa.select(columns.enrollment_id, sa.func.max(columns.period)).group_by(
            columns.enrollment_id
        )
        periods: dict[int, int] = {}
        for where in _scoped(columns.enrollment_id, enrollment_ids):
            result = await self.session.execute(statement.where(*where))
            periods.update({int(row[0]): int(row[1]) for row in result})
        return periods

    async def open_checkins(self, enrollment_ids: Scope = None) -> Sequence[Checkin]:
        columns = tables.checkin.c
        statement = sa.select(Checkin).where(columns.status == CheckinStatus.OPEN)
        found: list[Checkin] = []
        for where in _scoped(columns.enrollment_id, enrollment_ids):
            found.extend(await self._rows(statement.where(*where)))
        return sorted(found, key=lambda checkin: checkin.id or 0)

    async def checkin(self, checkin_id: int) -> Checkin | None:
        return await self.session.get(Checkin, checkin_id)

    async def planned_sessions_starting(
        self, after: datetime, before: datetime, pair_ids: Scope = None
    ) -> Sequence[PlannedSession]:
        columns = tables.planned_session.c
        statement = sa.select(PlannedSession).where(
            columns.starts_at > after,
            columns.starts_at <= before,
            columns.cancelled.is_(False),
        )
        found: list[PlannedSession] = []
        for where in _scoped(columns.pair_id, pair_ids):
            found.extend(await self._rows(statement.where(*where)))
        return sorted(found, key=lambda session: (session.starts_at, session.id or 0))

    async def past_planned_sessions(
        self, started_before: datetime, started_after: datetime, pair_ids: Scope = None
    ) -> Sequence[PlannedSession]:
        columns = tables.planned_session.c
        statement = sa.select(PlannedSession).where(
            columns.starts_at <= started_before,
            columns.starts_at > started_after,
            columns.asked_at.is_(None),
            columns.outcome.is_(None),
            columns.cancelled.is_(False),
        )
        found: list[PlannedSession] = []
        for where in _scoped(columns.pair_id, pair_ids):
            found.extend(await self._rows(statement.where(*where)))
        return sorted(found, key=lambda session: (session.starts_at, session.id or 0))

    async def active_pairs(self, pair_ids: Scope = None) -> Sequence[Pair]:
        columns = tables.pair.c
        statement = sa.select(Pair).where(columns.status == PairStatus.ACTIVE)
        found: list[Pair] = []
        for where in _scoped(columns.id, pair_ids):
            found.extend(await self._rows(statement.where(*where)))
        return sorted(found, key=lambda pair: pair.id or 0)

    async def last_session_log_times(self, pair_ids: Scope = None) -> dict[int, datetime]:
        columns = tables.session_log.c
        created = sa.func.max(columns.created_at)
        statement = sa.select(columns.pair_id, created.label("at")).group_by(columns.pair_id)
        decode = tables.UTCDateTime().process_result_value
        dialect = self.session.get_bind().dialect
        times: dict[int, datetime] = {}
        for where in _scoped(columns.pair_id, pair_ids):
            for pair_id, at in await self.session.execute(statement.where(*where)):
                # SQLite hands an aggregate back as text: parse it like the column would be.
                value = datetime.fromisoformat(at) if isinstance(at, str) else at
                decoded = decode(value, dialect)
                if decoded is not None:
                    times[int(pair_id)] = decoded
        return times

    async def charters_by_pair(self, pair_ids: Scope = None) -> dict[int, Charter]:
        charters: dict[int, Charter] = {}
        for where in _scoped(tables.charter.c.pair_id, pair_ids):
            for charter in await self._rows(sa.select(Charter).where(*where)):
                charters[charter.pair_id] = charter
        return charters

    async def due_feedback_requests(self, now: datetime) -> Sequence[FeedbackRequest]:
        columns = tables.feedback_request.c
        return await self._rows(
            sa.select(FeedbackRequest)
            .where(columns.asked_at.is_(None), columns.due_at <= now)
            .order_by(columns.id)
        )

    async def sessions_covered(
        self, requests: Sequence[FeedbackRequest], now: datetime
    ) -> dict[int, int]:
        feedback = tables.feedback_request.c
        first, later = tables.session_log.alias("first"), tables.session_log.alias("later")
        counts: dict[int, int] = {}
        for chunk in _chunks(r.id for r in requests if r.id is not None):
            statement = (
                sa.select(feedback.id, sa.func.count(later.c.id))
                .join(first, first.c.id == feedback.session_log_id)
                .join(
                    later,
                    sa.and_(
                        later.c.pair_id == first.c.pair_id,
                        later.c.created_at >= first.c.created_at,
                        later.c.created_at <= now,
                        sa.or_(
                            later.c.logged_by.is_(None), later.c.logged_by != feedback.person_id
                        ),
                    ),
                )
                .where(feedback.id.in_(chunk))
                .group_by(feedback.id)
            )
            counts.update({int(i): int(n) for i, n in (await self.session.execute(statement))})
        return counts

    async def feedback_request(self, request_id: int) -> FeedbackRequest | None:
        return await self.session.get(FeedbackRequest, request_id)

    async def paused_person_ids(self, person_ids: Iterable[int]) -> set[int]:
        columns = tables.enrollment.c
        paused: set[int] = set()
        for chunk in _chunks(person_ids):
            statuses: dict[int, set[str]] = {}
            result = await self.session.execute(
                sa.select(columns.person_id, columns.status).where(columns.person_id.in_(chunk))
            )
            for person_id, status in result:
                statuses.setdefault(int(person_id), set()).add(str(status))
            paused.update(
                person_id
                for person_id, seen in statuses.items()
                if EnrollmentStatus.PAUSED in seen and EnrollmentStatus.ACTIVE not in seen
            )
        return paused

    async def open_conversations_of_flow(
        self, flow: str, subject_ids: Scope = None
    ) -> dict[int, Conversation]:
        columns = tables.conversation.c
        statement = sa.select(Conversation).where(
            columns.flow == flow, columns.status == ConversationStatus.OPEN
        )
        found: dict[int, Conversation] = {}
        for where in _scoped(columns.subject_id, subject_ids):
            for conversation in await self._rows(statement.where(*where)):
                found[conversation.subject_id] = conversation
        return found

    async def outbox_outstanding(self) -> int:
        columns = tables.outbox.c
        count = await self.session.scalar(
            sa.select(sa.func.count()).where(
                columns.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
            )
        )
        return int(count or 0)

    async def outbox_messages(self, message_ids: Iterable[int]) -> dict[int, OutboxMessage]:
        found: dict[int, OutboxMessage] = {}
        for chunk in _chunks(message_ids):
            for message in await self._rows(
                sa.select(OutboxMessage).where(tables.outbox.c.id.in_(chunk))
            ):
                found[message.id] = message
        return found
