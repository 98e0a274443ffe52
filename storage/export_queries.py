"""HR's export of a program: every session, each participant's participation (aggregated per
person in the database) and what people learnt, under the digest's anonymity rule."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.figures import ExportRows, ParticipantRow, Quote, SessionRow
from bot.domain import CheckinStatus
from storage import tables
from storage.digest_queries import _average, tune_for_aggregates


class SqlExportQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def export_rows(self, program_id: int, quote_min_group: int) -> ExportRows:
        await tune_for_aggregates(self.session)
        p, s, e, c = tables.pair.c, tables.session_log.c, tables.enrollment.c, tables.checkin.c
        f, person = tables.feedback_request.c, tables.person.c
        mentor_e, mentee_e = (
            tables.enrollment.alias("mentor_e"),
            tables.enrollment.alias("mentee_e"),
        )
        mentor_p, mentee_p = tables.person.alias("mentor_p"), tables.person.alias("mentee_p")
        session_rows = (
            await self.session.execute(
                sa.select(
                    s.id,
                    s.pair_id,
                    s.held_on,
                    s.minutes,
                    mentor_p.c.display_name,
                    mentee_p.c.display_name,
                )
                .select_from(
                    tables.session_log.join(tables.pair, p.id == s.pair_id)
                    .outerjoin(mentor_e, mentor_e.c.id == p.mentor_enrollment_id)
                    .outerjoin(mentor_p, mentor_p.c.id == mentor_e.c.person_id)
                    .outerjoin(mentee_e, mentee_e.c.id == p.mentee_enrollment_id)
                    .outerjoin(mentee_p, mentee_p.c.id == mentee_e.c.person_id)
                )
                .where(p.program_id == program_id)
                .order_by(s.held_on, s.id)
            )
        ).all()

        members = sa.union_all(
            *(
                sa.select(p.id.label("pair_id"), side.label("enrollment_id")).where(
                    p.program_id == program_id, side.is_not(None)
                )
                for side in (p.mentor_enrollment_id, p.mentee_enrollment_id)
            )
        ).subquery()
        sessions_of = (
            sa.select(
                members.c.enrollment_id,
                sa.func.count(s.id).label("sessions"),
                sa.func.sum(s.minutes).label("minutes"),
            )
            .select_from(members.join(tables.session_log, s.pair_id == members.c.pair_id))
            .group_by(members.c.enrollment_id)
            .subquery()
        )
        checkins_of = (
            sa.select(
                c.enrollment_id,
                sa.func.sum(sa.case((c.status == CheckinStatus.ANSWERED, 1), else_=0)).label(
                    "answered"
                ),
                sa.func.sum(sa.case((c.status == CheckinStatus.EXPIRED, 1), else_=0)).label(
                    "expired"
                ),
                sa.func.avg(c.mood).label("mood"),
            )
            .join(tables.enrollment, e.id == c.enrollment_id)
            .where(e.program_id == program_id)
            .group_by(c.enrollment_id)
            .subquery()
        )
        feedback_of = (
            sa.select(
                f.person_id,
                sa.func.count(f.usefulness).label("given"),
                sa.func.avg(f.usefulness).label("usefulness"),
            )
            .where(f.program_id == program_id)
            .group_by(f.person_id)
            .subquery()
        )
        participant_rows = (
            await self.session.execute(
                sa.select(
                    person.display_name,
                    e.role,
                    e.status,
                    sessions_of.c.sessions,
                    sessions_of.c.minutes,
                    checkins_of.c.answered,
                    checkins_of.c.expired,
                    checkins_of.c.mood,
                    feedback_of.c.given,
                    feedback_of.c.usefulness,
                )
                .select_from(
                    tables.enrollment.join(tables.person, person.id == e.person_id)
                    .outerjoin(sessions_of, sessions_of.c.enrollment_id == e.id)
                    .outerjoin(checkins_of, checkins_of.c.enrollment_id == e.id)
                    .outerjoin(feedback_of, feedback_of.c.person_id == e.person_id)
                )
                .where(e.program_id == program_id)
                .order_by(person.display_name, e.id)
            )
        ).all()

        in_program = (
            sa.select()
            .select_from(tables.feedback_request)
            .where(f.program_id == program_id, f.learnt.is_not(None), f.learnt != "")
        )
        authors = int(
            (
                await self.session.execute(
                    in_program.add_columns(sa.func.count(sa.distinct(f.person_id)))
                )
            ).scalar()
            or 0
        )
        allowed = authors >= quote_min_group
        learnt = (
            await self.session.execute(
                in_program.add_columns(f.learnt, f.share_name, person.display_name)
                .join(tables.person, person.id == f.person_id)
                .where(sa.true() if allowed else f.share_name.is_(True))
                .order_by(f.answered_at, f.id)
            )
        ).all()
        withheld_rows = (
            0
            if allowed
            else int(
                (
                    await self.session.execute(
                        in_program.add_columns(sa.func.count()).where(f.share_name.is_(False))
                    )
                ).scalar()
                or 0
            )
        )
        return ExportRows(
            sessions=tuple(
                SessionRow(int(i), int(pair), held, int(minutes), mentor, mentee)
                for i, pair, held, minutes, mentor, mentee in session_rows
            ),
            participants=tuple(
                ParticipantRow(
                    name=str(row[0]),
                    role=str(row[1]),
                    status=str(row[2]),
                    sessions=int(row[3] or 0),
                    minutes=int(row[4] or 0),
                    checkins_answered=int(row[5] or 0),
                    checkins_expired=int(row[6] or 0),
                    mood_average=_average(row[7]),
                    feedback_given=int(row[8] or 0),
                    usefulness_given=_average(row[9]),
                )
                for row in participant_rows
            ),
            learnt=tuple(
                Quote(str(text), str(name) if shared else None) for text, shared, name in learnt
            ),
            learnt_withheld=withheld_rows > 0,
        )
