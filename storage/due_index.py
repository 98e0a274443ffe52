"""What the tick reads first: the enrollments and pairs whose next moment has come.

``next_due_at`` is indexed; a tick with nothing due is a couple of index lookups. The tick
writes each evaluated row's next moment back only if its ``due_mark`` is the one it read
before reading the row: a change committed meanwhile (another replica's turn) bumped the mark
and set the row due, and stays so (``storage.due_marks``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import FeedbackRequest, PairStatus, PlannedSession
from bot.ports import DueSubjects
from storage import tables
from storage.due_marks import EVALUATING

CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


class SqlDueIndex:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def due_subjects(self, now: datetime | None) -> DueSubjects:
        subjects = DueSubjects({}, {})
        for table, found in (
            (tables.enrollment, subjects.enrollments),
            (tables.pair, subjects.pairs),
        ):
            statement = sa.select(table.c.id, table.c.due_mark)
            if now is not None:
                statement = statement.where(table.c.next_due_at <= now)
            result = await self.session.execute(statement)
            found.update({int(row_id): int(mark) for row_id, mark in result})
        return subjects

    async def subjects_after(
        self, enrollment_after: int | None, pair_after: int | None, limit: int
    ) -> DueSubjects:
        subjects = DueSubjects({}, {})
        for table, after, found in (
            (tables.enrollment, enrollment_after, subjects.enrollments),
            (tables.pair, pair_after, subjects.pairs),
        ):
            if after is None:
                continue
            result = await self.session.execute(
                sa.select(table.c.id, table.c.due_mark)
                .where(table.c.id > after)
                .order_by(table.c.id)
                .limit(limit)
            )
            found.update({int(row_id): int(mark) for row_id, mark in result})
        return subjects

    async def due_marks(
        self, enrollment_ids: Iterable[int], pair_ids: Iterable[int]
    ) -> DueSubjects:
        subjects = DueSubjects({}, {})
        for table, ids, found in (
            (tables.enrollment, enrollment_ids, subjects.enrollments),
            (tables.pair, pair_ids, subjects.pairs),
        ):
            for chunk in _chunks(ids):
                result = await self.session.execute(
                    sa.select(table.c.id, table.c.due_mark).where(table.c.id.in_(chunk))
                )
                found.update({int(row_id): int(mark) for row_id, mark in result})
        return subjects

    async def enrollment_ids_of_persons(self, person_ids: Iterable[int]) -> set[int]:
        columns = tables.enrollment.c
        found: set[int] = set()
        for chunk in _chunks(person_ids):
            result = await self.session.execute(
                sa.select(columns.id).where(columns.person_id.in_(chunk))
            )
            found.update(int(row_id) for (row_id,) in result)
        return found

    async def pair_members(self, pair_ids: Iterable[int]) -> set[int]:
        columns = tables.pair.c
        found: set[int] = set()
        for chunk in _chunks(pair_ids):
            result = await self.session.execute(
                sa.select(columns.mentor_enrollment_id, columns.mentee_enrollment_id).where(
                    columns.id.in_(chunk)
                )
            )
            found.update(member for row in result for member in row if member is not None)
        return found

    async def active_pair_ids_of(self, enrollment_ids: Iterable[int]) -> set[int]:
        columns = tables.pair.c
        found: set[int] = set()
        for chunk in _chunks(enrollment_ids):
            result = await self.session.execute(
                sa.select(columns.id).where(
                    columns.status == PairStatus.ACTIVE,
                    sa.or_(
                        columns.mentor_enrollment_id.in_(chunk),
                        columns.mentee_enrollment_id.in_(chunk),
                    ),
                )
            )
            found.update(int(row_id) for (row_id,) in result)
        return found

    async def persons_with_due_feedback(self, now: datetime) -> set[int]:
        columns = tables.feedback_request.c
        result = await self.session.execute(
            sa.select(columns.person_id)
            .where(columns.asked_at.is_(None), columns.due_at <= now)
            .distinct()
        )
        return {int(person_id) for (person_id,) in result}

    async def pending_feedback_due(self, person_ids: Iterable[int]) -> dict[int, list[datetime]]:
        columns = tables.feedback_request.c
        found: dict[int, list[datetime]] = {}
        for chunk in _chunks(person_ids):
            requests: Sequence[Any] = (
                await self.session.scalars(
                    sa.select(FeedbackRequest).where(
                        columns.asked_at.is_(None), columns.person_id.in_(chunk)
                    )
                )
            ).all()
            for request in requests:
                found.setdefault(request.person_id, []).append(request.due_at)
        return found

    async def unasked_planned_sessions(
        self, pair_ids: Iterable[int], started_after: datetime
    ) -> Sequence[PlannedSession]:
        columns = tables.planned_session.c
        found: list[PlannedSession] = []
        for chunk in _chunks(pair_ids):
            found.extend(
                (
                    await self.session.scalars(
                        sa.select(PlannedSession).where(
                            columns.pair_id.in_(chunk),
                            columns.starts_at > started_after,
                            columns.asked_at.is_(None),
                            columns.outcome.is_(None),
                            columns.cancelled.is_(False),
                        )
                    )
                ).all()
            )
        return found

    def evaluating(self, subjects: DueSubjects) -> None:
        self.session.sync_session.info[EVALUATING] = (
            set(subjects.enrollments),
            set(subjects.pairs),
        )

    async def record_next_due(
        self,
        subjects: DueSubjects,
        enrollments: dict[int, datetime | None],
        pairs: dict[int, datetime | None],
    ) -> int:
        written = 0
        for table, seen, moments in (
            (tables.enrollment, subjects.enrollments, enrollments),
            (tables.pair, subjects.pairs, pairs),
        ):
            rows = [
                {"row_id": row_id, "seen": seen[row_id], "moment": moment}
                for row_id, moment in moments.items()
                if row_id in seen
            ]
            if not rows:
                continue
            statement = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("row_id"))
                .where(table.c.due_mark == sa.bindparam("seen"))
                .values(next_due_at=sa.bindparam("moment", type_=tables.UTCDateTime))
            )
            connection = await self.session.connection()
            for start in range(0, len(rows), CHUNK * 4):
                result = await connection.execute(statement, rows[start : start + CHUNK * 4])
                written += max(result.rowcount, 0)
        return written
