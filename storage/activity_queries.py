"""The chart's figures: sessions, check-in mood and response rate a week, counted by the
database.

Each row is put in its week by a CASE over the window's bounds rather than by date arithmetic,
which SQLite and PostgreSQL spell differently; with a dozen weeks the CASE stays small, and the
bounds are local midnights, so a week is the program's week even across a time change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.activity import ActivityWindow, WeekActivity
from storage import tables
from storage.digest_queries import tune_for_aggregates


def _week_of(column: sa.ColumnElement[Any], bounds: list[Any]) -> sa.ColumnElement[Any]:
    """Which week (0, 1, …) a value falls in; NULL before the first bound or after the last."""
    return sa.case(
        *((column < bound, index - 1) for index, bound in enumerate(bounds) if index),
        else_=None,
    )


class SqlActivityQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def weekly_activity(self, window: ActivityWindow) -> tuple[WeekActivity, ...]:
        await tune_for_aggregates(self.session)
        if not window.mondays:
            return ()
        p, s = tables.pair.c, tables.session_log.c
        first, end = window.mondays[0], window.bounds[-1]
        day_bounds = [*window.mondays, window.mondays[-1] + timedelta(weeks=1)]
        session_week = _week_of(s.held_on, day_bounds).label("week")
        session_rows = (
            await self.session.execute(
                sa.select(session_week, sa.func.count(), sa.func.sum(s.minutes))
                .join(tables.pair, p.id == s.pair_id)
                .where(p.program_id == window.program_id, s.held_on >= first)
                .group_by(session_week)
            )
        ).all()

        c, e = tables.checkin.c, tables.enrollment.c
        answer_week = _week_of(c.answered_at, list(window.bounds)).label("week")
        mood_rows = (
            await self.session.execute(
                sa.select(answer_week, sa.func.avg(c.mood), sa.func.count())
                .join(tables.enrollment, e.id == c.enrollment_id)
                .where(
                    e.program_id == window.program_id,
                    c.mood.is_not(None),
                    c.answered_at >= window.bounds[0],
                    c.answered_at < end,
                )
                .group_by(answer_week)
            )
        ).all()

        due_week = _week_of(c.due_at, list(window.bounds)).label("week")
        due_rows = (
            await self.session.execute(
                sa.select(due_week, sa.func.count(), sa.func.count(c.answered_at))
                .join(tables.enrollment, e.id == c.enrollment_id)
                .where(
                    e.program_id == window.program_id,
                    c.due_at >= window.bounds[0],
                    c.due_at < end,
                )
                .group_by(due_week)
            )
        ).all()

        sessions = {int(w): (int(n), int(m or 0)) for w, n, m in session_rows if w is not None}
        due = {int(w): (int(n), int(a)) for w, n, a in due_rows if w is not None}
        moods = {int(w): (round(float(a), 1), int(n)) for w, a, n in mood_rows if w is not None}
        return tuple(
            WeekActivity(
                monday=monday,
                sessions=sessions.get(index, (0, 0))[0],
                minutes=sessions.get(index, (0, 0))[1],
                mood=moods[index][0] if index in moods else None,
                checkins=moods.get(index, (None, 0))[1],
                due=due.get(index, (0, 0))[0],
                answered=due.get(index, (0, 0))[1],
            )
            for index, monday in enumerate(window.mondays)
        )
