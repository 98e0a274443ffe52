"""A tick step for workshops: reminders 24 hours and 1 hour before (with the place or link),
and, once one is over, a note to its host to log who came.

Workshops are found by their start time (an indexed column), never by walking the cohort; the
outbox keys make each message go out once whatever the number of ticks.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain import Person, Program
from bot.scheduling.cohort import Cohort
from bot.workshops.model import SeatStatus, Workshop

REMINDERS = (timedelta(hours=24), timedelta(hours=1))
# A host who has not logged attendance this long after is not asked any more.
ATTENDANCE_ASKED_FOR = timedelta(days=7)
LONGEST_WORKSHOP = timedelta(hours=8)


async def remind_workshops(cohort: Cohort) -> None:
    # One read for both: it runs at every tick.
    nearby = await cohort.uow.workshops_starting(
        cohort.now - ATTENDANCE_ASKED_FOR - LONGEST_WORKSHOP, cohort.now + max(REMINDERS)
    )
    coming = [workshop for workshop in nearby if workshop.starts_at >= cohort.now]
    past = [workshop for workshop in nearby if workshop.starts_at < cohort.now]
    for workshop in coming:
        with cohort.isolated(f"workshop:{workshop.id}"):
            await _remind(cohort, workshop)
    for workshop in past:
        if workshop.attendance_at is None and workshop.ends_at <= cohort.now:
            with cohort.isolated(f"workshop:{workshop.id}"):
                await _ask_host_for_attendance(cohort, workshop)


async def _remind(cohort: Cohort, workshop: Workshop) -> None:
    # Only the closest reminder whose time has come: a late tick never sends both at once.
    due = [
        lead for lead in sorted(REMINDERS, reverse=True) if workshop.starts_at - lead <= cohort.now
    ]
    if not due:
        return
    lead = due[-1]
    if workshop.starts_at - lead < workshop.created_at:
        return  # announced after that reminder's time: the announcement just said it all
    assert workshop.id is not None
    seated = [
        s.person_id for s in await cohort.uow.seats_of(workshop.id) if s.status == SeatStatus.JOINED
    ]
    people = await _people(cohort, [*seated, *([workshop.host_id] if workshop.host_id else [])])
    for person in people:
        program = _program_for(cohort, workshop, person)
        if program is None:
            continue
        zone = cohort.zone(person, program)
        shown_at = cohort.hours(person).next_working_moment(cohort.now, zone)
        if shown_at >= workshop.starts_at:
            continue  # would only arrive once it has begun
        cohort.queue(
            person,
            program,
            "workshops.reminder",
            key=f"workshop_reminder:{workshop.id}:{person.id}:{int(lead.total_seconds())}",
            purpose="workshop_reminder",
            expires_at=workshop.starts_at,
            w=workshop,
            hosting=person.id == workshop.host_id,
            # Worded for when it is read: held until 09:00, a day-before reminder is "today".
            days_ahead=(
                workshop.starts_at.astimezone(zone).date() - shown_at.astimezone(zone).date()
            ).days,
        )


async def _ask_host_for_attendance(cohort: Cohort, workshop: Workshop) -> None:
    if workshop.host_id is None:
        return
    (host,) = await _people(cohort, [workshop.host_id]) or (None,)
    program = _program_for(cohort, workshop, host) if host is not None else None
    if host is None or program is None:
        return
    cohort.queue(
        host,
        program,
        "workshops.attendance_due",
        key=f"workshop_attendance_due:{workshop.id}",
        purpose="workshop_attendance_due",
        w=workshop,
    )


async def _people(cohort: Cohort, person_ids: list[int]) -> list[Person]:
    """The people, from the cohort when it has them (a host may own without being enrolled)."""
    missing = [pid for pid in person_ids if pid not in cohort.persons]
    found = dict(cohort.persons)
    if missing:
        found.update(await cohort.uow.persons_by_id(missing))
    return [found[pid] for pid in dict.fromkeys(person_ids) if pid in found]


def _program_for(cohort: Cohort, workshop: Workshop, person: Person) -> Program | None:
    """The program whose zone and language the message takes: the person's own among the
    workshop's, else the workshop's first still open."""
    assert person.id is not None
    enrollment = cohort.enrollment_of_person(person.id)
    if enrollment is not None and enrollment.program_id in workshop.program_ids:
        return cohort.programs.get(enrollment.program_id)
    for program_id in workshop.program_ids:
        if program_id in cohort.programs:
            return cohort.programs[program_id]
    return None
