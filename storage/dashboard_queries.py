"""The dashboard's reads and its links and sessions (bot.dashboard.ports)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dashboard.model import (
    LinkRefusal,
    LinkUse,
    PairRow,
    PairSession,
    People,
    PeopleCounts,
    PersonRow,
)
from bot.digest.figures import AtRiskPair
from bot.domain import InvitationStatus, PairStatus, Role
from storage import tables
from storage.digest_queries import _utc

LINKS_KEPT = timedelta(days=7)


def _day(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date)
    return value


class SqlDashboardQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def add_dashboard_link(
        self,
        token_hash: str,
        person_id: int,
        program_id: int | None,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        link = tables.dashboard_link
        # A spent or expired link is kept a week, to tell its owner so rather than "unknown".
        await self.session.execute(
            sa.delete(link).where(link.c.expires_at < created_at - LINKS_KEPT)
        )
        await self.session.execute(
            sa.insert(tables.dashboard_link).values(
                token_hash=token_hash,
                person_id=person_id,
                program_id=program_id,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    async def use_dashboard_link(self, token_hash: str, now: datetime) -> LinkUse:
        link = tables.dashboard_link.c
        # One statement checks and spends the link: of two clicks at once, one opens it.
        used = (
            await self.session.execute(
                sa.update(tables.dashboard_link)
                .where(link.token_hash == token_hash, link.used_at.is_(None), link.expires_at > now)
                .values(used_at=now)
                .returning(link.person_id, link.program_id)
            )
        ).first()
        if used is not None:
            return LinkUse(person_id=int(used[0]), program_id=used[1])
        found = (
            await self.session.execute(
                sa.select(link.person_id, link.used_at).where(link.token_hash == token_hash)
            )
        ).first()
        if found is None:
            return LinkUse(person_id=None, refusal=LinkRefusal.UNKNOWN)
        refusal = LinkRefusal.USED if found[1] is not None else LinkRefusal.EXPIRED
        return LinkUse(person_id=int(found[0]), refusal=refusal)

    async def add_dashboard_session(
        self, token_hash: str, person_id: int, created_at: datetime, expires_at: datetime
    ) -> None:
        session = tables.dashboard_session
        # Sessions long over go as new ones come: the table holds the live ones, about.
        await self.session.execute(sa.delete(session).where(session.c.expires_at <= created_at))
        await self.session.execute(
            sa.insert(session).values(
                token_hash=token_hash,
                person_id=person_id,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    async def dashboard_session_person(self, token_hash: str, now: datetime) -> int | None:
        s = tables.dashboard_session.c
        found = await self.session.scalar(
            sa.select(s.person_id).where(s.token_hash == token_hash, s.expires_at > now)
        )
        return None if found is None else int(found)

    async def end_dashboard_session(self, token_hash: str) -> None:
        s = tables.dashboard_session
        await self.session.execute(sa.delete(s).where(s.c.token_hash == token_hash))

    async def dashboard_pair_rows(
        self,
        program_id: int,
        now: datetime,
        pair_ids: Collection[int] | None = None,
        attention: Mapping[int, AtRiskPair] | None = None,
        figures: bool = True,
    ) -> Sequence[PairRow]:
        attention = attention or {}
        p, s, c = tables.pair.c, tables.session_log.c, tables.charter.c
        program, planned = tables.program.c, tables.planned_session.c
        wanted = p.program_id == program_id
        if pair_ids is not None:
            wanted = sa.and_(wanted, p.id.in_(sorted(pair_ids)))
        if not figures:
            return await self._pair_names(wanted, attention)
        logs = (
            sa.select(
                s.pair_id,
                sa.func.count().label("sessions"),
                sa.func.sum(s.minutes).label("minutes"),
                sa.func.max(s.held_on).label("last"),
            )
            .join(tables.pair, p.id == s.pair_id)
            .where(wanted)
            .group_by(s.pair_id)
            .subquery()
        )
        upcoming = (
            sa.select(planned.pair_id, sa.func.min(planned.starts_at).label("next"))
            .join(tables.pair, p.id == planned.pair_id)
            .where(
                wanted,
                planned.starts_at > now,
                planned.cancelled.is_(False),
                planned.outcome.is_(None),
            )
            .group_by(planned.pair_id)
            .subquery()
        )
        mentor, mentee = tables.enrollment.alias("mentor"), tables.enrollment.alias("mentee")
        mentor_person = tables.person.alias("mentor_person")
        mentee_person = tables.person.alias("mentee_person")
        rows = (
            await self.session.execute(
                sa.select(
                    p.id,
                    mentor_person.c.display_name,
                    mentee_person.c.display_name,
                    p.status,
                    c.status,
                    c.mentee_goal,
                    c.mentor_goal,
                    logs.c.sessions,
                    sa.func.coalesce(c.meetings, program.sessions_planned),
                    logs.c.minutes,
                    logs.c.last,
                    sa.type_coerce(upcoming.c.next, tables.UTCDateTime),
                )
                .select_from(
                    tables.pair.join(tables.program, program.id == p.program_id)
                    .outerjoin(tables.charter, c.pair_id == p.id)
                    .outerjoin(logs, logs.c.pair_id == p.id)
                    .outerjoin(upcoming, upcoming.c.pair_id == p.id)
                    .outerjoin(mentor, mentor.c.id == p.mentor_enrollment_id)
                    .outerjoin(mentor_person, mentor_person.c.id == mentor.c.person_id)
                    .outerjoin(mentee, mentee.c.id == p.mentee_enrollment_id)
                    .outerjoin(mentee_person, mentee_person.c.id == mentee.c.person_id)
                )
                .where(wanted)
                .order_by(p.id)
            )
        ).all()
        return [
            PairRow(
                pair_id=int(row[0]),
                mentor=row[1],
                mentee=row[2],
                status=str(PairStatus(row[3]).value),
                charter_status=None if row[4] is None else str(row[4].value),
                mentee_goal=row[5],
                mentor_goal=row[6],
                sessions=int(row[7] or 0),
                target=int(row[8] or 0),
                minutes=int(row[9] or 0),
                last_session=_day(row[10]),
                next_planned=_utc(row[11]),
                attention=attention.get(row[0]),
            )
            for row in rows
        ]

    async def _pair_names(
        self, wanted: sa.ColumnElement[bool], attention: Mapping[int, AtRiskPair]
    ) -> Sequence[PairRow]:
        """The pairs with their people and status only: enough to sort or search a list by
        name or status before reading any figure."""
        p = tables.pair.c
        mentor, mentee = tables.enrollment.alias("mentor"), tables.enrollment.alias("mentee")
        mentor_person = tables.person.alias("mentor_person")
        mentee_person = tables.person.alias("mentee_person")
        rows = await self.session.execute(
            sa.select(
                p.id,
                mentor_person.c.display_name,
                mentee_person.c.display_name,
                sa.type_coerce(p.status, sa.String),
            )
            .select_from(
                tables.pair.outerjoin(mentor, mentor.c.id == p.mentor_enrollment_id)
                .outerjoin(mentor_person, mentor_person.c.id == mentor.c.person_id)
                .outerjoin(mentee, mentee.c.id == p.mentee_enrollment_id)
                .outerjoin(mentee_person, mentee_person.c.id == mentee.c.person_id)
            )
            .where(wanted)
            .order_by(p.id)
        )
        return [
            PairRow(
                pair_id=int(row[0]),
                mentor=row[1],
                mentee=row[2],
                status=str(row[3]),
                charter_status=None,
                mentee_goal=None,
                mentor_goal=None,
                sessions=0,
                target=0,
                minutes=0,
                last_session=None,
                next_planned=None,
                attention=attention.get(int(row[0])),
            )
            for row in rows
        ]

    async def dashboard_pair_sessions(self, pair_id: int) -> Sequence[PairSession]:
        s = tables.session_log.c
        rows = await self.session.execute(
            sa.select(s.held_on, s.minutes).where(s.pair_id == pair_id).order_by(s.held_on, s.id)
        )
        return [PairSession(held_on=row[0], minutes=int(row[1])) for row in rows]

    async def dashboard_pair_planned(self, pair_id: int, now: datetime) -> Sequence[datetime]:
        planned = tables.planned_session.c
        found = await self.session.scalars(
            sa.select(planned.starts_at)
            .where(
                planned.pair_id == pair_id,
                planned.starts_at > now,
                planned.cancelled.is_(False),
                planned.outcome.is_(None),
            )
            .order_by(planned.starts_at)
        )
        return list(found)

    async def dashboard_people(
        self, program_id: int, only_pending: bool, first: int, limit: int
    ) -> People:
        i, e, person = tables.invitation.c, tables.enrollment.c, tables.person.c
        profile, p = tables.profile.c, tables.pair.c
        # Each person's invitations to the program: the first one's date, and whether one is
        # still unanswered (else whether they declined).
        invitations = (
            sa.select(
                i.person_id,
                sa.type_coerce(sa.func.min(i.created_at), sa.String).label("invited_at"),
                sa.func.max(sa.case((i.status == InvitationStatus.PENDING, 1), else_=0)).label(
                    "pending"
                ),
            )
            .where(i.program_id == program_id)
            .group_by(i.person_id)
            .subquery()
        )
        in_active_pair = sa.and_(p.program_id == program_id, p.status == PairStatus.ACTIVE)
        paired = sa.union(
            sa.select(p.mentor_enrollment_id.label("enrollment_id")).where(in_active_pair),
            sa.select(p.mentee_enrollment_id).where(in_active_pair),
        ).subquery()
        # Everyone enrolled (one row each), then those invited who never enrolled. The rows
        # come back as plain values (no enum, no date parsed): the whole program is counted
        # and sorted, but only the page shown becomes rows.
        enrolled = await self.session.execute(
            sa.select(
                person.id,
                person.display_name,
                sa.type_coerce(e.role, sa.String),
                sa.type_coerce(e.status, sa.String),
                invitations.c.invited_at,
                profile.completed_at.is_not(None),
                paired.c.enrollment_id.is_not(None),
                person.unreachable,
            )
            .select_from(
                tables.enrollment.join(tables.person, person.id == e.person_id)
                .outerjoin(tables.profile, profile.enrollment_id == e.id)
                .outerjoin(paired, paired.c.enrollment_id == e.id)
                .outerjoin(invitations, invitations.c.person_id == e.person_id)
            )
            .where(e.program_id == program_id)
        )
        found: list[Sequence[Any]] = list(enrolled.all())
        program_people = sa.select(e.person_id).where(e.program_id == program_id)
        invited_only = await self.session.execute(
            sa.select(
                person.id,
                person.display_name,
                sa.literal(None, sa.String),
                sa.case((invitations.c.pending == 1, "pending"), else_="declined"),
                invitations.c.invited_at,
                sa.false(),
                sa.false(),
                person.unreachable,
            )
            .select_from(invitations.join(tables.person, person.id == invitations.c.person_id))
            .where(invitations.c.person_id.not_in(program_people))
        )
        found += invited_only.all()
        counts = _reach(found)
        not_answered = [row for row in found if row[3] == "pending"]
        shown = not_answered if only_pending else found
        shown.sort(key=lambda row: (str(row[1]).casefold(), row[0]))
        if first >= len(shown) and shown:
            first = (len(shown) - 1) // limit * limit
        return People(
            counts=counts,
            not_answered=len(not_answered),
            total=len(shown),
            rows=tuple(_person_row(row) for row in shown[max(0, first) : first + limit]),
        )


def _person_row(row: Sequence[Any]) -> PersonRow:
    return PersonRow(
        person_id=int(row[0]),
        name=str(row[1]),
        role=None if row[2] is None else str(Role(row[2]).value),
        status=str(row[3]),
        invited_at=_utc(row[4]),
        questionnaire_done=bool(row[5]),
        paired=bool(row[6]),
        unreachable=bool(row[7]),
    )


def _reach(rows: Sequence[Sequence[Any]]) -> PeopleCounts:
    """The program's reach, from the invitation to the pair: (id, name, role, status,
    invited_at, questionnaire done, paired, unreachable) a person, role None when only
    invited."""
    invited = answered = enrolled = questionnaire = paired = paused = left = 0
    for _, _, role, status, invited_at, done, in_pair, _ in rows:
        if invited_at is not None:
            invited += 1
            answered += status != "pending"
        if role is not None:
            enrolled += status != "left"
            questionnaire += bool(done)
            paired += bool(in_pair)
            paused += status == "paused"
            left += status == "left"
    return PeopleCounts(
        invited=invited,
        answered=answered,
        enrolled=enrolled,
        questionnaire=questionnaire,
        paired=paired,
        paused=paused,
        left=left,
    )
