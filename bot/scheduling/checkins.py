"""Check-ins: every N days at 10:00 local on a working day, one reminder, then expiry."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.conversations import checkin as checkin_flow
from bot.conversations.runner import CHOICE_PREFIX
from bot.domain import (
    Checkin,
    CheckinStatus,
    Conversation,
    ConversationStatus,
    Enrollment,
    EnrollmentStatus,
    Person,
    Program,
)
from bot.fanout import NewCheckin, NewConversation
from bot.lifecycle import is_running
from bot.messages import Choice
from bot.scheduling.cohort import Cohort
from bot.scheduling.settings import ScheduleSettings
from bot.scheduling.working_hours import WorkingHours, at_local

# Check-ins written at a time: memory stays flat however many people a round reaches.
ROUND_CHUNK = 2000


# A pure function of a few shared values (most people of a round share their start day, time
# zone and hours), asked several times for each person of a round: computed once for all.
@functools.lru_cache(maxsize=4096)
def checkin_due_at(
    anchor: date, period: int, every_days: int, at: object, hours: WorkingHours, zone: ZoneInfo
) -> datetime:
    """Period k falls ``k × every`` days after the anchor, moved to a working day, at local time."""
    day = hours.next_working_day(anchor + timedelta(days=period * every_days))
    due = at_local(day, at, zone)  # type: ignore[arg-type]
    return hours.next_working_moment(due, zone)


def current_period(
    anchor: date, now: datetime, every_days: int, at: object, hours: WorkingHours, zone: ZoneInfo
) -> int:
    """The latest period whose check-in time has come (0: none yet)."""
    local_today = now.astimezone(zone).date()
    period = max((local_today - anchor).days // every_days + 1, 0)
    while period > 0 and checkin_due_at(anchor, period, every_days, at, hours, zone) > now:
        period -= 1
    return period


def next_checkin_at(
    enrollment: Enrollment, program: Program, person: Person, now: datetime, default_zone: str
) -> datetime | None:
    """When the person's next check-in is due (None while paused or gone, or once the program
    has ended)."""
    if enrollment.status != EnrollmentStatus.ACTIVE or not is_running(program, now):
        return None
    settings = ScheduleSettings.for_program(program)
    zone = ZoneInfo(person.timezone or program.timezone or default_zone)
    hours = WorkingHours.of(person, settings.days_off)
    anchor = _anchor(enrollment, program, zone)
    every, at = settings.checkin_every_days, settings.checkin_at
    period = current_period(anchor, now, every, at, hours, zone) + 1
    return checkin_due_at(anchor, period, every, at, hours, zone)


def _anchor(enrollment: Enrollment, program: Program, zone: ZoneInfo) -> date:
    return max(program.starts_on, enrollment.joined_at.astimezone(zone).date())


async def open_new_checkins(cohort: Cohort) -> None:
    latest = await cohort.uow.last_checkin_periods(cohort.enrollment_scope)
    created: list[DueCheckin] = []
    for enrollment in cohort.enrollments.values():
        if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.id is None:
            continue
        with cohort.isolated(f"enrollment:{enrollment.id}"):
            due = _checkin_due(cohort, enrollment, latest.get(enrollment.id, 0))
            if due is not None:
                created.append(due)
        if len(created) >= ROUND_CHUNK:
            await _write_checkins(cohort, created)
            created = []
    await _write_checkins(cohort, created)


class DueCheckin(NamedTuple):
    checkin: NewCheckin
    enrollment: Enrollment
    person: Person
    program: Program


async def _write_checkins(cohort: Cohort, created: list[DueCheckin]) -> None:
    """One chunk of a round: its check-ins, their conversations, their messages and prompts,
    a few set-based statements in all; a round of any size holds one chunk at a time."""
    if not created:
        return
    checkin_ids = await cohort.uow.insert_returning_ids([due.checkin for due in created])
    conversation_ids = await cohort.uow.insert_returning_ids(
        [
            NewConversation(
                person_id=due.enrollment.person_id,
                flow=checkin_flow.FLOW,
                subject_id=checkin_id,
                step="mood",
                updated_at=cohort.now,
            )
            for due, checkin_id in zip(created, checkin_ids, strict=True)
        ]
    )
    for due, conversation_id in zip(created, conversation_ids, strict=True):
        # Its message failing leaves its check-in unsent: the tick's other ones still go.
        with cohort.isolated(f"enrollment:{due.enrollment.id}"):
            _queue_checkin(cohort, due, conversation_id)
    # In the step's savepoint, like the rest of the step: a failure later in it undoes these.
    await cohort.flush_outbox()


def _checkin_due(cohort: Cohort, enrollment: Enrollment, latest_period: int) -> DueCheckin | None:
    """The enrollment's check-in to open now, if one is due."""
    assert enrollment.id is not None
    program = cohort.programs[enrollment.program_id]
    person = cohort.persons.get(enrollment.person_id)
    if person is None or not is_running(program, cohort.now):
        return None
    settings = cohort.settings(program)
    zone, hours = cohort.zone(person, program), cohort.hours(person, program)
    anchor = _anchor(enrollment, program, zone)
    every, at = settings.checkin_every_days, settings.checkin_at
    period = current_period(anchor, cohort.now, every, at, hours, zone)
    if period == 0 or period <= latest_period:
        return None
    due_at = checkin_due_at(anchor, period, every, at, hours, zone)
    if cohort.now - due_at >= settings.checkin_catch_up:
        # Its moment passed long ago (during a pause, or while the bot was down for days):
        # a stale check-in would only confuse; the next period will come on time.
        return None
    checkin = NewCheckin(
        enrollment_id=enrollment.id, period=period, due_at=due_at, created_at=cohort.now
    )
    return DueCheckin(checkin, enrollment, person, program)


def _queue_checkin(cohort: Cohort, due: DueCheckin, conversation_id: int) -> None:
    person, program = due.person, due.program
    cohort.queue(
        person,
        program,
        "checkin.mood",
        key=f"checkin:{due.enrollment.id}:{due.checkin.period}",
        purpose="checkin",
        choices=_mood_choices(cohort, person, program, conversation_id),
        earliest=due.checkin.due_at,
        program=program.name,
    )


def _mood_choices(
    cohort: Cohort, person: Person, program: Program, conversation_id: int | None
) -> tuple[Choice, ...]:
    prefix = f"{CHOICE_PREFIX}:{conversation_id}:mood"
    locale = cohort.locale(person, program)
    return tuple(
        Choice(value=f"{prefix}:{mood}", label=cohort.label_text(locale, f"labels.mood_{mood}"))
        for mood in checkin_flow.MOODS
    )


async def remind_and_expire(cohort: Cohort) -> None:
    """One reminder when unanswered after a while; later, the check-in expires."""
    checkins = await cohort.uow.open_checkins(cohort.enrollment_scope)
    if not checkins:
        return
    conversations = await cohort.uow.open_conversations_of_flow(
        checkin_flow.FLOW, None if cohort.scope.everyone else {c.id for c in checkins if c.id}
    )
    for checkin in checkins:
        enrollment = cohort.enrollments.get(checkin.enrollment_id)
        conversation = conversations.get(checkin.id or 0)
        if enrollment is None:
            # Its person left, or its program closed: nobody will answer it any more, and
            # ``status`` must not list it as waiting.
            if conversation is not None:
                checkin_flow.record_answers(checkin, conversation.answers, cohort.now)
                conversation.status = ConversationStatus.CANCELLED
            if checkin.status == CheckinStatus.OPEN:
                checkin.status = CheckinStatus.EXPIRED
            continue
        if conversation is None:
            continue
        with cohort.isolated(f"enrollment:{enrollment.id}"):
            _remind_or_expire(cohort, checkin, enrollment, conversation)


def _remind_or_expire(
    cohort: Cohort, checkin: Checkin, enrollment: Enrollment, conversation: Conversation
) -> None:
    program = cohort.programs[enrollment.program_id]
    person = cohort.persons.get(enrollment.person_id)
    settings = cohort.settings(program)
    waited = cohort.now - checkin.due_at
    if waited >= settings.checkin_expires_after or enrollment.status != "active":
        checkin_flow.record_answers(checkin, conversation.answers, cohort.now)
        if checkin.status == CheckinStatus.OPEN:
            checkin.status = CheckinStatus.EXPIRED
        conversation.status = ConversationStatus.CANCELLED
        return
    if (
        person is not None
        and is_running(program, cohort.now)
        and checkin.reminded_at is None
        and conversation.step == "mood"
        and waited >= settings.checkin_reminder_after
    ):
        cohort.queue(
            person,
            program,
            "checkin.reminder",
            key=f"checkin_reminder:{checkin.id}",
            purpose="checkin_reminder",
            choices=_mood_choices(cohort, person, program, conversation.id),
            program=program.name,
        )
        checkin.reminded_at = cohort.now
