"""Reminders before planned sessions, nudges to quiet pairs and unconfirmed charters, feedback
requests after logged sessions, and the end of pauses."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import (
    Charter,
    CharterStatus,
    Enrollment,
    EnrollmentStatus,
    FeedbackRequest,
    Pair,
    PairStatus,
    Person,
    PlannedSession,
    Program,
)
from bot.guides.reminders import GuidesWithReminders
from bot.lifecycle import is_running
from bot.scheduling.cohort import Cohort
from bot.scheduling.settings import PAST_SESSIONS_ASKED_FOR

LONGEST_REMINDER = timedelta(hours=24)


async def end_pauses(cohort: Cohort) -> None:
    for enrollment in cohort.enrollments.values():
        if enrollment.status != EnrollmentStatus.PAUSED or enrollment.paused_until is None:
            continue
        with cohort.isolated(f"enrollment:{enrollment.id}"):
            _end_pause(cohort, enrollment)


def _end_pause(cohort: Cohort, enrollment: Enrollment) -> None:
    person = cohort.persons.get(enrollment.person_id)
    program = cohort.programs[enrollment.program_id]
    if person is None or enrollment.paused_until is None:
        return
    if cohort.now.astimezone(cohort.zone(person, program)).date() < enrollment.paused_until:
        return
    if is_running(program, cohort.now):
        # Queued first: if the message cannot be made, the pause ends at a later tick. (An
        # ended program has nothing to come back to: the pause just ends.)
        cohort.queue(
            person,
            program,
            "participant.pause_over",
            key=f"pause_over:{enrollment.id}:{cohort.now.date().isoformat()}",
            purpose="pause_over",
        )
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.paused_until = None


async def remind_planned_sessions(cohort: Cohort) -> None:
    planned = await cohort.uow.planned_sessions_starting(
        cohort.now, cohort.now + LONGEST_REMINDER, cohort.pair_scope
    )
    if not planned:
        return
    guides = GuidesWithReminders(cohort)
    for session in planned:
        pair = cohort.pairs.get(session.pair_id)
        if pair is None or session.id in cohort.called_off:
            continue
        with cohort.isolated(f"pair:{pair.id}"):
            _remind_planned_session(cohort, session, pair, guides)
    await guides.queue()


def _remind_planned_session(
    cohort: Cohort, session: PlannedSession, pair: Pair, guides: GuidesWithReminders
) -> None:
    program = cohort.programs.get(pair.program_id)
    if program is None or not is_running(program, cohort.now):
        return
    members = cohort.pair_members(pair)
    reminders = sorted(cohort.settings(program).session_reminders, reverse=True)
    # Only the closest reminder whose time has come: a late tick never sends both at once.
    due = [lead for lead in reminders if session.starts_at - lead <= cohort.now]
    if not due:
        return
    lead = due[-1]
    if session.starts_at - lead < session.created_at:
        return  # planned after that reminder's time: the partner was just told
    moved = f".{session.sequence}" if session.sequence else ""
    for enrollment, person in members:
        partner = next((p for e, p in members if p.id != person.id), None)
        if enrollment.status != EnrollmentStatus.ACTIVE:
            continue
        zone = cohort.zone(person, program)
        shown_at = cohort.hours(person, program).next_working_moment(cohort.now, zone)
        if shown_at >= session.starts_at:
            continue  # would only arrive after the session has started
        cohort.queue(
            person,
            program,
            "reminders.session",
            # A moved session (a higher sequence) is reminded of again, at its new time.
            key=f"session_reminder:{session.id}{moved}:{person.id}:{int(lead.total_seconds())}",
            purpose="session_reminder",
            expires_at=session.starts_at,
            starts_at=session.starts_at,
            partner=partner.display_name if partner else "",
            link=session.meeting_link,
            # Worded for when it is read: held until 09:00, an evening session is "today".
            days_ahead=(
                session.starts_at.astimezone(zone).date() - shown_at.astimezone(zone).date()
            ).days,
        )
        # The session's guide (mentor) or a short note (mentee), once, with this reminder.
        guides.add(session, pair, enrollment, person, partner)


async def nudge_quiet_pairs_and_charters(cohort: Cohort) -> None:
    last_logs = await cohort.uow.last_session_log_times(cohort.pair_scope)
    charters = await cohort.uow.charters_by_pair(cohort.pair_scope)
    for pair in cohort.pairs.values():
        with cohort.isolated(f"pair:{pair.id}"):
            await _nudge_pair(cohort, pair, last_logs, charters)


async def _nudge_pair(
    cohort: Cohort, pair: Pair, last_logs: dict[int, datetime], charters: dict[int, Charter]
) -> None:
    program = cohort.programs.get(pair.program_id)
    if program is None or pair.status != PairStatus.ACTIVE or pair.id is None:
        return
    if not is_running(program, cohort.now):
        return  # the program has ended: nobody is nudged any more
    members = cohort.pair_members(pair)
    if len(members) != 2 or not all(cohort.is_active(e.id) for e, _ in members):
        return  # somebody paused or left: nobody is nudged
    settings = cohort.settings(program)
    last_activity = max(pair.created_at, last_logs.get(pair.id, pair.created_at))
    quiet_for = cohort.now - last_activity
    marker = last_activity.date().isoformat()
    if quiet_for >= settings.quiet_pair_after:
        for _, person in members:
            partner = next(p for _, p in members if p.id != person.id)
            cohort.queue(
                person,
                program,
                "reminders.quiet_pair",
                key=f"quiet:{pair.id}:{person.id}:{marker}",
                purpose="quiet_pair",
                partner=partner.display_name,
                days=quiet_for.days,
            )
    if quiet_for >= settings.quiet_owner_note_after:
        await _tell_owners_pair_is_quiet(cohort, pair.id, program, members, marker, quiet_for)
    charter = charters.get(pair.id)
    if (
        charter is not None
        and charter.status != CharterStatus.CONFIRMED
        and cohort.now - pair.created_at >= settings.charter_nudge_after
    ):
        for _, person in members:
            partner = next(p for _, p in members if p.id != person.id)
            cohort.queue(
                person,
                program,
                "reminders.charter",
                key=f"charter_nudge:{pair.id}:{person.id}",
                purpose="charter_nudge",
                partner=partner.display_name,
            )


async def _tell_owners_pair_is_quiet(
    cohort: Cohort,
    pair_id: int,
    program: Program,
    members: list[tuple[Enrollment, Person]],
    marker: str,
    quiet_for: timedelta,
) -> None:
    assert program.id is not None
    for owner in await cohort.uow.owners_of(program.id):
        cohort.queue(
            owner,
            program,
            "reminders.quiet_pair_owner",
            key=f"quiet_owner:{pair_id}:{owner.id}:{marker}",
            purpose="quiet_pair_owner",
            names=[person.display_name for _, person in members],
            days=quiet_for.days,
            program_name=program.name,
        )


async def ask_for_feedback(cohort: Cohort) -> None:
    if not cohort.scope.feedback_due:
        return
    requests = await cohort.uow.due_feedback_requests(cohort.now)
    if not requests:
        return
    covered = await cohort.uow.sessions_covered(requests, cohort.now)
    for request in requests:
        with cohort.isolated(f"person:{request.person_id}"):
            _ask_for_feedback(cohort, request, max(1, covered.get(request.id or 0, 1)))


def _ask_for_feedback(cohort: Cohort, request: FeedbackRequest, sessions: int) -> None:
    person = cohort.persons.get(request.person_id)
    enrollment = cohort.enrollment_of_person(request.person_id)
    if (
        person is not None
        and enrollment is not None
        and enrollment.status == EnrollmentStatus.ACTIVE
    ):
        program = cohort.programs[enrollment.program_id]
        choices = tuple(
            cohort.label(person, program, f"labels.usefulness_{n}", f"feedback:{request.id}:{n}")
            for n in range(1, 6)
        )
        cohort.queue(
            person,
            program,
            "reminders.feedback",
            key=f"feedback:{request.id}",
            purpose="feedback_request",
            choices=choices,
            earliest=request.due_at,
            role=enrollment.role.value,
            sessions=sessions,
        )
    # Marked once queued (or not to be asked at all): a request that failed is asked again.
    request.asked_at = cohort.now


async def ask_about_past_sessions(cohort: Cohort) -> None:
    """A tick step: once a planned session's time is over, ask the pair "did it happen?" with
    two buttons, log it (the planned length) or say it was cancelled; once per session
    (``asked_at``, and the outbox key), in each member's working hours. Sessions of a program
    that has ended are still asked about if they were planned up to its last day."""
    planned = await cohort.uow.past_planned_sessions(
        cohort.now, cohort.now - PAST_SESSIONS_ASKED_FOR, cohort.pair_scope
    )
    if not planned:
        return
    last_logs = await cohort.uow.last_session_log_times({s.pair_id for s in planned})
    for session in planned:
        pair = cohort.pairs.get(session.pair_id)
        program = cohort.programs.get(pair.program_id) if pair is not None else None
        logged_at = last_logs.get(session.pair_id)
        if logged_at is not None and logged_at >= session.starts_at:
            session.asked_at = cohort.now  # logged by hand since it began: nothing to ask
            continue
        if pair is None or program is None:
            session.asked_at = cohort.now  # the pair or its program is over: nobody to ask
            continue
        minutes = program.session_minutes
        if session.starts_at + timedelta(minutes=minutes) > cohort.now:
            continue  # not over yet
        session.asked_at = cohort.now
        members = cohort.pair_members(pair)
        for enrollment, person in members:
            if enrollment.status != EnrollmentStatus.ACTIVE:
                continue
            partner = next((p for _, p in members if p.id != person.id), None)
            value = f"planned:{session.id}"
            cohort.queue(
                person,
                program,
                "sessions.did_it_happen",
                key=f"planned_outcome:{session.id}:{person.id}",
                purpose="planned_outcome",
                choices=(
                    cohort.label(person, program, "labels.session_happened", f"{value}:held"),
                    cohort.label(person, program, "labels.session_cancelled", f"{value}:cancelled"),
                ),
                starts_at=session.starts_at,
                partner=partner.display_name if partner else "",
                minutes=minutes,
            )
