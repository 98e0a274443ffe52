"""The owners' digest: a handful of aggregate queries (COUNT, SUM, AVG, GROUP BY) a program.

Nothing here loads a program's rows into Python: each figure is computed by the database, and
only the few at-risk pairs and quotes the digest shows come back as rows. HR's export is in
``storage.export_queries``, the chart's weeks in ``storage.activity_queries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.figures import (
    CANCELLED_IN_A_ROW_FLAGGED,
    AtRiskPair,
    DigestFigures,
    DigestPeriod,
    Quote,
)
from bot.domain import CheckinStatus, OutboxStatus, PairStatus
from storage import tables

# The topics lines are split once per distinct line, each weighted by how many sessions wrote
# it: people repeat the same few lines, so a year of sessions splits in a few thousand.
_TOPICS_POSTGRESQL = sa.text(
    """
    SELECT t, sum(n) AS total FROM (
        SELECT btrim(unnest(string_to_array(line, ','))) AS t, n FROM (
            SELECT lower(s.topics) AS line, count(*) AS n
            FROM session_log s JOIN pair p ON p.id = s.pair_id
            WHERE p.program_id = :program AND s.held_on >= :start AND s.held_on < :end
            GROUP BY lower(s.topics)
        ) lines
    ) words WHERE t <> '' GROUP BY t ORDER BY total DESC, t LIMIT :top
    """
)
# SQLite has no split function: a recursive query peels one comma-separated topic at a time.
_TOPICS_SQLITE = sa.text(
    """
    WITH RECURSIVE lines(line, n) AS (
        SELECT lower(s.topics), count(*)
        FROM session_log s JOIN pair p ON p.id = s.pair_id
        WHERE p.program_id = :program AND s.topics <> ''
            AND s.held_on >= :start AND s.held_on < :end
        GROUP BY lower(s.topics)
    ),
    split(rest, t, n) AS (
        SELECT line || ',', '', n FROM lines
        UNION ALL
        SELECT substr(rest, instr(rest, ',') + 1), trim(substr(rest, 1, instr(rest, ',') - 1)), n
        FROM split WHERE rest <> ''
    )
    SELECT t, sum(n) AS total FROM split WHERE t <> '' GROUP BY t ORDER BY total DESC, t
    LIMIT :top
    """
)


async def tune_for_aggregates(session: AsyncSession) -> None:
    """On PostgreSQL, for the rest of the transaction: no JIT compilation (it cost more than
    each of the digest's queries it compiled, a second or more at 100,000 people), and enough
    memory for a year's GROUP BY to hash without spilling to disk."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.text("SET LOCAL jit = off"))
        await session.execute(sa.text("SET LOCAL work_mem = '64MB'"))


def _utc(value: Any) -> datetime | None:
    """An aggregate's datetime: SQLite hands it back as text, PostgreSQL as a datetime."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _average(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


class SqlDigestQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def outbox_has_key(self, key: str) -> bool:
        found = await self.session.scalar(
            sa.select(tables.outbox.c.id).where(tables.outbox.c.key == key)
        )
        return found is not None

    async def digest_figures(self, period: DigestPeriod) -> DigestFigures:
        await tune_for_aggregates(self.session)
        p, s, e = tables.pair.c, tables.session_log.c, tables.enrollment.c
        program_id = period.program_id
        active_pair = sa.and_(p.program_id == program_id, p.status == PairStatus.ACTIVE)

        enrolled = await self.session.scalar(
            sa.select(sa.func.count()).where(e.program_id == program_id, e.status != "left")
        )

        # When each active pair was last heard of.
        last_activity = _last_activity()
        pairs_row = (
            await self.session.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.count(p.mentor_enrollment_id) + sa.func.count(p.mentee_enrollment_id),
                    sa.func.sum(sa.case((last_activity >= period.quiet_since, 1), else_=0)),
                ).where(active_pair)
            )
        ).one()

        charter, program = tables.charter.c, tables.program.c
        meetings = sa.func.coalesce(charter.meetings, program.sessions_planned)
        targets = (
            await self.session.execute(
                sa.select(
                    sa.func.sum(meetings),
                    sa.func.sum(
                        meetings * sa.func.coalesce(charter.minutes, program.session_minutes)
                    ),
                )
                .select_from(
                    tables.pair.join(tables.program, program.id == p.program_id).outerjoin(
                        tables.charter, charter.pair_id == p.id
                    )
                )
                .where(active_pair)
            )
        ).one()

        in_week = sa.and_(s.held_on >= period.start, s.held_on < period.end)
        sessions = (
            await self.session.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.sum(s.minutes),
                    sa.func.sum(sa.case((in_week, 1), else_=0)),
                    sa.func.sum(sa.case((in_week, s.minutes), else_=0)),
                )
                .join(tables.pair, p.id == s.pair_id)
                .where(p.program_id == program_id)
            )
        ).one()

        # Planned sessions called off (bot.commands.rescheduling.call_off): since the start,
        # this week (those called off before it was recorded when: in the week they were
        # planned for), and how many of this week's the pair rebooked (a later session planned
        # after it); and the sessions moved this week.
        planned = tables.planned_session.c
        called_off_at = sa.func.coalesce(planned.cancelled_at, planned.starts_at)
        called_off_in_week = sa.and_(
            called_off_at >= period.start_at, called_off_at < period.end_at
        )
        later = tables.planned_session.alias("later")
        rebooked = sa.exists().where(later.c.pair_id == planned.pair_id, later.c.id > planned.id)
        cancelled = (
            await self.session.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.sum(sa.case((called_off_in_week, 1), else_=0)),
                    sa.func.sum(sa.case((sa.and_(called_off_in_week, rebooked), 1), else_=0)),
                )
                .join(tables.pair, p.id == planned.pair_id)
                .where(p.program_id == program_id, planned.outcome == "cancelled")
            )
        ).one()
        moved_week = (
            await self.session.execute(
                sa.select(sa.func.count())
                .join(tables.pair, p.id == planned.pair_id)
                .where(
                    p.program_id == program_id,
                    planned.moved_at >= period.start_at,
                    planned.moved_at < period.end_at,
                )
            )
        ).scalar_one()

        topics_query = _TOPICS_POSTGRESQL if self._dialect == "postgresql" else _TOPICS_SQLITE
        topics: Sequence[Any] = ()
        if period.top_topics:
            parameters = {"start": period.start, "end": period.end, "top": period.top_topics}
            topics = (
                await self.session.execute(topics_query, {"program": program_id, **parameters})
            ).all()

        c = tables.checkin.c
        this_week = sa.and_(c.answered_at >= period.start_at, c.answered_at < period.end_at)
        last_week = sa.and_(
            c.answered_at >= period.previous_start_at, c.answered_at < period.start_at
        )
        moods = (
            await self.session.execute(
                sa.select(
                    sa.func.avg(sa.case((this_week, c.mood))),
                    sa.func.avg(sa.case((last_week, c.mood))),
                    sa.func.sum(sa.case((this_week, 1), else_=0)),
                )
                .join(tables.enrollment, e.id == c.enrollment_id)
                .where(
                    e.program_id == program_id,
                    c.mood.is_not(None),
                    c.answered_at >= period.previous_start_at,
                    c.answered_at < period.end_at,
                )
            )
        ).one()

        f = tables.feedback_request.c
        feedback_week = sa.and_(f.answered_at >= period.start_at, f.answered_at < period.end_at)
        in_program = (
            sa.select().select_from(tables.feedback_request).where(f.program_id == program_id)
        )
        wrote = sa.and_(feedback_week, f.learnt.is_not(None), f.learnt != "")
        # The ratings and who wrote what they learnt, in one pass over the program's feedback.
        ratings = (
            await self.session.execute(
                in_program.add_columns(
                    sa.func.avg(f.usefulness),
                    sa.func.count(f.usefulness),
                    sa.func.avg(sa.case((feedback_week, f.usefulness))),
                    sa.func.count(sa.case((feedback_week, f.usefulness))),
                    sa.func.count(sa.distinct(sa.case((wrote, f.person_id)))),
                    sa.func.sum(sa.case((sa.and_(wrote, f.share_name.is_(False)), 1), else_=0)),
                ).where(sa.or_(f.usefulness.is_not(None), wrote))
            )
        ).one()
        authors_row = ratings[4:]
        authors, unnamed = int(authors_row[0] or 0), int(authors_row[1] or 0)
        anonymous_allowed = authors >= period.quote_min_group
        person = tables.person.c
        quote_rows = (
            await self.session.execute(
                in_program.add_columns(f.learnt, f.share_name, person.display_name)
                .join(tables.person, person.id == f.person_id)
                .where(wrote, sa.true() if anonymous_allowed else f.share_name.is_(True))
                .order_by(f.answered_at.desc(), f.id.desc())
                .limit(period.quote_limit)
            )
        ).all()

        at_risk_count, at_risk = await self.at_risk_pairs(period)
        return DigestFigures(
            enrolled=int(enrolled or 0),
            paired=int(pairs_row[1] or 0),
            pairs=int(pairs_row[0] or 0),
            active_pairs=int(pairs_row[2] or 0),
            sessions_week=int(sessions[2] or 0),
            minutes_week=int(sessions[3] or 0),
            sessions_total=int(sessions[0] or 0),
            minutes_total=int(sessions[1] or 0),
            cancelled_week=int(cancelled[1] or 0),
            cancelled_total=int(cancelled[0] or 0),
            rebooked_week=int(cancelled[2] or 0),
            moved_week=int(moved_week or 0),
            sessions_target=int(targets[0] or 0),
            minutes_target=int(targets[1] or 0),
            topics=tuple((str(t), int(n)) for t, n in topics),
            mood_week=_average(moods[0]),
            mood_previous=_average(moods[1]),
            checkins_week=int(moods[2] or 0),
            at_risk_count=at_risk_count,
            at_risk=at_risk,
            usefulness_total=_average(ratings[0]),
            ratings_total=int(ratings[1] or 0),
            usefulness_week=_average(ratings[2]),
            ratings_week=int(ratings[3] or 0),
            quotes=tuple(
                Quote(str(text), str(name) if shared else None) for text, shared, name in quote_rows
            ),
            quote_authors=authors,
            quotes_withheld=not anonymous_allowed and unnamed > 0,
        )

    @property
    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    async def at_risk_pairs(self, period: DigestPeriod) -> tuple[int, tuple[AtRiskPair, ...]]:
        """How many active pairs need attention, and the first ``risk_limit`` of them.

        A pair needs attention when it is quiet, called off sessions in a row, or one of its
        people gave a low mood, let a check-in expire, is unreachable or was not delivered to
        since ``at_risk_since``. Those people are few: they are found first, by the rows that
        flag them, and a pair's figures are worked out only for the pairs shown."""
        await tune_for_aggregates(self.session)
        p, e, c = tables.pair.c, tables.enrollment.c, tables.checkin.c
        o, person = tables.outbox.c, tables.person.c
        since = period.at_risk_since
        active_pair = sa.and_(p.program_id == period.program_id, p.status == PairStatus.ACTIVE)
        if period.risk_pair_ids is not None:
            active_pair = sa.and_(active_pair, p.id.in_(sorted(period.risk_pair_ids)))
        low_mood = sa.and_(c.answered_at >= since, c.mood <= 2)
        is_expired = sa.and_(c.status == CheckinStatus.EXPIRED, c.due_at >= since)
        failed = sa.and_(o.status == OutboxStatus.FAILED, o.created_at >= since)
        in_program = e.program_id == period.program_id
        # Found once for both sides of the pairs (mentor, mentee).
        flagged_people = (
            sa.union(
                sa.select(c.enrollment_id.label("enrollment_id")).where(
                    sa.or_(low_mood, is_expired)
                ),
                sa.select(e.id)
                .join(tables.person, person.id == e.person_id)
                .where(in_program, person.unreachable.is_(True)),
                sa.select(e.id)
                .join(tables.outbox, o.person_id == e.person_id)
                .where(in_program, failed),
            )
            .cte("flagged_people")
            .prefix_with("MATERIALIZED")
        )
        flagged_ids = sa.select(flagged_people.c.enrollment_id)
        # Each active pair with when it was last heard of, worked out once a pair: materialized,
        # so that the planner does not repeat the lookup in each clause that names it.
        active = (
            sa.select(
                p.id,
                p.mentor_enrollment_id,
                p.mentee_enrollment_id,
                sa.type_coerce(_last_activity(), p.created_at.type).label("last"),
                p.cancelled_in_a_row,
            )
            .where(active_pair)
            .cte("active_pair")
            .prefix_with("MATERIALIZED")
        )
        flagged = (
            sa.select(
                active.c.id,
                active.c.mentor_enrollment_id,
                active.c.mentee_enrollment_id,
                active.c.last,
                active.c.cancelled_in_a_row,
                sa.func.count().over().label("total"),
            )
            .where(
                sa.or_(
                    active.c.last < period.quiet_since,
                    active.c.cancelled_in_a_row >= CANCELLED_IN_A_ROW_FLAGGED,
                    active.c.mentor_enrollment_id.in_(flagged_ids),
                    active.c.mentee_enrollment_id.in_(flagged_ids),
                ),
            )
            .order_by(active.c.last, active.c.id)
            .limit(period.risk_limit)
            .subquery("flagged")
        )
        # Each shown pair's figures, read by its two people's ids (a few index lookups each).
        members = (flagged.c.mentor_enrollment_id, flagged.c.mentee_enrollment_id)
        mentor, mentee = tables.enrollment.alias("mentor"), tables.enrollment.alias("mentee")
        mentor_person = tables.person.alias("mentor_person")
        mentee_person = tables.person.alias("mentee_person")
        lowest_mood = (
            sa.select(sa.func.min(c.mood))
            .where(c.enrollment_id.in_(members), c.answered_at >= since)
            .scalar_subquery()
        )
        expired = (
            sa.select(sa.func.count())
            .where(c.enrollment_id.in_(members), is_expired)
            .scalar_subquery()
        )
        people = (mentor.c.person_id, mentee.c.person_id)
        failures = (
            sa.select(sa.func.count()).where(o.person_id.in_(people), failed).scalar_subquery()
        )
        rows = (
            await self.session.execute(
                sa.select(
                    flagged.c.id,
                    mentor_person.c.display_name,
                    mentee_person.c.display_name,
                    sa.type_coerce(flagged.c.last, sa.String),
                    lowest_mood,
                    expired,
                    sa.or_(
                        mentor_person.c.unreachable.is_(True),
                        mentee_person.c.unreachable.is_(True),
                    ),
                    failures,
                    flagged.c.total,
                    flagged.c.cancelled_in_a_row,
                )
                .select_from(
                    flagged.outerjoin(mentor, mentor.c.id == flagged.c.mentor_enrollment_id)
                    .outerjoin(mentor_person, mentor_person.c.id == mentor.c.person_id)
                    .outerjoin(mentee, mentee.c.id == flagged.c.mentee_enrollment_id)
                    .outerjoin(mentee_person, mentee_person.c.id == mentee.c.person_id)
                )
                .order_by(flagged.c.last, flagged.c.id)
            )
        ).all()
        if not rows:
            return 0, ()
        found = []
        for row in rows:
            last_heard = _utc(row[3])
            quiet_days = None
            if last_heard is not None and last_heard < period.quiet_since:
                quiet_days = (period.now - last_heard).days
            found.append(
                AtRiskPair(
                    pair_id=int(row[0]),
                    mentor=row[1],
                    mentee=row[2],
                    quiet_days=quiet_days,
                    lowest_mood=None if row[4] is None else int(row[4]),
                    expired_checkins=int(row[5] or 0),
                    unreachable=bool(row[6]),
                    failed_deliveries=int(row[7] or 0),
                    cancelled_in_a_row=int(row[9] or 0),
                )
            )
        return int(rows[0][8]), tuple(found)


def _last_activity() -> sa.ColumnElement[Any]:
    """When a pair was last heard of: its latest logged session, else its creation.

    One backward step down ix_session_log_activity (pair_id, created_at, …) per pair: the cost
    follows the number of pairs, not the year of sessions that grouping them all would read."""
    p, s = tables.pair.c, tables.session_log.c
    latest = sa.select(sa.func.max(s.created_at)).where(s.pair_id == p.id).scalar_subquery()
    return sa.func.coalesce(latest, p.created_at)
