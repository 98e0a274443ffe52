"""The inactivity policy (a program setting, on by default).

- After ``silence_prompts`` check-ins in a row left unanswered, the person is asked once
  whether they are still in: "still in", "pause until…", "leave". Left unanswered for
  ``silence_pause_after``, they are paused, and their partner is told.
- A pair with no session logged for ``idle_pair_after`` is warned (both of them); if none is
  logged within ``idle_close_after``, the pair is closed, both told, and each is a candidate
  of the matching's next round.

The owners see who was paused and which pairs closed, and why, in the weekly digest (its
"comings and goings"). The tick reaches these moments through the due index: see
``enrollment_moments`` and ``pair_moments``, which ``bot.scheduling.next_due`` records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.commands.confirm import ask_to_confirm
from bot.commands.lookup import notify_partner
from bot.commands.values import parse_pause_end
from bot.domain import AuditEntry, Enrollment, EnrollmentStatus, Pair, PairStatus, Person, Program
from bot.errors import UserError
from bot.lifecycle import is_running
from bot.messages import Choice, FieldKind, Form, FormField
from bot.scheduling.cohort import Cohort
from bot.scheduling.settings import ScheduleSettings
from bot.turn import Turn

SILENCE = "silence"
PAUSE_FORM_ID = "silence_pause"
AUTO_PAUSED = "enrollment.auto_paused"
PAIR_CLOSED = "pair.closed_inactive"


def unanswered_streak(checkins: Sequence[tuple[datetime, bool]], since: datetime | None) -> int:
    """How many check-ins in a row, newest first, went unanswered (those due before ``since``
    do not count: the person said they are still in, or came back from a pause, then)."""
    streak = 0
    for due_at, answered in checkins:
        if answered or (since is not None and due_at < since):
            break
        streak += 1
    return streak


async def apply_inactivity_policy(cohort: Cohort) -> None:
    """A tick step: ask the silent, pause those who stayed silent, warn and close idle pairs."""
    recent = await cohort.uow.recent_checkins(cohort.enrollment_scope)
    for enrollment in list(cohort.enrollments.values()):
        if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.id is None:
            continue
        with cohort.isolated(f"enrollment:{enrollment.id}"):
            _silent_person(cohort, enrollment, recent.get(enrollment.id, []))
    last_logs = await cohort.uow.last_session_log_times(cohort.pair_scope)
    for pair in list(cohort.pairs.values()):
        if pair.status != PairStatus.ACTIVE or pair.id is None:
            continue
        with cohort.isolated(f"pair:{pair.id}"):
            _idle_pair(cohort, pair, last_logs.get(pair.id))


def _policy(cohort: Cohort, program: Program | None) -> ScheduleSettings | None:
    if program is None or not is_running(program, cohort.now):
        return None
    settings = cohort.settings(program)
    return settings if settings.inactivity else None


def _silent_person(
    cohort: Cohort, enrollment: Enrollment, checkins: Sequence[tuple[datetime, bool]]
) -> None:
    program = cohort.programs.get(enrollment.program_id)
    person = cohort.persons.get(enrollment.person_id)
    settings = _policy(cohort, program)
    if settings is None or program is None or person is None or person.left_at is not None:
        return
    streak = unanswered_streak(checkins, enrollment.silence_reset_at)
    asked = enrollment.silence_asked_at
    if asked is None:
        if streak >= settings.silence_prompts:
            enrollment.silence_asked_at = cohort.now
            _ask_still_in(cohort, enrollment, person, program, settings, streak)
        return
    if streak < settings.silence_prompts:
        # They answered a check-in since: the question no longer stands.
        enrollment.silence_asked_at = None
        return
    if cohort.now < asked + settings.silence_pause_after:
        return
    enrollment.status, enrollment.paused_until = EnrollmentStatus.PAUSED, None
    enrollment.silence_asked_at, enrollment.silence_reset_at = None, cohort.now
    silent_days = settings.silence_pause_after.days
    cohort.uow.add(
        AuditEntry(
            at=cohort.now,
            actor_id=person.id,
            action=AUTO_PAUSED,
            program_id=program.id,
            details={"unanswered": streak, "silent_days": silent_days},
        )
    )
    cohort.queue(
        person,
        program,
        "leaving.auto_paused",
        key=f"auto_paused:{enrollment.id}:{cohort.now.date().isoformat()}",
        purpose="auto_paused",
        program=program.name,
        days=silent_days,
    )
    for pair in cohort.pairs.values():
        if enrollment.id not in (pair.mentor_enrollment_id, pair.mentee_enrollment_id):
            continue
        for _, partner in cohort.pair_members(pair):
            if partner.id != person.id and partner.left_at is None:
                cohort.queue(
                    partner,
                    program,
                    "leaving.partner_auto_paused",
                    key=f"partner_auto_paused:{enrollment.id}:{partner.id}:{cohort.now.date()}",
                    purpose="partner_pause",
                    partner=person.display_name,
                )


def _ask_still_in(
    cohort: Cohort,
    enrollment: Enrollment,
    person: Person,
    program: Program,
    settings: ScheduleSettings,
    streak: int,
) -> None:
    locale = cohort.locale(person, program)
    prefix = f"{SILENCE}:{enrollment.id}"
    choices = tuple(
        Choice(value=f"{prefix}:{answer}", label=cohort.label_text(locale, f"leaving.{label}"))
        for answer, label in (("in", "still_in"), ("pause", "pause_until"), ("leave", "leave"))
    )
    cohort.queue(
        person,
        program,
        "leaving.still_in_question",
        key=f"silence:{enrollment.id}:{cohort.now.date().isoformat()}",
        purpose="still_in",
        choices=choices,
        program=program.name,
        count=streak,
        days=settings.silence_pause_after.days,
    )


def _idle_pair(cohort: Cohort, pair: Pair, last_log: datetime | None) -> None:
    program = cohort.programs.get(pair.program_id)
    settings = _policy(cohort, program)
    members = cohort.pair_members(pair)
    if settings is None or program is None or len(members) != 2:
        return
    if not all(cohort.is_active(e.id) for e, _ in members):
        return  # somebody paused: the pair waits for them
    last_activity = max(pair.created_at, last_log or pair.created_at)
    warned = pair.idle_warned_at
    if warned is not None and last_activity > warned:
        pair.idle_warned_at = warned = None  # a session was logged since the warning
    quiet = cohort.now - last_activity
    if warned is None:
        if quiet >= settings.idle_pair_after:
            pair.idle_warned_at = cohort.now
            _tell_both(
                cohort,
                pair,
                program,
                members,
                "leaving.idle_warning",
                "idle_warning",
                days=quiet.days,
                close_days=settings.idle_close_after.days,
            )
        return
    if cohort.now < warned + settings.idle_close_after:
        return
    pair.status = PairStatus.ENDED
    (_, mentor), (_, mentee) = sorted(
        members, key=lambda member: member[0].id != pair.mentor_enrollment_id
    )
    cohort.uow.add(
        AuditEntry(
            at=cohort.now,
            actor_id=None,
            action=PAIR_CLOSED,
            program_id=program.id,
            subject=f"pair:{pair.id}",
            details={
                "mentor": mentor.display_name,
                "mentee": mentee.display_name,
                "quiet_days": quiet.days,
            },
        )
    )
    _tell_both(
        cohort, pair, program, members, "leaving.idle_closed", "idle_closed", days=quiet.days
    )


def _tell_both(
    cohort: Cohort,
    pair: Pair,
    program: Program,
    members: list[tuple[Enrollment, Person]],
    message_id: str,
    purpose: str,
    **variables: Any,
) -> None:
    for _, person in members:
        partner = next(p for _, p in members if p.id != person.id)
        cohort.queue(
            person,
            program,
            message_id,
            key=f"{purpose}:{pair.id}:{person.id}:{cohort.now.date().isoformat()}",
            purpose=purpose,
            partner=partner.display_name,
            program=program.name,
            **variables,
        )


# When the tick must look again (bot.scheduling.next_due)
def enrollment_moments(settings: ScheduleSettings, enrollment: Enrollment) -> list[datetime]:
    if not settings.inactivity or enrollment.silence_asked_at is None:
        return []
    return [enrollment.silence_asked_at + settings.silence_pause_after]


def pair_moments(settings: ScheduleSettings, pair: Pair, last_activity: datetime) -> list[datetime]:
    if not settings.inactivity:
        return []
    if pair.idle_warned_at is not None and pair.idle_warned_at >= last_activity:
        return [pair.idle_warned_at + settings.idle_close_after]
    return [last_activity + settings.idle_pair_after]


# The person's answer
async def on_silence_choice(turn: Turn, rest: str) -> None:
    """``<enrollment id>:in|pause|leave``."""
    enrollment_id, _, answer = rest.partition(":")
    enrollment = await turn.uow.enrollment(int(enrollment_id)) if enrollment_id.isdigit() else None
    if (
        enrollment is None
        or enrollment.person_id != turn.person_id
        or enrollment.status != EnrollmentStatus.ACTIVE
    ):
        raise UserError("errors.stale_choice")
    program = await turn.uow.program(enrollment.program_id)
    assert program is not None
    if answer == "in":
        enrollment.silence_asked_at, enrollment.silence_reset_at = None, turn.now
        turn.audit("enrollment.still_in", program_id=program.id)
        await turn.say("leaving.still_in_thanks", program=program.name, replaces_prompt=True)
    elif answer == "pause":
        await turn.say("leaving.pause_until_ask", form=await _pause_form(turn))
    elif answer == "leave":
        # The same confirmation as /tandem leave: leaving is not undone by a stray click.
        await ask_to_confirm(
            turn,
            "participant.leave_confirm",
            yes_label="labels.leave_yes",
            value=f"leave:{enrollment.id}",
            program=program.name,
        )
    else:
        raise UserError("errors.stale_choice")


async def _pause_form(turn: Turn) -> Form:
    return Form(
        form_id=PAUSE_FORM_ID,
        title=await turn.text("leaving.pause_form_title"),
        submit_label=await turn.text("leaving.pause_form_submit"),
        fields=(
            FormField(
                "until",
                await turn.text("leaving.pause_form_until"),
                FieldKind.DATE,
                hint=await turn.text("leaving.pause_form_hint"),
            ),
        ),
    )


async def check_pause_fields(turn: Turn, values: dict[str, str]) -> None:
    """The day, checked as soon as it is typed (a form asked one field at a time)."""
    if "until" in values:
        parse_pause_end(values["until"], turn.today_for(turn.person))


async def on_pause_form(turn: Turn, values: dict[str, str]) -> None:
    enrollment = await turn.current_enrollment()
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        raise UserError("errors.stale_choice")
    until = parse_pause_end(values.get("until", ""), turn.today_for(turn.person))
    enrollment.status, enrollment.paused_until = EnrollmentStatus.PAUSED, until
    enrollment.silence_asked_at, enrollment.silence_reset_at = None, turn.now
    turn.audit("enrollment.paused", program_id=enrollment.program_id)
    assert enrollment.id is not None
    pair = await turn.uow.active_pair_of(enrollment.id)
    if pair is not None:
        await notify_partner(
            turn,
            enrollment,
            pair,
            "participant.partner_paused",
            key=f"pause:{enrollment.id}:{turn.now.isoformat()}",
            purpose="partner_pause",
            until=until,
        )
    await turn.say("participant.paused", until=until)
