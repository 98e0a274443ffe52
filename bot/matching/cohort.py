"""Who can be matched: the candidates of a program, read in a few bulk queries.

A candidate is enrolled, active (not paused, not gone), has no active pair in the program and
has completed the intake. Private avoidances and earlier pairs between candidates come along,
as unordered pairs of person ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import EnrollmentStatus, PairStatus, Program, Role
from bot.ports import UnitOfWork
from bot.scheduling.working_hours import WorkingHours


@dataclass(frozen=True)
class Candidate:
    enrollment_id: int
    person_id: int
    user_id: str
    name: str
    role: Role
    teaches: dict[str, int] = field(default_factory=dict)
    wants: dict[str, int] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    department: str = ""
    manager: str | None = None
    zone: str = "UTC"
    hours: WorkingHours = field(default_factory=WorkingHours)


def pair_key(first: int, second: int) -> tuple[int, int]:
    """An unordered pair of person ids."""
    return (first, second) if first <= second else (second, first)


@dataclass(frozen=True)
class Cohort:
    mentors: tuple[Candidate, ...]
    mentees: tuple[Candidate, ...]
    # Monday 00:00 UTC of the week whose working hours are compared.
    week_start: datetime
    avoid: frozenset[tuple[int, int]] = frozenset()
    history: frozenset[tuple[int, int]] = frozenset()

    def restricted(self, mentors: Iterable[Candidate], mentees: Iterable[Candidate]) -> Cohort:
        """The same cohort reduced to some of its people (scores do not depend on the others)."""
        return Cohort(tuple(mentors), tuple(mentees), self.week_start, self.avoid, self.history)

    def by_enrollment(self) -> dict[int, Candidate]:
        return {c.enrollment_id: c for c in (*self.mentors, *self.mentees)}


def reference_week(now: datetime, starts_on: date) -> datetime:
    """Monday 00:00 UTC of the week of the program's start, or of this week once it started."""
    day = max(now.astimezone(UTC).date(), starts_on)
    monday = day - timedelta(days=day.weekday())
    return datetime.combine(monday, time(0, 0), tzinfo=UTC)


def _zone(candidate: str | None, fallback: str) -> str:
    for zone in (candidate, fallback):
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return zone
    return "UTC"


def _working_hours(overrides: dict[str, object] | None) -> WorkingHours:
    try:
        return WorkingHours.from_overrides(dict(overrides) if overrides else None)
    except (TypeError, ValueError, KeyError):
        return WorkingHours()


async def load_cohort(uow: UnitOfWork, program: Program, now: datetime) -> Cohort:
    """Every candidate of the program, mentors and mentees in order of enrollment."""
    assert program.id is not None
    enrollments = await uow.enrollments_in_program(program.id)
    profiles = {p.enrollment_id: p for p in await uow.profiles_in_program(program.id)}
    people = {p.id: p for p in await uow.people_in_program(program.id)}
    paired = {
        enrollment_id
        for pair in await uow.pairs_in_program(program.id)
        if pair.status == PairStatus.ACTIVE
        for enrollment_id in (pair.mentor_enrollment_id, pair.mentee_enrollment_id)
    }
    mentors: list[Candidate] = []
    mentees: list[Candidate] = []
    for enrollment in enrollments:
        profile = profiles.get(enrollment.id) if enrollment.id is not None else None
        person = people.get(enrollment.person_id)
        if (
            enrollment.id is None
            or enrollment.status != EnrollmentStatus.ACTIVE
            or enrollment.id in paired
            or profile is None
            or profile.completed_at is None
            or person is None
            or person.id is None
        ):
            continue
        candidate = Candidate(
            enrollment_id=enrollment.id,
            person_id=person.id,
            user_id=person.user_id,
            name=person.display_name,
            role=enrollment.role,
            teaches={str(k): int(v) for k, v in profile.teaches.items()},
            wants={str(k): int(v) for k, v in profile.wants.items()},
            languages=tuple(str(code).lower() for code in profile.languages),
            department=profile.department,
            manager=profile.manager or None,
            zone=_zone(person.timezone, program.timezone),
            hours=_working_hours(person.working_hours),
        )
        (mentors if enrollment.role == Role.MENTOR else mentees).append(candidate)
    avoid = frozenset(
        pair_key(a.person_id, a.avoided_id) for a in await uow.avoidances_in_program(program.id)
    )
    history = frozenset(pair_key(a, b) for a, b in await uow.past_partners_in_program(program.id))
    return Cohort(
        mentors=tuple(mentors),
        mentees=tuple(mentees),
        week_start=reference_week(now, program.starts_on),
        avoid=avoid,
        history=history,
    )
