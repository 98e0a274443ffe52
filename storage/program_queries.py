"""A program's headcount, counted by the database (a program may hold 100,000 people)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import EnrollmentStatus, PairStatus, Role
from bot.ports import Headcount
from storage import tables


class SqlProgramQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def program_headcount(self, program_id: int) -> Headcount:
        e, p = tables.enrollment.c, tables.pair.c
        staying = sa.and_(e.program_id == program_id, e.status != EnrollmentStatus.LEFT)
        statement = sa.select(
            sa.select(sa.func.count()).where(staying, e.role == Role.MENTOR).scalar_subquery(),
            sa.select(sa.func.count()).where(staying, e.role == Role.MENTEE).scalar_subquery(),
            sa.select(sa.func.count())
            .where(p.program_id == program_id, p.status == PairStatus.ACTIVE)
            .scalar_subquery(),
        )
        mentors, mentees, pairs = (await self.session.execute(statement)).one()
        return Headcount(int(mentors), int(mentees), int(pairs))
