"""The matching's queries: a few statements for a whole cohort."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Avoidance, MatchProposal, Person, Profile, ProposalStatus
from storage import tables

T = TypeVar("T")


class SqlMatchingQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def _all(self, statement: sa.Select[T]) -> Sequence[T]:
        return (await self.session.scalars(statement)).all()

    async def _one(self, statement: sa.Select[T]) -> T | None:
        return (await self.session.scalars(statement.limit(1))).first()

    def _enrolled_in(self, program_id: int) -> sa.Select[tuple[int]]:
        columns = tables.enrollment.c
        return sa.select(columns.person_id).where(columns.program_id == program_id)

    async def profiles_in_program(self, program_id: int) -> Sequence[Profile]:
        return await self._all(
            sa.select(Profile)
            .join(tables.enrollment, tables.enrollment.c.id == tables.profile.c.enrollment_id)
            .where(tables.enrollment.c.program_id == program_id)
            .order_by(tables.profile.c.id)
        )

    async def people_in_program(self, program_id: int) -> Sequence[Person]:
        return await self._all(
            sa.select(Person)
            .join(tables.enrollment, tables.enrollment.c.person_id == tables.person.c.id)
            .where(tables.enrollment.c.program_id == program_id)
            .order_by(tables.person.c.id)
        )

    async def past_partners_in_program(self, program_id: int) -> Sequence[tuple[int, int]]:
        mentor = tables.enrollment.alias("mentor_enrollment")
        mentee = tables.enrollment.alias("mentee_enrollment")
        pair = tables.pair
        statement = (
            sa.select(mentor.c.person_id, mentee.c.person_id)
            .select_from(
                pair.join(mentor, pair.c.mentor_enrollment_id == mentor.c.id).join(
                    mentee, pair.c.mentee_enrollment_id == mentee.c.id
                )
            )
            .where(
                mentor.c.person_id.in_(self._enrolled_in(program_id)),
                mentee.c.person_id.in_(self._enrolled_in(program_id)),
            )
            .distinct()
        )
        rows = (await self.session.execute(statement)).all()
        return [(int(row[0]), int(row[1])) for row in rows]

    async def avoidances_in_program(self, program_id: int) -> Sequence[Avoidance]:
        columns = tables.avoidance.c
        return await self._all(
            sa.select(Avoidance)
            .where(
                columns.person_id.in_(self._enrolled_in(program_id)),
                columns.avoided_id.in_(self._enrolled_in(program_id)),
            )
            .order_by(columns.id)
        )

    async def avoidances_by(self, person_id: int) -> Sequence[Avoidance]:
        columns = tables.avoidance.c
        return await self._all(
            sa.select(Avoidance).where(columns.person_id == person_id).order_by(columns.id)
        )

    async def avoidance(self, person_id: int, avoided_id: int) -> Avoidance | None:
        columns = tables.avoidance.c
        return await self._one(
            sa.select(Avoidance).where(
                columns.person_id == person_id, columns.avoided_id == avoided_id
            )
        )

    async def open_match_proposal(self, program_id: int) -> MatchProposal | None:
        # Locked until the turn ends: two owners approving at once create the pairs once.
        columns = tables.match_proposal.c
        return await self._one(
            sa.select(MatchProposal)
            .where(columns.program_id == program_id, columns.status == ProposalStatus.OPEN)
            .order_by(columns.id.desc())
            .with_for_update()
        )
