"""The chart's figures: sessions, check-in mood and response rate a week, counted by the
database.

Sessions are counted by day (a date has no time zone) and put in their week here. Each check-in
is put in its week by a CASE over the window's bounds rather than by date arithmetic, which
SQLite and PostgreSQL spell differently; the bounds are local midnights, so a week is the
program's week even across a time change.
"""

from __future__ import annotations

from datetime import date
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


def _as_date(value: Any) -> date:
    """SQLite hands a date back as text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


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
        # By day, then by week here: a program has a few hundred days with sessions, and
        # grouping by the date costs the database less than a CASE per session.
        day_rows = (
            await self.session.execute(
                sa.select(s.held_on, sa.func.count(), sa.func.sum(s.minutes))
                .join(tables.pair, p.id == s.pair_id)
                .where(p.program_id == window.program_id, s.held_on >= first)
                .group_by(s.held_on)
            )
        ).all()
        sessions: dict[int, tuple[int, int]] = {}
        weeks = len(window.mondays)
        for held_on, count, minutes in day_rows:
            index = (_as_date(held_on) - first).days // 7
            if 0 <= index < weeks:
                before = sessions.get(index, (0, 0))
                sessions[index] = (before[0] + int(count), before[1] + int(minutes or 0))

        # One pass over the program's check-ins for both of their figures: the mood of the
        # week they were answered in, and the answers to those that fell due each week.
        c, e = tables.checkin.c, tables.enrollment.c
        answer_week = _week_of(c.answered_at, list(window.bounds)).label("answer_week")
        due_week = _week_of(c.due_at, list(window.bounds)).label("due_week")
        checkin_rows = (
            await self.session.execute(
                sa.select(
                    answer_week,
                    due_week,
                    sa.func.count(),
                    sa.func.count(c.answered_at),
                    sa.func.sum(c.mood),
                    sa.func.count(c.mood),
                )
                .join(tables.enrollment, e.id == c.enrollment_id)
                .where(
                    e.program_id == window.program_id,
                    sa.or_(
                        sa.and_(c.answered_at >= window.bounds[0], c.answered_at < end),
                        sa.and_(c.due_at >= window.bounds[0], c.due_at < end),
                    ),
                )
                .group_by(answer_week, due_week)
            )
        ).all()
        due: dict[int, tuple[int, int]] = {}
        mood_sums: dict[int, tuple[int, int]] = {}
        for answered_in, due_in, count, answered, mood_sum, moods_given in checkin_rows:
            if due_in is not None:
                before = due.get(int(due_in), (0, 0))
                due[int(due_in)] = (before[0] + int(count), before[1] + int(answered))
            if answered_in is not None and moods_given:
                before = mood_sums.get(int(answered_in), (0, 0))
                mood_sums[int(answered_in)] = (
                    before[0] + int(mood_sum),
                    before[1] + int(moods_given),
                )
        moods = {w: (round(total / n, 1), n) for w, (total, n) in mood_sums.items()}

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
