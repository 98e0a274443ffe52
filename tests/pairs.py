"""A program with one mentor and one mentee already enrolled and paired, written straight to
the database: the starting point of the platform tests and benchmarks."""

from __future__ import annotations

from bot.domain import Enrollment, Pair, Person, Program, Role
from bot.main import Runtime


async def seed_pair(
    runtime: Runtime,
    *,
    platform: str,
    workspace: str,
    mentor: tuple[str, str],
    mentee: tuple[str, str],
    program_name: str = "Pilot",
    sessions_planned: int = 6,
) -> int:
    """``mentor`` and ``mentee`` are (user id, display name); returns the pair's id."""
    now = runtime.clock.now()
    async with runtime.uow_factory() as uow:
        program = Program(
            program_name, now.date(), now, "en", "Europe/Paris", sessions_planned=sessions_planned
        )
        people = [
            Person(platform, workspace, user_id, name, now, locale="en")
            for user_id, name in (mentor, mentee)
        ]
        for entity in (program, *people):
            uow.add(entity)
        await uow.flush()
        assert program.id is not None and people[0].id and people[1].id
        enrollments = [
            Enrollment(program.id, people[0].id, Role.MENTOR, now),
            Enrollment(program.id, people[1].id, Role.MENTEE, now),
        ]
        for enrollment in enrollments:
            uow.add(enrollment)
        await uow.flush()
        assert enrollments[0].id is not None and enrollments[1].id is not None
        pair = Pair(program.id, enrollments[0].id, enrollments[1].id, now)
        uow.add(pair)
        await uow.flush()
        assert pair.id is not None
        await uow.commit()
        return pair.id
