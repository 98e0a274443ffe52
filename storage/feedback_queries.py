"""Post-session feedback reads: one session log, and what a mentor's mentees said."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import FeedbackRequest, SessionLog
from storage import tables


class SqlFeedbackQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def session_log(self, log_id: int) -> SessionLog | None:
        return await self.session.get(SessionLog, log_id)

    async def feedback_for_mentor(self, person_id: int) -> Sequence[FeedbackRequest]:
        feedback, log = tables.feedback_request.c, tables.session_log.c
        pair, enrollment = tables.pair.c, tables.enrollment.c
        statement = (
            sa.select(FeedbackRequest)
            .join(tables.session_log, log.id == feedback.session_log_id)
            .join(tables.pair, pair.id == log.pair_id)
            .join(tables.enrollment, enrollment.id == pair.mentor_enrollment_id)
            .where(
                enrollment.person_id == person_id,
                feedback.person_id != person_id,
                feedback.usefulness.is_not(None),
            )
            .order_by(feedback.answered_at, feedback.id)
        )
        return (await self.session.scalars(statement)).all()

    async def covering_feedback_request(
        self, person_id: int, pair_id: int, unanswered_since: datetime, created_since: datetime
    ) -> FeedbackRequest | None:
        feedback, log = tables.feedback_request.c, tables.session_log.c
        statement = (
            sa.select(FeedbackRequest)
            .join(tables.session_log, log.id == feedback.session_log_id)
            .where(
                feedback.person_id == person_id,
                log.pair_id == pair_id,
                sa.or_(
                    sa.and_(
                        feedback.answered_at.is_(None), feedback.created_at >= unanswered_since
                    ),
                    feedback.created_at >= created_since,
                ),
            )
            .order_by(feedback.id.desc())
            .limit(1)
        )
        return (await self.session.scalars(statement)).first()
