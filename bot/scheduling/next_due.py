"""When the scheduler next has something to do for an enrollment or a pair, once a tick has
evaluated it: the earliest moment, after this tick, at which one of the steps would act on it
if nothing else changed (any change marks it due again: ``DueIndex``).

Each step's moments, from the same functions the step uses:
- check-ins: the next period's time; an open check-in's reminder and expiry;
- the end of a pause (local midnight of its last day);
- the mid- and end-of-program assessments;
- the person's feedback requests not asked yet;
- for a pair: each reminder before a planned session, the end of the session (to ask whether it
  happened), the quiet-pair nudge and the owners' note, the charter nudge.
Earlier is always safe (one more evaluation finds nothing to do); later would lose a message.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.domain import (
    AssessmentMoment,
    Charter,
    CharterStatus,
    Checkin,
    Enrollment,
    EnrollmentStatus,
    Pair,
    PlannedSession,
)
from bot.leaving import inactivity
from bot.scheduling import assessments
from bot.scheduling.checkins import next_checkin_at
from bot.scheduling.cohort import Cohort
from bot.scheduling.nudges import LONGEST_REMINDER
from bot.scheduling.settings import PAST_SESSIONS_ASKED_FOR
from bot.scheduling.working_hours import at_local


async def record(cohort: Cohort) -> int:
    """Work out and store the next moment of every subject the tick evaluated; returns how
    many were stored (a subject changed meanwhile stays due)."""
    marks = cohort.scope.marks
    if any(failure.startswith("step:") for failure in cohort.failures):
        # A whole step was rolled back: everything it covered is tried again at the next tick.
        return await cohort.uow.record_next_due(
            marks,
            dict.fromkeys(marks.enrollments, cohort.now),
            dict.fromkeys(marks.pairs, cohort.now),
        )
    uow = cohort.uow
    open_checkins: dict[int, list[Checkin]] = {}
    for checkin in await uow.open_checkins(set(cohort.enrollments)):
        open_checkins.setdefault(checkin.enrollment_id, []).append(checkin)
    feedback = await uow.pending_feedback_due({e.person_id for e in cohort.enrollments.values()})
    sessions: dict[int, list[PlannedSession]] = {}
    for session in await uow.unasked_planned_sessions(
        set(cohort.pairs), cohort.now - PAST_SESSIONS_ASKED_FOR
    ):
        sessions.setdefault(session.pair_id, []).append(session)
    last_logs = await uow.last_session_log_times(set(cohort.pairs))
    charters = await uow.charters_by_pair(set(cohort.pairs))

    retried = set(cohort.failures)
    enrollments: dict[int, datetime | None] = {}
    for enrollment_id in marks.enrollments:
        enrollment = cohort.enrollments.get(enrollment_id)
        if enrollment is None:
            enrollments[enrollment_id] = None  # left, or its program closed: nothing timed
            continue
        if f"enrollment:{enrollment_id}" in retried or f"person:{enrollment.person_id}" in retried:
            enrollments[enrollment_id] = cohort.now
            continue
        enrollments[enrollment_id] = _earliest_after(
            cohort.now,
            _enrollment_moments(
                cohort,
                enrollment,
                open_checkins.get(enrollment_id, []),
                feedback.get(enrollment.person_id, []),
            ),
        )
    pairs: dict[int, datetime | None] = {}
    for pair_id in marks.pairs:
        pair = cohort.pairs.get(pair_id)
        if pair is None:
            pairs[pair_id] = None  # ended: nothing timed
        elif f"pair:{pair_id}" in retried:
            pairs[pair_id] = cohort.now
        else:
            pairs[pair_id] = _earliest_after(
                cohort.now,
                _pair_moments(
                    cohort,
                    pair,
                    sessions.get(pair_id, []),
                    last_logs.get(pair_id),
                    charters.get(pair_id),
                ),
            )
    return await uow.record_next_due(marks, enrollments, pairs)


def _earliest_after(now: datetime, moments: list[datetime | None]) -> datetime | None:
    ahead = [moment for moment in moments if moment is not None and moment > now]
    return min(ahead, default=None)


def _enrollment_moments(
    cohort: Cohort,
    enrollment: Enrollment,
    checkins: list[Checkin],
    feedback_due: list[datetime],
) -> list[datetime | None]:
    person = cohort.persons.get(enrollment.person_id)
    program = cohort.programs[enrollment.program_id]
    if person is None:
        return []
    settings = cohort.settings(program)
    moments: list[datetime | None] = list(feedback_due)
    for checkin in checkins:
        if checkin.reminded_at is None:
            moments.append(checkin.due_at + settings.checkin_reminder_after)
        moments.append(checkin.due_at + settings.checkin_expires_after)
    if enrollment.status == EnrollmentStatus.PAUSED and enrollment.paused_until is not None:
        zone = cohort.zone(person, program)
        moments.append(at_local(enrollment.paused_until, time(0, 0), zone))
    if enrollment.status == EnrollmentStatus.ACTIVE:
        moments.extend(inactivity.enrollment_moments(settings, enrollment))
        moments.append(
            next_checkin_at(enrollment, program, person, cohort.now, cohort.config.default_timezone)
        )
        for moment in (AssessmentMoment.MID, AssessmentMoment.END):
            moments.append(assessments.due_at(cohort, program, person, moment))
    return moments


def _pair_moments(
    cohort: Cohort,
    pair: Pair,
    sessions: list[PlannedSession],
    last_log: datetime | None,
    charter: Charter | None,
) -> list[datetime | None]:
    program = cohort.programs.get(pair.program_id)
    if program is None:
        return []
    settings = cohort.settings(program)
    moments: list[datetime | None] = []
    for session in sessions:
        # The step only looks LONGEST_REMINDER ahead: a longer lead acts from then on.
        moments.extend(
            session.starts_at - min(lead, LONGEST_REMINDER) for lead in settings.session_reminders
        )
        moments.append(session.starts_at + timedelta(minutes=program.session_minutes))
    last_activity = max(pair.created_at, last_log or pair.created_at)
    moments.append(last_activity + settings.quiet_pair_after)
    moments.append(last_activity + settings.quiet_owner_note_after)
    moments.extend(inactivity.pair_moments(settings, pair, last_activity))
    if charter is not None and charter.status != CharterStatus.CONFIRMED:
        moments.append(pair.created_at + settings.charter_nudge_after)
    return moments
