"""The mid-program and end-of-program self-assessments (the end one with the evaluation).

Halfway between the program's start and end, and on its last day, each active paired
participant is asked, at ``assessment_at`` (14:00) of a working day in their own zone. The
program's end is ``ends_on``, or, when it has none, the start plus its planned sessions at
its cadence.
Each moment is created once per enrollment (a unique row, and the outbox key), and is only
offered for a while after its time: someone who was away for weeks is not asked out of the
blue; halfway is skipped once the end has come.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.conversations import assessment as assessment_flow
from bot.domain import (
    AssessmentMoment,
    Conversation,
    ConversationStatus,
    Enrollment,
    EnrollmentStatus,
    Person,
    Program,
    Role,
    SkillAssessment,
)
from bot.scheduling.cohort import Cohort
from bot.scheduling.working_hours import at_local

# How long after its time an assessment is still sent (a pause, an outage).
STILL_ASKED_FOR = timedelta(days=14)


# A program with no last day ends when its sessions are done; however many were asked for, that
# day is never put past this (a date past year 9999 does not exist).
LONGEST_PROGRAM = timedelta(days=10 * 366)


def program_end(program: Program) -> date:
    if program.ends_on is not None:
        return program.ends_on
    days = min(program.cadence_days * program.sessions_planned, LONGEST_PROGRAM.days)
    return program.starts_on + timedelta(days=days)


def moment_day(program: Program, moment: AssessmentMoment) -> date:
    end = program_end(program)
    if moment == AssessmentMoment.END:
        return end
    return program.starts_on + (end - program.starts_on) // 2


def due_at(cohort: Cohort, program: Program, person: Person, moment: AssessmentMoment) -> datetime:
    """``assessment_at`` on the first working day on or after the moment, in the person's zone."""
    zone, hours = cohort.zone(person, program), cohort.hours(person, program)
    day = hours.next_working_day(moment_day(program, moment))
    return hours.next_working_moment(
        at_local(day, cohort.settings(program).assessment_at, zone), zone
    )


def _moment_now(
    cohort: Cohort, program: Program, person: Person
) -> tuple[AssessmentMoment, datetime] | None:
    """The moment to ask about now, if any: the end wins over halfway once it has come."""
    for moment in (AssessmentMoment.END, AssessmentMoment.MID):
        due = due_at(cohort, program, person, moment)
        if due <= cohort.now:
            return (moment, due) if cohort.now - due < STILL_ASKED_FOR else None
    return None


async def ask_due_assessments(cohort: Cohort) -> None:
    """A tick step: create and send the assessments whose time has come, once each."""
    candidates: dict[int, tuple[Enrollment, Person, Program, AssessmentMoment, datetime]] = {}
    for enrollment in cohort.enrollments.values():
        if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.id is None:
            continue
        person = cohort.persons.get(enrollment.person_id)
        program = cohort.programs[enrollment.program_id]
        if person is None:
            continue
        with cohort.isolated(f"enrollment:{enrollment.id}"):
            found = _moment_now(cohort, program, person)
            if found is None:
                continue
            moment, due = found
            if moment == AssessmentMoment.MID and enrollment.joined_at >= due:
                continue  # joined after halfway: their intake is their halfway point
            candidates[enrollment.id] = (enrollment, person, program, moment, due)
    if not candidates:
        return
    asked = await cohort.uow.assessment_moments(candidates)
    not_asked = {
        enrollment_id: candidate
        for enrollment_id, candidate in candidates.items()
        if candidate[3].value not in asked.get(enrollment_id, set())
        and AssessmentMoment.END.value not in asked.get(enrollment_id, set())
    }
    if not not_asked:
        return  # the usual case during the two weeks after a moment: everyone was asked
    # Only people in a pair: progress is what the mentoring brought.
    paired = {
        enrollment_id
        for pair in cohort.pairs.values()
        for enrollment_id in (pair.mentor_enrollment_id, pair.mentee_enrollment_id)
        if enrollment_id is not None
    }
    due_now = [c for enrollment_id, c in not_asked.items() if enrollment_id in paired]
    if not due_now:
        return
    baselines = await cohort.uow.baseline_levels(e.id for e, *_ in due_now if e.id)
    await _close_earlier_ones(cohort, {e.id for e, *_ in due_now if e.id})
    created: list[tuple[SkillAssessment, Person, Program, Role]] = []
    for enrollment, person, program, moment, due in due_now:
        assert enrollment.id is not None
        # Rated again: the topics rated at intake, so that the two can be compared; without a
        # baseline, the topics chosen at intake.
        topics = list(baselines.get(enrollment.id, {})) or assessment_flow.chosen_topics(
            program, enrollment.role, await cohort.uow.profile_of(enrollment.id)
        )
        if not topics:
            continue
        assessment = SkillAssessment(
            enrollment_id=enrollment.id,
            moment=moment,
            topics=topics,
            due_at=due,
            created_at=cohort.now,
        )
        cohort.uow.add(assessment)
        created.append((assessment, person, program, enrollment.role))
    await cohort.uow.flush()
    for assessment, person, program, role in created:
        assert assessment.id is not None and person.id is not None
        cohort.uow.add(
            Conversation(
                person_id=person.id,
                flow=assessment_flow.FLOW,
                subject_id=assessment.id,
                step=assessment_flow.FIRST_STEP,
                updated_at=cohort.now,
            )
        )
        with cohort.isolated(f"enrollment:{assessment.enrollment_id}"):
            _queue_assessment(cohort, assessment, person, program, role, baselines)


def _queue_assessment(
    cohort: Cohort,
    assessment: SkillAssessment,
    person: Person,
    program: Program,
    role: Role,
    baselines: dict[int, dict[str, int]],
) -> None:
    numbered = assessment_flow.numbered_topics(program, role, list(assessment.topics))
    cohort.queue(
        person,
        program,
        f"assessment.{assessment.moment.value}",
        key=f"assessment:{assessment.enrollment_id}:{assessment.moment.value}",
        purpose=f"assessment_{assessment.moment.value}",
        earliest=assessment.due_at,
        program=program.name,
        topics=[topic for _, topic in numbered],
        numbers=[number for number, _ in numbered],
        earlier=baselines.get(assessment.enrollment_id, {}),
    )


async def _close_earlier_ones(cohort: Cohort, enrollment_ids: set[int]) -> None:
    """A new assessment replaces an earlier one left unanswered, so that what the person types
    next goes to the new one."""
    open_ones = await cohort.uow.open_conversations_of_flow(assessment_flow.FLOW)
    if not open_ones:
        return
    for subject_id, conversation in open_ones.items():
        assessment = await cohort.uow.skill_assessment(subject_id)
        if assessment is not None and assessment.enrollment_id in enrollment_ids:
            conversation.status = ConversationStatus.CANCELLED
