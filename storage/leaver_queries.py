"""Storage side of the leavers, the inactivity policy and retention (bot.leaving)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import CheckinStatus, OutboxStatus
from bot.leaving.ports import NotReached, PeopleChange, PersonReach, ReachCounts
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
        c, a = tables.checkin.c, tables.checkin.alias("answered").c
        found: dict[int, list[tuple[datetime, bool]]] = {}
        ids = None if enrollment_ids is None else sorted(enrollment_ids)
        chunks = [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
        for chunk in chunks:
            # Each enrollment's latest answered check-in: the ones before it never count.
            last = (
                sa.select(a.enrollment_id, sa.func.max(a.period).label("period"))
                .where(a.answered_at.is_not(None), *_among(a.enrollment_id, chunk))
                .group_by(a.enrollment_id)
                .subquery()
            )
            rows = await self.session.execute(
                sa.select(c.enrollment_id, c.due_at, c.answered_at)
                .outerjoin(last, last.c.enrollment_id == c.enrollment_id)
                .where(
                    c.status != CheckinStatus.OPEN,
                    sa.or_(last.c.period.is_(None), c.period > last.c.period),
                    *_among(c.enrollment_id, chunk),
                )
                .order_by(c.enrollment_id, c.period.desc())
            )
            for enrollment_id, due_at, answered_at in rows.all():
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

    async def reach_counts(self, program_id: int, now: datetime) -> ReachCounts:
        per_person = _program_reach(program_id, now)
        figures = per_person.c
        row = (
            await self.session.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.coalesce(sa.func.sum(figures.delivered), 0),
                    sa.func.coalesce(sa.func.sum(figures.waiting), 0),
                    sa.func.coalesce(sa.func.sum(figures.retrying), 0),
                    sa.func.coalesce(sa.func.sum(figures.failed), 0),
                    sa.func.coalesce(sa.func.sum(figures.never_opened), 0),
                    _count(
                        sa.or_(figures.failed > 0, figures.retrying > 0, figures.never_opened > 0)
                    ),
                )
            )
        ).one()
        people, delivered, waiting, retrying, failed, never_opened, not_reached = (
            int(value or 0) for value in row
        )
        return ReachCounts(
            people=people,
            delivered=delivered,
            waiting=waiting,
            retrying=retrying,
            failed=failed,
            never_opened=never_opened,
            not_reached=not_reached,
        )

    async def not_reached(self, program_id: int, now: datetime, limit: int) -> Sequence[NotReached]:
        person = tables.person.c
        per_person = _program_reach(program_id, now)
        figures = per_person.c
        rows = (
            await self.session.execute(
                sa.select(person.id, person.display_name, person.left_at)
                .join(per_person, figures.id == person.id)
                .where(sa.or_(figures.failed > 0, figures.retrying > 0, figures.never_opened > 0))
                .order_by(person.display_name, person.id)
                .limit(limit)
            )
        ).all()
        reach = await self.reach_of_people([int(row.id) for row in rows], now)
        return [
            NotReached(int(row.id), str(row.display_name), row.left_at is not None, reach[row.id])
            for row in rows
        ]

    async def failed_people(self, program_id: int) -> Sequence[int]:
        outbox = tables.outbox.c
        rows = await self.session.execute(
            sa.select(outbox.person_id)
            .where(
                outbox.status == OutboxStatus.FAILED,
                sa.or_(
                    outbox.person_id.in_(_invited(program_id)),
                    outbox.person_id.in_(_enrolled(program_id)),
                ),
            )
            .distinct()
        )
        return sorted(int(person_id) for (person_id,) in rows.all())

    async def reach_of_people(
        self, person_ids: Collection[int], now: datetime
    ) -> dict[int, PersonReach]:
        person, outbox = tables.person.c, tables.outbox.c
        found: dict[int, PersonReach] = {}
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            errors: dict[int, list[str]] = {}
            refusals = await self.session.execute(
                sa.select(outbox.person_id, outbox.last_error)
                .where(
                    outbox.person_id.in_(chunk),
                    outbox.status == OutboxStatus.FAILED,
                    outbox.last_error.is_not(None),
                )
                .distinct()
            )
            for person_id, error in refusals.all():
                errors.setdefault(int(person_id), []).append(str(error))
            rows = await self.session.execute(
                _reach_columns(now).where(person.id.in_(chunk)).group_by(person.id)
            )
            for row in rows.all():
                found[int(row.id)] = PersonReach(
                    delivered=int(row.delivered),
                    waiting=int(row.waiting),
                    retrying=int(row.retrying),
                    failed=int(row.failed),
                    never_opened=bool(row.never_opened),
                    errors=tuple(sorted(errors.get(int(row.id), []))),
                )
        return found

    async def retry_failed(self, person_ids: Collection[int], now: datetime) -> int:
        outbox = tables.outbox.c
        retried = 0
        ids = sorted(person_ids)
        for start in range(0, len(ids), CHUNK):
            result = await self.session.execute(
                sa.update(tables.outbox)
                .where(
                    outbox.person_id.in_(ids[start : start + CHUNK]),
                    outbox.status == OutboxStatus.FAILED,
                )
                .values(
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    attempted_at=None,
                    not_before=now,
                    last_error=None,
                )
            )
            retried += int(getattr(result, "rowcount", 0) or 0)
        return retried


def _invited(program_id: int) -> sa.Select[tuple[int]]:
    return sa.select(tables.invitation.c.person_id).where(
        tables.invitation.c.program_id == program_id
    )


def _enrolled(program_id: int) -> sa.Select[tuple[int]]:
    return sa.select(tables.enrollment.c.person_id).where(
        tables.enrollment.c.program_id == program_id
    )


def _among(column: sa.ColumnElement[int], ids: list[int] | None) -> tuple[Any, ...]:
    """The condition that ``column`` is one of ``ids`` (none: every row)."""
    return () if ids is None else (column.in_(ids),)


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _program_reach(program_id: int, now: datetime) -> sa.Subquery:
    """``_reach_columns`` of each person invited to or enrolled in the program."""
    person = tables.person.c
    return (
        _reach_columns(now)
        .where(sa.or_(person.id.in_(_invited(program_id)), person.id.in_(_enrolled(program_id))))
        .group_by(person.id)
        .subquery()
    )


def _reach_columns(now: datetime) -> sa.Select[Any]:
    """Per person (to be grouped by ``person.id``): whether the bot has had no way to write
    to them, and their messages by state: delivered; waiting (for working hours, never tried);
    retrying (tried, or due and not sent yet); failed. Skipped messages (a pause, a departure)
    are owed nothing and counted nowhere."""
    person, outbox = tables.person.c, tables.outbox.c
    under_way = outbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
    held = sa.and_(outbox.attempts == 0, outbox.not_before > now)
    # No address: SQL NULL when never written, JSON null when the ORM wrote None.
    no_address = sa.or_(person.address.is_(None), sa.cast(person.address, sa.Text) == "null")
    return sa.select(
        person.id.label("id"),
        # Never opened: nothing to write into, and nothing got through (Tandem installed for
        # them through Microsoft Graph reaches them all the same).
        sa.case(
            (
                sa.and_(
                    sa.func.max(
                        sa.case(
                            (sa.and_(person.platform == "teams", no_address), 1),
                            else_=0,
                        )
                    )
                    == 1,
                    _count(outbox.status == OutboxStatus.SENT) == 0,
                ),
                1,
            ),
            else_=0,
        ).label("never_opened"),
        _count(outbox.status == OutboxStatus.SENT).label("delivered"),
        _count(sa.and_(under_way, held)).label("waiting"),
        _count(sa.and_(under_way, sa.not_(held))).label("retrying"),
        _count(outbox.status == OutboxStatus.FAILED).label("failed"),
    ).select_from(tables.person.outerjoin(tables.outbox, outbox.person_id == person.id))
