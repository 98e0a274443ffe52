"""The digest's set-based figures against a straightforward computation in Python, on a seeded
random company (two programs, so that one program's rows never count in the other's), on
SQLite and PostgreSQL: pairs and their activity, ratings and who wrote, pairs needing
attention, and the skill progress of the digest and of HR's export."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.digest import report, weekly
from bot.digest.figures import AtRiskPair, DigestPeriod
from bot.domain import (
    AssessmentMoment,
    CheckinStatus,
    EnrollmentStatus,
    OutboxStatus,
    PairStatus,
    Role,
)
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

# Monday 14 April 2025, 09:30 in Paris; both programs started on Saturday 1 March.
NOW = datetime(2025, 4, 14, 7, 30, tzinfo=UTC)
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
TOPICS = ("ai", "seo", "linkedin", "privacy", "excel")
RANK = {AssessmentMoment.MID: 1, AssessmentMoment.END: 2}


@dataclass
class Company:
    """The rows written, as plain dicts, for the expected figures."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    ids: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, table: str, **values: Any) -> int:
        self.ids[table] += 1
        values["id"] = self.ids[table]
        self.rows[table].append(values)
        return values["id"]


def _moment(rng: random.Random) -> datetime:
    """Somewhere between the programs' start and a little after now."""
    return START + timedelta(seconds=rng.randrange(int((NOW - START).total_seconds()) + 86400))


def _company(seed: int) -> Company:
    rng = random.Random(seed)
    c = Company()
    for number in (1, 2):
        program = c.add(
            "program",
            name=f"Program {number}",
            starts_on=date(2025, 3, 1),
            sessions_planned=6,
            cadence_days=14,
            session_minutes=45,
            topics=list(TOPICS),
            reciprocal_topics=[],
            locale="en",
            timezone="Europe/Paris",
            created_at=START,
            quote_min_group=3,
        )
        enrollments = []
        for _ in range(rng.randint(24, 40)):
            person = c.add(
                "person",
                platform="slack",
                workspace="T1",
                user_id=f"U{c.ids['person']}",
                display_name=f"Person {c.ids['person']}",
                unreachable=rng.random() < 0.1,
                created_at=START,
            )
            enrollments.append(
                (
                    c.add(
                        "enrollment",
                        program_id=program,
                        person_id=person,
                        role=rng.choice(list(Role)),
                        status=rng.choice(list(EnrollmentStatus)),
                        joined_at=START,
                    ),
                    person,
                )
            )
        rng.shuffle(enrollments)
        for mentor, mentee in zip(enrollments[::2], enrollments[1::2], strict=False):
            pair = c.add(
                "pair",
                program_id=program,
                mentor_enrollment_id=mentor[0],
                # Some mentees left: the pair stays, without them.
                mentee_enrollment_id=None if rng.random() < 0.1 else mentee[0],
                status=PairStatus.ACTIVE if rng.random() < 0.8 else PairStatus.ENDED,
                created_at=START + timedelta(days=rng.randint(0, 40)),
            )
            for _ in range(rng.choice((0, 0, 1, 2, 4, 7))):
                logged = _moment(rng)
                log = c.add(
                    "session_log",
                    pair_id=pair,
                    logged_by=mentor[1],
                    held_on=(logged - timedelta(days=rng.randint(0, 3))).date(),
                    minutes=rng.choice((15, 30, 45, 60)),
                    topics=", ".join(rng.sample(TOPICS, rng.randint(0, 2))),
                    created_at=logged,
                )
                for _, person in (mentor, mentee):
                    answered = rng.random() < 0.7
                    c.add(
                        "feedback_request",
                        session_log_id=log,
                        person_id=person,
                        program_id=program,
                        due_at=logged,
                        created_at=logged,
                        usefulness=rng.randint(1, 5) if answered and rng.random() < 0.9 else None,
                        answered_at=logged + timedelta(days=rng.randint(0, 5))
                        if answered
                        else None,
                        learnt=rng.choice((None, "", "prompts", "shortcuts")) if answered else None,
                        share_name=rng.random() < 0.5,
                    )
        for enrollment, person in enrollments:
            for period in range(rng.randint(0, 4)):
                due = _moment(rng)
                status = rng.choice(list(CheckinStatus))
                answered = status == CheckinStatus.ANSWERED
                c.add(
                    "checkin",
                    enrollment_id=enrollment,
                    period=period,
                    status=status,
                    due_at=due,
                    created_at=due,
                    answered_at=due + timedelta(hours=rng.randint(1, 90)) if answered else None,
                    mood=rng.randint(1, 5) if answered and rng.random() < 0.9 else None,
                )
            for _ in range(rng.choice((0, 0, 1, 2))):
                c.add(
                    "outbox",
                    key=f"k{c.ids['outbox'] + 1}",
                    purpose="checkin",
                    platform="slack",
                    person_id=person,
                    payload={},
                    status=rng.choice((OutboxStatus.FAILED, OutboxStatus.SENT)),
                    not_before=START,
                    created_at=_moment(rng),
                )
            for moment in AssessmentMoment:
                if rng.random() < 0.25:
                    continue
                assessment = c.add(
                    "skill_assessment",
                    enrollment_id=enrollment,
                    moment=moment,
                    topics=[],
                    due_at=START,
                    created_at=START,
                    answered_at=None if rng.random() < 0.15 else _moment(rng),
                )
                for topic in rng.sample(TOPICS, rng.randint(1, 4)):
                    c.add(
                        "skill_rating",
                        assessment_id=assessment,
                        topic=topic,
                        level=rng.randint(1, 5),
                    )
    return c


async def _write(uow_factory: SqlUnitOfWorkFactory, company: Company) -> None:
    async with uow_factory() as uow:
        for name in (
            "program",
            "person",
            "enrollment",
            "pair",
            "session_log",
            "feedback_request",
            "checkin",
            "outbox",
            "skill_assessment",
            "skill_rating",
        ):
            if company.rows[name]:
                await uow.session.execute(tables.metadata.tables[name].insert(), company.rows[name])
        # What the assessment conversation records with each answered assessment.
        for enrollment in company.rows["enrollment"]:
            await uow.record_skill_progress(enrollment["id"])
        await uow.commit()


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


class Expected:
    """The figures worked out row by row, the way one would by hand."""

    def __init__(self, company: Company, period: DigestPeriod) -> None:
        self.c, self.p = company.rows, period
        self.enrollments = {e["id"]: e for e in self.c["enrollment"]}
        self.people = {p["id"]: p for p in self.c["person"]}
        self.pairs = [
            p
            for p in self.c["pair"]
            if p["program_id"] == period.program_id and p["status"] == PairStatus.ACTIVE
        ]
        program_pairs = {p["id"] for p in self.c["pair"] if p["program_id"] == period.program_id}
        self.logs = {s["id"]: s for s in self.c["session_log"] if s["pair_id"] in program_pairs}
        self.feedback = [f for f in self.c["feedback_request"] if f["session_log_id"] in self.logs]

    def last_activity(self, pair: dict[str, Any]) -> datetime:
        logged = [s["created_at"] for s in self.logs.values() if s["pair_id"] == pair["id"]]
        return max(logged, default=pair["created_at"])

    def pairs_figures(self) -> tuple[int, int, int]:
        paired = sum(
            (p["mentor_enrollment_id"] is not None) + (p["mentee_enrollment_id"] is not None)
            for p in self.pairs
        )
        active = sum(1 for p in self.pairs if self.last_activity(p) >= self.p.quiet_since)
        return len(self.pairs), paired, active

    def ratings(self) -> tuple[float | None, int, float | None, int]:
        every = [f["usefulness"] for f in self.feedback if f["usefulness"] is not None]
        week = [
            f["usefulness"]
            for f in self.feedback
            if f["usefulness"] is not None and _in(f["answered_at"], self.p.start_at, self.p.end_at)
        ]
        return _average(every), len(every), _average(week), len(week)

    def authors(self) -> tuple[int, bool]:
        wrote = [
            f
            for f in self.feedback
            if _in(f["answered_at"], self.p.start_at, self.p.end_at) and f["learnt"]
        ]
        authors = len({f["person_id"] for f in wrote})
        withheld = authors < self.p.quote_min_group and any(not f["share_name"] for f in wrote)
        return authors, withheld

    def at_risk(self) -> tuple[int, list[AtRiskPair]]:
        since = self.p.at_risk_since
        found = []
        for pair in self.pairs:
            members = [
                self.enrollments[i]
                for i in (pair["mentor_enrollment_id"], pair["mentee_enrollment_id"])
                if i is not None
            ]
            ids = {m["id"] for m in members}
            persons = {m["person_id"] for m in members}
            checkins = [c for c in self.c["checkin"] if c["enrollment_id"] in ids]
            expired = sum(
                1 for c in checkins if c["status"] == CheckinStatus.EXPIRED and c["due_at"] >= since
            )
            moods = [
                c["mood"]
                for c in checkins
                if c["mood"] is not None
                and c["answered_at"] is not None
                and c["answered_at"] >= since
            ]
            failed = sum(
                1
                for o in self.c["outbox"]
                if o["person_id"] in persons
                and o["status"] == OutboxStatus.FAILED
                and o["created_at"] >= since
            )
            unreachable = any(self.people[p]["unreachable"] for p in persons)
            last = self.last_activity(pair)
            quiet = last < self.p.quiet_since
            lowest = min(moods, default=None)
            if quiet or (lowest is not None and lowest <= 2) or expired or unreachable or failed:
                names = {m["id"]: self.people[m["person_id"]]["display_name"] for m in members}
                found.append(
                    (
                        last,
                        AtRiskPair(
                            pair_id=pair["id"],
                            mentor=names.get(pair["mentor_enrollment_id"]),
                            mentee=names.get(pair["mentee_enrollment_id"]),
                            quiet_days=(self.p.now - last).days if quiet else None,
                            lowest_mood=lowest,
                            expired_checkins=expired,
                            unreachable=unreachable,
                            failed_deliveries=failed,
                        ),
                    )
                )
        found.sort(key=lambda item: (item[0], item[1].pair_id))
        return len(found), [pair for _, pair in found[: self.p.risk_limit]]

    def before_after(self) -> dict[int, list[tuple[str, int, int, str]]]:
        """Per enrollment of the program: (topic, intake level, latest level, latest moment)."""
        ratings: dict[int, dict[str, int]] = defaultdict(dict)
        for r in self.c["skill_rating"]:
            ratings[r["assessment_id"]][r["topic"]] = r["level"]
        found: dict[int, list[tuple[str, int, int, str]]] = {}
        for enrollment in self.enrollments.values():
            if enrollment["program_id"] != self.p.program_id:
                continue
            answered = [
                a
                for a in self.c["skill_assessment"]
                if a["enrollment_id"] == enrollment["id"] and a["answered_at"] is not None
            ]
            intake = [a for a in answered if a["moment"] == AssessmentMoment.BASELINE]
            later = [a for a in answered if a["moment"] != AssessmentMoment.BASELINE]
            if not intake or not later:
                continue
            latest = max(later, key=lambda a: RANK[a["moment"]])
            before, after = ratings[intake[0]["id"]], ratings[latest["id"]]
            matched = [
                (t, before[t], after[t], str(latest["moment"].value))
                for t in sorted(before.keys() & after.keys())
            ]
            if matched:
                found[enrollment["id"]] = matched
        return found


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_set_based_figures_match_a_row_by_row_count(
    uow_factory: SqlUnitOfWorkFactory, seed: int
) -> None:
    company = _company(seed)
    await _write(uow_factory, company)
    for program_id in (1, 2):
        async with uow_factory() as uow:
            program = await uow.program(program_id)
            assert program is not None
            for period in (weekly.period_for(program, NOW), report.period_for(program, NOW)):
                expected = Expected(company, period)
                figures = await uow.digest_figures(period)
                assert (figures.pairs, figures.paired, figures.active_pairs) == (
                    expected.pairs_figures()
                )
                assert (
                    figures.usefulness_total,
                    figures.ratings_total,
                    figures.usefulness_week,
                    figures.ratings_week,
                ) == expected.ratings()
                assert (figures.quote_authors, figures.quotes_withheld) == expected.authors()
                count, pairs = expected.at_risk()
                assert figures.at_risk_count == count
                assert list(figures.at_risk) == pairs

                outcomes = await uow.outcome_figures(period)
                before_after = expected.before_after()
                by_topic: dict[str, list[tuple[int, int]]] = defaultdict(list)
                for rows in before_after.values():
                    for topic, before, after, _ in rows:
                        by_topic[topic].append((before, after))
                assert [
                    (t.topic, t.people, t.baseline, t.latest) for t in outcomes.skill_topics
                ] == [
                    (
                        topic,
                        len(levels),
                        _average([b for b, _ in levels]),
                        _average([a for _, a in levels]),
                    )
                    for topic, levels in sorted(by_topic.items())
                ]
                assert outcomes.skill_people == len(before_after)
                assert outcomes.skill_progressed == sum(
                    1 for rows in before_after.values() if sum(a - b for _, b, a, _ in rows) > 0
                )

            export = await uow.outcome_export(program_id, program.quote_min_group)
            names = {
                e["id"]: company.rows["person"][e["person_id"] - 1]["display_name"]
                for e in company.rows["enrollment"]
            }
            assert sorted(
                (p.name, p.topics, p.baseline, p.latest, p.latest_moment) for p in export.progress
            ) == sorted(
                (
                    names[enrollment],
                    len(rows),
                    _average([b for _, b, _, _ in rows]),
                    _average([a for _, _, a, _ in rows]),
                    rows[0][3],
                )
                for enrollment, rows in before_after.items()
            )


async def test_the_random_company_has_every_case(uow_factory: SqlUnitOfWorkFactory) -> None:
    """The comparison above is only worth the cases the random company holds."""
    company = _company(1)
    await _write(uow_factory, company)
    async with uow_factory() as uow:
        program = await uow.program(1)
        assert program is not None
        period = report.period_for(program, NOW)
        figures = await uow.digest_figures(period)
        outcomes = await uow.outcome_figures(period)
        count = await uow.session.scalar(sa.select(sa.func.count()).select_from(tables.pair))
    assert count and figures.pairs < count  # ended pairs and another program's
    assert 0 < figures.active_pairs < figures.pairs
    assert figures.at_risk_count > len(figures.at_risk) > 0
    assert {p.quiet_days is None for p in figures.at_risk} == {True, False}
    assert 0 < outcomes.skill_progressed < outcomes.skill_people
