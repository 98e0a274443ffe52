"""A roster import's reads and bulk writes (bot.roster): a few statements per thousand lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import EnrollmentStatus, InvitationStatus, Person
from bot.roster.model import RosterImport
from storage import tables
from storage.bulk_writes import KEYS_PER_LOOKUP, SqlBulkWrites, chunked, insert_rows


class SqlRosterQueries(SqlBulkWrites):
    async def people_by_emails(
        self, platform: str, workspace: str, emails: Iterable[str]
    ) -> dict[str, Person]:
        column = tables.person.c
        found: dict[str, Person] = {}
        for chunk in chunked(sorted(set(emails)), KEYS_PER_LOOKUP):
            statement = sa.select(Person).where(
                column.platform == platform, column.workspace == workspace, column.email.in_(chunk)
            )
            for person in (await self.session.scalars(statement)).all():
                assert person.email is not None
                found.setdefault(person.email, person)
        return found

    async def people_by_user_ids(
        self, platform: str, workspace: str, user_ids: Iterable[str]
    ) -> dict[str, Person]:
        column = tables.person.c
        found: dict[str, Person] = {}
        for chunk in chunked(sorted(set(user_ids)), KEYS_PER_LOOKUP):
            statement = sa.select(Person).where(
                column.platform == platform,
                column.workspace == workspace,
                column.user_id.in_(chunk),
            )
            for person in (await self.session.scalars(statement)).all():
                found[person.user_id] = person
        return found

    async def standing_in_program(
        self, program_id: int, person_ids: Iterable[int]
    ) -> dict[int, str]:
        enrollment, invitation = tables.enrollment.c, tables.invitation.c
        standing: dict[int, str] = {}
        for chunk in chunked(sorted(set(person_ids)), KEYS_PER_LOOKUP):
            invited = await self.session.execute(
                sa.select(invitation.person_id).where(
                    invitation.program_id == program_id,
                    invitation.status == InvitationStatus.PENDING,
                    invitation.person_id.in_(chunk),
                )
            )
            standing.update({int(row[0]): "invited" for row in invited})
            enrolled = await self.session.execute(
                sa.select(enrollment.person_id).where(
                    enrollment.program_id == program_id,
                    enrollment.status != EnrollmentStatus.LEFT,
                    enrollment.person_id.in_(chunk),
                )
            )
            standing.update({int(row[0]): "enrolled" for row in enrolled})
        return standing

    async def roster_invitees(self, program_id: int) -> list[Person]:
        invitation, person = tables.invitation.c, tables.person.c
        rows = await self.session.execute(
            sa.select(invitation.person_id, invitation.hints).where(
                invitation.program_id == program_id
            )
        )
        # The hints are JSON: read here rather than in SQL, alike on both databases.
        ids = {
            int(person_id)
            for person_id, hints in rows.all()
            if isinstance(hints, dict) and hints.get("source") == "roster"
        }
        found: list[Person] = []
        for chunk in chunked(sorted(ids), KEYS_PER_LOOKUP):
            found += (
                await self.session.scalars(
                    sa.select(Person).where(person.id.in_(chunk), person.left_at.is_(None))
                )
            ).all()
        return found

    async def roster_import(self, import_id: int) -> RosterImport | None:
        statement = (
            sa.select(RosterImport).where(tables.roster_import.c.id == import_id).with_for_update()
        )
        return (await self.session.scalars(statement)).first()

    async def discard_pending_imports(self, program_id: int) -> int:
        column = tables.roster_import.c
        result = await self.session.execute(
            sa.delete(tables.roster_import).where(
                column.program_id == program_id, column.confirmed_at.is_(None)
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge_unconfirmed_imports(self, created_before: datetime) -> int:
        column = tables.roster_import.c
        result = await self.session.execute(
            sa.delete(tables.roster_import).where(
                column.confirmed_at.is_(None), column.created_at < created_before
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def insert_people(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        return await self._insert_with_ids(tables.person, rows)

    async def insert_invitations(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        return await self._insert_with_ids(tables.invitation, rows)

    async def _insert_with_ids(self, table: sa.Table, rows: Sequence[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        ids = await self._new_ids(table, len(rows))
        await insert_rows(
            self.session,
            table,
            [{"id": new_id, **row} for new_id, row in zip(ids, rows, strict=True)],
        )
        return ids
