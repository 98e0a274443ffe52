"""``/session``: log a meeting (form or one line), plan the next one, list, undo the last log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.commands import planning
from bot.commands.grammar import Command
from bot.commands.lookup import (
    active_pair_of_speaker,
    notify_partner,
    pair_view,
    partner_enrollment_id,
    visible_enrollment,
)
from bot.commands.plan_next import plan_next_button
from bot.commands.regular import is_regular, regular
from bot.commands.rescheduling import call_off
from bot.commands.values import (
    is_duration_unit,
    parse_duration,
    parse_session_day,
)
from bot.domain import Enrollment, FeedbackRequest, Pair, SessionLog
from bot.errors import UserError
from bot.follow_ups import SESSION_QUIZ, defer
from bot.messages import FieldKind, Form, FormField
from bot.scheduling.assessments import program_end
from bot.scheduling.settings import ScheduleSettings
from bot.skip import is_skip
from bot.turn import Turn

FORM_ID = "session_log"
UNDO_WINDOW = timedelta(minutes=15)
MAX_TEXT = 500
# One feedback request covers the sessions logged after it: while it is unanswered (for a week
# at most, so that someone who ignored one is asked again later), and for a day in any case.
# Thirteen logs in a day ask the partner once, not thirteen times.
UNANSWERED_FEEDBACK_COVERS = timedelta(days=7)
FEEDBACK_COVERS = timedelta(days=1)
FORM_FIELDS = ("duration", "topics", "next", "date")


async def session(turn: Turn, command: Command) -> None:
    if command.verb == "log":
        await _log(turn, command)
    elif command.verb == "plan" and is_regular(command.args):
        await regular(turn, command.args)
    elif command.verb == "plan":
        await planning.plan(turn, command)
    elif command.verb == "list":
        await _list(turn, command)
    else:
        await _undo(turn)


async def _log(turn: Turn, command: Command) -> None:
    enrollment, pair = await active_pair_of_speaker(turn)
    if not command.args and not command.options:
        await turn.say("sessions.form_intro", form=await _form(turn, {}, {}))
        return
    if len(command.args) < 2:
        raise UserError("errors.log_usage")
    if is_duration_unit(command.args[1]):
        # "45 minutes" in two words: blaming the topics that follow would mislead.
        raise UserError(
            "errors.duration_in_two_words",
            value=f"{command.args[0]} {command.args[1]}",
            unit=command.args[1],
            joined=f"{command.args[0]}{command.args[1]}",
        )
    if len(command.args) > 2:
        raise UserError("errors.log_too_many", extra=list(command.args[2:]))
    values = {
        "duration": command.args[0],
        "topics": command.args[1],
        "next": command.options.get("next", ""),
        "date": command.options.get("date", ""),
    }
    log = await _validated_log(turn, pair, values)
    await _save(turn, enrollment, pair, log)


async def on_form(turn: Turn, values: dict[str, str]) -> None:
    enrollment, pair = await active_pair_of_speaker(turn)
    errors: dict[str, str] = {}
    try:
        log = await _validated_log(turn, pair, values, errors)
    except UserError:
        # Send the form back with what was typed and an error under each wrong field.
        await turn.say("sessions.form_errors", form=await _form(turn, values, errors))
        return
    await _save(turn, enrollment, pair, log)


async def check_form_fields(turn: Turn, values: dict[str, str]) -> None:
    """A form answered field by field (the console): refuse the first wrong field given so far,
    with what is wrong with it; the fields not answered yet are not looked at."""
    _, pair = await active_pair_of_speaker(turn)
    await _checked_fields(turn, pair, values, only=set(values))


async def on_form_cancelled(turn: Turn) -> None:
    await turn.say("sessions.form_cancelled")


async def _form(turn: Turn, values: dict[str, str], errors: dict[str, str]) -> Form:
    today = turn.today_for(turn.person).isoformat()
    fields = (
        FormField(
            "duration",
            await turn.text("sessions.field_duration"),
            hint=await turn.text("sessions.hint_duration"),
        ),
        FormField(
            "topics",
            await turn.text("sessions.field_topics"),
            FieldKind.LONG_TEXT,
            hint=await turn.text("sessions.hint_topics"),
        ),
        FormField(
            "next",
            await turn.text("sessions.field_next"),
            FieldKind.LONG_TEXT,
            required=False,
            hint=await turn.text("sessions.hint_next"),
        ),
        FormField(
            "date",
            await turn.text("sessions.field_date"),
            FieldKind.DATE,
            initial=today,
            hint=await turn.text("sessions.hint_date"),
        ),
    )
    return Form(
        form_id=FORM_ID,
        title=await turn.text("sessions.form_title"),
        submit_label=await turn.text("sessions.form_submit"),
        fields=fields,
        errors=errors,
        values={k: v for k, v in values.items() if k in FORM_FIELDS},
    )


async def _validated_log(
    turn: Turn, pair: Pair, values: dict[str, str], errors: dict[str, str] | None = None
) -> SessionLog:
    """Checks every field; with ``errors`` given, says what is wrong with each before refusing."""
    parsed = await _checked_fields(turn, pair, values, errors)
    minutes, held_on = parsed["duration"], parsed["date"]
    assert pair.id is not None and isinstance(minutes, int) and isinstance(held_on, date)
    return SessionLog(
        pair_id=pair.id,
        logged_by=turn.person_id,
        held_on=held_on,
        minutes=minutes,
        topics=str(parsed["topics"]),
        next_steps=str(parsed["next"]) or None,
        created_at=turn.now,
    )


async def _checked_fields(
    turn: Turn,
    pair: Pair,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    only: set[str] | None = None,
) -> dict[str, object]:
    """The parsed value of every field (or of the ``only`` ones); raises for the first wrong
    one, after writing what is wrong with each into ``errors`` when given."""
    today = turn.today_for(turn.person)
    span = await _program_span(turn, pair)
    problems: dict[str, UserError] = {}
    checks: dict[str, Callable[[], object]] = {
        "duration": lambda: parse_duration(values.get("duration", "")),
        "topics": lambda: _text(values.get("topics", ""), required=True),
        "next": lambda: _text(values.get("next", ""), required=False),
        "date": lambda: _held_on(values.get("date", ""), today, span),
    }
    parsed: dict[str, object] = {}
    for name, check in checks.items():
        if only is not None and name not in only:
            continue
        try:
            parsed[name] = check()
        except UserError as problem:
            problems[name] = problem
    if problems:
        if errors is not None:
            for name, refused in problems.items():
                errors[name] = await turn.text(refused.message_id, **refused.variables)
        raise next(iter(problems.values()))
    return parsed


def _text(value: str, *, required: bool) -> str:
    # A skip word ("none", "rien"…) is never kept as a text: it means "nothing to say".
    cleaned = "" if is_skip(value) else value.strip()
    if required and not cleaned:
        raise UserError("errors.topics_missing")
    if len(cleaned) > MAX_TEXT:
        raise UserError("errors.answer_too_long", maximum=MAX_TEXT)
    return cleaned


def _held_on(value: str, today: date, span: tuple[date, date]) -> date:
    if not value.strip() or is_skip(value):
        return today
    return parse_session_day(value, today, span)


async def _program_span(turn: Turn, pair: Pair) -> tuple[date, date]:
    """The first and last days of the pair's program: sessions fall between them."""
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    return program.starts_on, program_end(program)


async def _save(turn: Turn, enrollment: Enrollment, pair: Pair, log: SessionLog) -> None:
    # Only what the confirmation and the partner's notice need: this is the most frequent turn.
    assert enrollment.id is not None and pair.id is not None
    turn.uow.add(log)
    if pair.cancelled_in_a_row:
        # A session held ends a run of cancellations.
        pair.cancelled_in_a_row = 0
    await turn.uow.flush()
    turn.audit("session.logged", program_id=pair.program_id, subject=f"pair:{pair.id}")
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    sessions_done, meetings = await turn.uow.sessions_and_charter_meetings(pair.id)
    target = meetings or program.sessions_planned
    partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
    if (
        partner is not None
        and partner.id is not None
        and log.id is not None
        and await turn.uow.covering_feedback_request(
            partner.id,
            pair.id,
            unanswered_since=turn.now - UNANSWERED_FEEDBACK_COVERS,
            created_since=turn.now - FEEDBACK_COVERS,
        )
        is None
    ):
        settings = ScheduleSettings.for_program(program)
        turn.uow.add(
            FeedbackRequest(
                session_log_id=log.id,
                person_id=partner.id,
                program_id=pair.program_id,
                due_at=log.created_at + settings.feedback_request_after,
                created_at=turn.now,
            )
        )
    await notify_partner(
        turn,
        enrollment,
        pair,
        "sessions.partner_logged",
        key=f"session_logged:{log.id}",
        purpose="session_logged",
        log=log,
    )
    await turn.say(
        "sessions.logged",
        choices=(await plan_next_button(turn, pair),),
        log=log,
        count=sessions_done,
        target=target,
        undo_minutes=int(UNDO_WINDOW.total_seconds() // 60),
    )
    # The mentee's quiz right after this answer, not inside it (bot.follow_ups).
    await defer(turn, SESSION_QUIZ, str(log.id), log_id=log.id)


async def _list(turn: Turn, command: Command) -> None:
    if command.args:
        enrollment = await visible_enrollment(turn, command.args[0])
    else:
        # One's own history, even after the partner left: no active pair needed.
        current = await turn.current_enrollment()
        if current is None:
            raise UserError("errors.not_enrolled")
        enrollment = current
    view = await pair_view(turn, enrollment)
    pair = view["pair"]
    if pair is None:
        raise UserError("errors.not_paired")
    logs = await turn.uow.session_logs(pair.id)
    authors = {}
    for log in logs:
        if log.logged_by is not None and log.logged_by not in authors:
            author = await turn.uow.person(log.logged_by)
            authors[log.logged_by] = author.display_name if author else "—"
    planned = await turn.uow.planned_sessions(pair.id, turn.now)
    await turn.say(
        "sessions.list",
        logs=logs,
        authors=authors,
        planned=planned,
        zone=turn.timezone_of(turn.person),
        **{k: v for k, v in view.items() if k != "zone"},
    )


async def _undo(turn: Turn) -> None:
    enrollment, pair = await active_pair_of_speaker(turn)
    assert pair.id is not None
    log = await turn.uow.last_session_log_by(pair.id, turn.person_id)
    if log is None:
        raise UserError("errors.nothing_to_undo")
    if turn.now - log.created_at > UNDO_WINDOW:
        raise UserError("errors.undo_too_late", minutes=int(UNDO_WINDOW.total_seconds() // 60))
    await notify_partner(
        turn,
        enrollment,
        pair,
        "sessions.partner_undid",
        key=f"session_undone:{log.id}",
        purpose="session_undone",
        log=log,
    )
    await turn.uow.delete(log)
    turn.audit("session.undone", program_id=pair.program_id, subject=f"pair:{pair.id}")
    await turn.say("sessions.undone", log=log)


async def on_planned_choice(turn: Turn, rest: str) -> None:
    """``<planned session id>:held|cancelled``, the answer to "did it happen?".

    "held" logs the session in one click, on its day, for the program's session length (the
    partner is told and asked for feedback, as for any log); "cancelled" counts it as cancelled.
    The first of the pair to answer decides; the other's buttons then say what was done.
    """
    planned_id, _, answer = rest.partition(":")
    planned = await turn.uow.planned_session(int(planned_id)) if planned_id.isdigit() else None
    pair = await turn.uow.pair(planned.pair_id) if planned is not None else None
    if planned is None or pair is None or answer not in ("held", "cancelled"):
        raise UserError("errors.stale_choice")
    enrollment = await _member_enrollment(turn, pair)
    if planned.outcome is not None:
        await turn.say(
            "sessions.planned_already_answered", outcome=planned.outcome, replaces_prompt=True
        )
        return
    if answer == "cancelled":
        call_off(turn, pair, planned)
        turn.audit("session.cancelled", program_id=pair.program_id, subject=f"pair:{pair.id}")
        await notify_partner(
            turn,
            enrollment,
            pair,
            "sessions.partner_cancelled",
            key=f"session_cancelled:{planned.id}",
            purpose="session_cancelled",
            starts_at=planned.starts_at,
            zone=turn.timezone_of(turn.person),
        )
        await turn.say("sessions.planned_cancelled", replaces_prompt=True)
        return
    planned.outcome = answer
    program = await turn.uow.program(pair.program_id)
    assert program is not None and pair.id is not None
    held_on = planned.starts_at.astimezone(ZoneInfo(turn.timezone_of(turn.person))).date()
    log = SessionLog(
        pair_id=pair.id,
        logged_by=turn.person_id,
        held_on=min(held_on, turn.today_for(turn.person)),
        minutes=program.session_minutes,
        topics=await turn.text("sessions.planned_log_topics"),
        created_at=turn.now,
    )
    await _save(turn, enrollment, pair, log)


async def _member_enrollment(turn: Turn, pair: Pair) -> Enrollment:
    for enrollment_id in (pair.mentor_enrollment_id, pair.mentee_enrollment_id):
        enrollment = await turn.uow.enrollment(enrollment_id) if enrollment_id else None
        if enrollment is not None and enrollment.person_id == turn.person_id:
            return enrollment
    raise UserError("errors.stale_choice")
