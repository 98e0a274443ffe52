"""Migration 0028 on a database that already holds a program's history: every feedback request
gets its session's program, and each person's skill progress is derived from the assessments
they answered; the owners' figures read the same as before the upgrade."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from bot.digest.figures import DigestPeriod
from storage import tables
from storage.database import create_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory

AT = datetime(2026, 10, 1, 9, tzinfo=UTC)


async def _history(connection: Any) -> None:
    async def add(table: sa.Table, **values: Any) -> int:
        result = await connection.execute(table.insert().values(**values))
        return int(result.inserted_primary_key[0])

    programs = []
    for name in ("Paris", "Lyon"):
        programs.append(
            await add(
                tables.program,
                name=name,
                starts_on=date(2026, 9, 1),
                sessions_planned=6,
                cadence_days=14,
                session_minutes=45,
                topics=["ai", "data", "social"],
                reciprocal_topics=[],
                locale="en",
                timezone="Europe/Paris",
                created_at=AT,
                quote_min_group=1,
            )
        )
    enrollments = {}
    for name, program in (("ana", 0), ("ben", 0), ("cleo", 0), ("dan", 1)):
        person = await add(
            tables.person,
            platform="console",
            workspace="console",
            user_id=name,
            display_name=name.title(),
            unreachable=False,
            created_at=AT,
        )
        enrollments[name] = (
            await add(
                tables.enrollment,
                program_id=programs[program],
                person_id=person,
                role="mentee" if name in ("ana", "dan") else "mentor",
                status="active",
                joined_at=AT,
            ),
            person,
        )
    for mentor, mentee, program in (("ben", "ana", 0), ("cleo", "dan", 1)):
        pair = await add(
            tables.pair,
            program_id=programs[program],
            mentor_enrollment_id=enrollments[mentor][0],
            mentee_enrollment_id=enrollments[mentee][0],
            status="active",
            created_at=AT,
        )
        log = await add(
            tables.session_log,
            pair_id=pair,
            logged_by=enrollments[mentor][1],
            held_on=date(2026, 10, 1),
            minutes=45,
            topics="ai",
            created_at=AT,
        )
        await add(
            tables.feedback_request,
            session_log_id=log,
            person_id=enrollments[mentee][1],
            due_at=AT,
            created_at=AT,
            usefulness=5 if program == 0 else 1,
            answered_at=AT,
        )
    # ana answered all three (the end one is her latest); ben the halfway one only since
    # intake (the end one is asked, not answered); cleo never answered intake.
    answers: dict[str, list[tuple[str, bool, dict[str, int]]]] = {
        "ana": [
            ("baseline", True, {"ai": 1, "data": 2}),
            ("mid", True, {"ai": 3, "data": 2}),
            ("end", True, {"ai": 4, "social": 5}),
        ],
        "ben": [("baseline", True, {"ai": 2}), ("mid", True, {"ai": 3}), ("end", False, {})],
        "cleo": [("baseline", False, {}), ("mid", True, {"ai": 4})],
    }
    for name, moments in answers.items():
        for moment, answered, levels in moments:
            assessment = await add(
                tables.skill_assessment,
                enrollment_id=enrollments[name][0],
                moment=moment,
                topics=list(levels),
                due_at=AT,
                created_at=AT,
                answered_at=AT if answered else None,
            )
            for topic, level in levels.items():
                await add(tables.skill_rating, assessment_id=assessment, topic=topic, level=level)


async def test_upgrade_fills_the_feedbacks_program_and_each_persons_progress(
    database_url: str,
) -> None:
    await upgrade(database_url, "0027")
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await _history(connection)
        await upgrade(database_url)
        async with engine.connect() as connection:
            feedback = (
                await connection.execute(
                    sa.text(
                        "SELECT program.name, feedback_request.usefulness FROM feedback_request"
                        " JOIN program ON program.id = feedback_request.program_id"
                        " ORDER BY program.name"
                    )
                )
            ).all()
            progress = (
                await connection.execute(
                    sa.text(
                        "SELECT person.user_id, topic, baseline_level, latest_level, moment"
                        " FROM skill_progress"
                        " JOIN enrollment ON enrollment.id = skill_progress.enrollment_id"
                        " JOIN person ON person.id = enrollment.person_id"
                        " ORDER BY person.user_id, topic"
                    )
                )
            ).all()
        assert [tuple(row) for row in feedback] == [("Lyon", 1), ("Paris", 5)]
        # ana: only the topic rated both at intake and at the end; ben: his halfway answer.
        assert [tuple(row) for row in progress] == [
            ("ana", "ai", 1, 4, "end"),
            ("ben", "ai", 2, 3, "mid"),
        ]

        async with SqlUnitOfWorkFactory(engine)() as uow:
            paris = await uow.program(1)
            assert paris is not None
            monday = datetime(2026, 10, 5, 8, tzinfo=UTC)
            period = DigestPeriod(
                program_id=1,
                start=date(2026, 9, 28),
                end=date(2026, 10, 5),
                start_at=datetime(2026, 9, 27, 22, tzinfo=UTC),
                end_at=datetime(2026, 10, 4, 22, tzinfo=UTC),
                previous_start_at=datetime(2026, 9, 20, 22, tzinfo=UTC),
                now=monday,
                quiet_since=datetime(2026, 9, 21, 8, tzinfo=UTC),
                quote_min_group=1,
            )
            outcomes = await uow.outcome_figures(period)
            figures = await uow.digest_figures(period)
        assert (outcomes.skill_people, outcomes.skill_progressed) == (2, 2)
        assert [(t.topic, t.people, t.baseline, t.latest) for t in outcomes.skill_topics] == [
            ("ai", 2, 1.5, 3.5)
        ]
        # Lyon's feedback is not Paris's.
        assert (figures.usefulness_total, figures.ratings_total) == (5.0, 1)
    finally:
        await engine.dispose()


async def test_upgrade_has_the_next_tick_look_at_every_regular_slot_set_before(
    database_url: str,
) -> None:
    """Migration 0029: a pair with a regular slot is due for the tick at once (it works out
    the next occurrence and when to look again); a pair without one is never read for it."""
    await upgrade(database_url, "0027")
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await _history(connection)
        await upgrade(database_url, "0028")
        async with engine.begin() as connection:
            await connection.execute(
                tables.pair.update()
                .where(tables.pair.c.id == 1)
                .values(regular_slot={"weeks": 2, "first": "2026-10-06", "at": "08:30"})
            )
        await upgrade(database_url)
        async with SqlUnitOfWorkFactory(engine)() as uow:
            due = [pair.id for pair in await uow.pairs_with_regular_slot_due(AT)]
        # Due from the pair's creation on, whenever the first tick comes; the other pair, never.
        assert due == [1]
    finally:
        await engine.dispose()
