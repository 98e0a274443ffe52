"""Skill self-assessments and the end-of-program evaluation: the scheduler's reads, and the
owners' outcome KPIs aggregated in the database (AVG, COUNT, GROUP BY; no rows into Python
except the few quotes and, for HR's export, one line per person)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.figures import (
    ContinueShare,
    DigestPeriod,
    OutcomeExport,
    OutcomeFigures,
    PersonProgress,
    Quote,
    TopicProgress,
)
from bot.domain import AssessmentMoment, Evaluation, SkillAssessment, SkillRating
from storage import tables
from storage.digest_queries import tune_for_aggregates

BASELINE, MID, END = (m.value for m in AssessmentMoment)
PROMOTER, DETRACTOR = 9, 6


def _average(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def skill_progress_insert(*where: sa.ColumnElement[bool]) -> sa.Insert:
    """skill_progress's rows computed from the assessments (of the people ``where`` picks out
    of skill_assessment "latest" and enrollment), inserted."""
    columns = ["enrollment_id", "program_id", "topic", "baseline_level", "latest_level", "moment"]
    return sa.insert(tables.skill_progress).from_select(columns, _skill_progress_rows(*where))


def _skill_progress_rows(*where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """skill_progress's rows, computed from the assessments: the latest answered one after
    intake (the end one when answered, else the halfway one) paired with the intake, topic by
    topic. Each (assessment, topic) and (enrollment, moment) is unique: a match is the pair of
    levels itself."""
    e = tables.enrollment.c
    latest, intake, later = (
        tables.skill_assessment.alias(n) for n in ("latest", "intake", "later")
    )
    rating, intake_rating = (
        tables.skill_rating.alias("rating"),
        tables.skill_rating.alias("intake_rating"),
    )
    end_answered = sa.exists().where(
        later.c.enrollment_id == latest.c.enrollment_id,
        later.c.moment == END,
        later.c.answered_at.is_not(None),
    )
    return (
        sa.select(
            latest.c.enrollment_id,
            e.program_id,
            rating.c.topic,
            intake_rating.c.level,
            rating.c.level,
            latest.c.moment,
        )
        .select_from(
            latest.join(tables.enrollment, e.id == latest.c.enrollment_id)
            .join(rating, rating.c.assessment_id == latest.c.id)
            .join(
                intake,
                sa.and_(
                    intake.c.enrollment_id == latest.c.enrollment_id,
                    intake.c.moment == BASELINE,
                    intake.c.answered_at.is_not(None),
                ),
            )
            .join(
                intake_rating,
                sa.and_(
                    intake_rating.c.assessment_id == intake.c.id,
                    intake_rating.c.topic == rating.c.topic,
                ),
            )
        )
        .where(
            latest.c.moment != BASELINE,
            latest.c.answered_at.is_not(None),
            sa.not_(sa.and_(latest.c.moment == MID, end_answered)),
            *where,
        )
    )


class SqlOutcomeQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    # The engine's reads
    async def skill_assessment(self, assessment_id: int) -> SkillAssessment | None:
        return await self.session.get(SkillAssessment, assessment_id)

    async def skill_assessments_of(self, enrollment_id: int) -> Sequence[SkillAssessment]:
        a = tables.skill_assessment.c
        statement = (
            sa.select(SkillAssessment).where(a.enrollment_id == enrollment_id).order_by(a.id)
        )
        return (await self.session.scalars(statement)).all()

    async def skill_ratings(self, assessment_id: int) -> Sequence[SkillRating]:
        r = tables.skill_rating.c
        statement = sa.select(SkillRating).where(r.assessment_id == assessment_id).order_by(r.id)
        return (await self.session.scalars(statement)).all()

    async def evaluation_of(self, enrollment_id: int) -> Evaluation | None:
        return await self.session.scalar(
            sa.select(Evaluation).where(tables.evaluation.c.enrollment_id == enrollment_id)
        )

    async def assessment_moments(self, enrollment_ids: Iterable[int]) -> dict[int, set[str]]:
        a = tables.skill_assessment.c
        found: dict[int, set[str]] = defaultdict(set)
        ids = list(enrollment_ids)
        # Chunks keep the IN list under SQLite's bound-parameter limit.
        for start in range(0, len(ids), 5000):
            rows = await self.session.execute(
                sa.select(a.enrollment_id, a.moment).where(
                    a.enrollment_id.in_(ids[start : start + 5000])
                )
            )
            for enrollment_id, moment in rows:
                found[int(enrollment_id)].add(str(getattr(moment, "value", moment)))
        return dict(found)

    async def baseline_levels(self, enrollment_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        a, r = tables.skill_assessment.c, tables.skill_rating.c
        found: dict[int, dict[str, int]] = defaultdict(dict)
        ids = list(enrollment_ids)
        for start in range(0, len(ids), 5000):
            rows = await self.session.execute(
                sa.select(a.enrollment_id, r.topic, r.level)
                .join(tables.skill_rating, r.assessment_id == a.id)
                .where(a.moment == BASELINE, a.enrollment_id.in_(ids[start : start + 5000]))
                .order_by(a.enrollment_id, r.id)
            )
            for enrollment_id, topic, level in rows:
                found[int(enrollment_id)][str(topic)] = int(level)
        return dict(found)

    # Each person's progress, written with each assessment
    async def record_skill_progress(self, enrollment_id: int) -> None:
        """Rewrite the person's rows of skill_progress from their assessments: each topic rated
        at intake and at the latest answered assessment since (the end one when answered, else
        the halfway one), with both levels."""
        # The ratings just added in this transaction are part of it.
        await self.session.flush()
        progress = tables.skill_progress
        await self.session.execute(
            sa.delete(progress).where(progress.c.enrollment_id == enrollment_id)
        )
        await self.session.execute(skill_progress_insert(tables.enrollment.c.id == enrollment_id))

    # The owners' figures
    def _before_after(self, program_id: int) -> sa.Select[Any]:
        """One row per person and topic rated at intake and at their latest assessment since."""
        g = tables.skill_progress.c
        return sa.select(
            g.enrollment_id.label("enrollment_id"),
            g.topic.label("topic"),
            g.baseline_level.label("before"),
            g.latest_level.label("after"),
            g.moment.label("moment"),
        ).where(g.program_id == program_id)

    async def _changed_quotes(
        self, program_id: int, quote_min_group: int, limit: int | None
    ) -> tuple[tuple[Quote, ...], int, bool]:
        """What changed in their work, under the rule of the "learnt" quotes: anonymous words
        only once ``quote_min_group`` people wrote some; named ones when the person chose so."""
        v, e, person = tables.evaluation.c, tables.enrollment.c, tables.person.c
        wrote = (
            sa.select()
            .select_from(tables.evaluation.join(tables.enrollment, e.id == v.enrollment_id))
            .where(e.program_id == program_id, v.changed.is_not(None), v.changed != "")
        )
        authors_row = (
            await self.session.execute(
                wrote.add_columns(
                    sa.func.count(sa.distinct(e.person_id)),
                    sa.func.sum(sa.case((v.share_name.is_(False), 1), else_=0)),
                )
            )
        ).one()
        authors, unnamed = int(authors_row[0] or 0), int(authors_row[1] or 0)
        allowed = authors >= quote_min_group
        statement = (
            wrote.add_columns(v.changed, v.share_name, person.display_name)
            .join(tables.person, person.id == e.person_id)
            .where(sa.true() if allowed else v.share_name.is_(True))
            .order_by(v.answered_at.desc(), v.id.desc())
        )
        if limit is not None:
            statement = statement.limit(limit)
        rows = (await self.session.execute(statement)).all()
        quotes = tuple(
            Quote(str(text), str(name) if shared else None) for text, shared, name in rows
        )
        return quotes, authors, not allowed and unnamed > 0

    async def outcome_figures(self, period: DigestPeriod) -> OutcomeFigures:
        await tune_for_aggregates(self.session)
        program_id = period.program_id
        # One statement reading skill_progress twice: a scan of it costs less than
        # materializing it once for both the per-topic averages and the per-person gains.
        before_after = self._before_after(program_id).subquery("before_after")
        mine = self._before_after(program_id).subquery("mine")
        # Progressed: gained on average over their topics, that is a positive sum of gains.
        per_person = (
            sa.select(sa.func.sum(mine.c.after - mine.c.before).label("gain"))
            .group_by(mine.c.enrollment_id)
            .subquery()
        )
        rows = (
            await self.session.execute(
                sa.union_all(
                    sa.select(
                        before_after.c.topic.label("topic"),
                        sa.func.count().label("n"),
                        sa.func.avg(before_after.c.before).label("before"),
                        sa.func.avg(before_after.c.after).label("after"),
                    ).group_by(before_after.c.topic),
                    # The people row: its topic is NULL; "before" carries who progressed.
                    sa.select(
                        sa.null(),
                        sa.func.count(),
                        sa.func.sum(sa.case((per_person.c.gain > 0, 1), else_=0)),
                        sa.null(),
                    ).select_from(per_person),
                )
            )
        ).all()
        topics = sorted((row for row in rows if row[0] is not None), key=lambda row: row[0])
        people = next(row for row in rows if row[0] is None)

        v, e = tables.evaluation.c, tables.enrollment.c
        by_role = (
            await self.session.execute(
                sa.select(
                    e.role,
                    sa.func.count(),
                    sa.func.sum(v.satisfaction),
                    sa.func.sum(sa.case((v.recommend >= PROMOTER, 1), else_=0)),
                    sa.func.sum(sa.case((v.recommend <= DETRACTOR, 1), else_=0)),
                    sa.func.sum(sa.case((v.continue_reciprocal.is_(True), 1), else_=0)),
                )
                .join(tables.enrollment, e.id == v.enrollment_id)
                .where(e.program_id == program_id)
                .group_by(e.role)
                .order_by(e.role)
            )
        ).all()
        # A handful of rows (one per role): the totals are sums of the database's sums.
        answers = sum(int(row[1]) for row in by_role)
        satisfaction_sum = sum(int(row[2] or 0) for row in by_role)
        promoters = sum(int(row[3] or 0) for row in by_role)
        detractors = sum(int(row[4] or 0) for row in by_role)
        quotes, authors, withheld = await self._changed_quotes(
            program_id, period.quote_min_group, period.quote_limit
        )
        return OutcomeFigures(
            skill_topics=tuple(
                TopicProgress(str(topic), int(n), round(float(b), 1), round(float(a), 1))
                for topic, n, b, a in topics
            ),
            skill_people=int(people[1] or 0),
            skill_progressed=int(people[2] or 0),
            evaluations=answers,
            satisfaction=round(satisfaction_sum / answers, 1) if answers else None,
            nps=round(100 * (promoters - detractors) / answers) if answers else None,
            promoters=promoters,
            detractors=detractors,
            continue_yes=sum(int(row[5] or 0) for row in by_role),
            continue_by_role=tuple(
                ContinueShare(str(getattr(row[0], "value", row[0])), int(row[5] or 0), int(row[1]))
                for row in by_role
            ),
            changed=quotes,
            changed_authors=authors,
            changed_withheld=withheld,
        )

    async def outcome_export(self, program_id: int, quote_min_group: int) -> OutcomeExport:
        await tune_for_aggregates(self.session)
        before_after = self._before_after(program_id).subquery()
        e, person = tables.enrollment.c, tables.person.c
        per_person = (
            sa.select(
                before_after.c.enrollment_id,
                sa.func.count().label("topics"),
                sa.func.avg(before_after.c.before).label("baseline"),
                sa.func.avg(before_after.c.after).label("latest"),
                sa.func.max(before_after.c.moment).label("moment"),
            )
            .group_by(before_after.c.enrollment_id)
            .subquery()
        )
        rows = (
            await self.session.execute(
                sa.select(
                    person.display_name,
                    e.role,
                    per_person.c.topics,
                    per_person.c.baseline,
                    per_person.c.latest,
                    per_person.c.moment,
                )
                .select_from(
                    per_person.join(tables.enrollment, e.id == per_person.c.enrollment_id).join(
                        tables.person, person.id == e.person_id
                    )
                )
                .order_by(person.display_name, e.id)
            )
        ).all()
        quotes, _, withheld = await self._changed_quotes(program_id, quote_min_group, None)
        return OutcomeExport(
            progress=tuple(
                PersonProgress(
                    name=str(name),
                    role=str(getattr(role, "value", role)),
                    topics=int(topics),
                    baseline=_average(baseline),
                    latest=_average(latest),
                    latest_moment=None if moment is None else str(getattr(moment, "value", moment)),
                )
                for name, role, topics, baseline, latest, moment in rows
            ),
            changed=quotes,
            changed_withheld=withheld,
        )
