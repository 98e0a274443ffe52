"""Which handler answers which command, button or form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.commands import (
    closing,
    declined,
    feedback,
    matching,
    owner,
    participant,
    plan_next,
    planning,
    preferences,
    privacy,
    reciprocal,
    regular_booking,
    regular_offers,
    rescheduling,
    sessions,
    workshops,
)
from bot.commands.grammar import Command
from bot.conversations import assessment, checkin, runner
from bot.dashboard import access as dashboard_access
from bot.follow_ups import (
    REGULAR_SLOT,
    SESSION_DECLINED,
    SESSION_QUIZ,
    WORKSHOP_ANNOUNCED,
    WORKSHOP_ATTENDED,
    FollowUpHandler,
)
from bot.guides import command as guides
from bot.leaving import departure, inactivity, reach
from bot.quiz import answer as quiz
from bot.quiz import start as quiz_start
from bot.roster import command as roster
from bot.turn import Turn
from bot.workshops import seats

CommandHandler = Callable[[Turn, Command], Awaitable[None]]
ChoiceHandler = Callable[[Turn, str], Awaitable[None]]
FormHandler = Callable[[Turn, dict[str, str]], Awaitable[None]]
FormCancelHandler = Callable[[Turn], Awaitable[None]]

COMMAND_HANDLERS: dict[tuple[str, str], CommandHandler] = {
    ("tandem", "help"): participant.help_command,
    ("tandem", "join"): participant.join,
    ("tandem", "profile"): participant.profile,
    ("tandem", "status"): participant.status,
    ("tandem", "charter"): participant.charter,
    ("tandem", "pause"): participant.pause,
    ("tandem", "resume"): participant.resume,
    ("tandem", "leave"): participant.leave,
    ("tandem", "language"): participant.language,
    ("tandem", "timezone"): participant.timezone,
    ("tandem", "my-data"): privacy.my_data,
    ("tandem", "forget-me"): privacy.forget_me,
    ("tandem", "program"): owner.program,
    ("tandem", "invite"): owner.invite,
    ("tandem", "owners"): owner.owners,
    ("tandem", "pair"): owner.pair,
    ("tandem", "digest"): owner.digest,
    ("tandem", "report"): owner.report,
    ("tandem", "dashboard"): dashboard_access.dashboard,
    ("tandem", "reach"): reach.reach,
    ("tandem", "match"): matching.match,
    ("tandem", "avoid"): preferences.avoid,
    ("tandem", "manager"): preferences.manager,
    ("tandem", "guide"): guides.guide,
    ("tandem", "workshop"): workshops.workshop,
    ("tandem", "roster"): roster.roster,
    ("session", "log"): sessions.session,
    ("session", "plan"): sessions.session,
    ("session", "move"): rescheduling.move,
    ("session", "cancel"): rescheduling.cancel,
    ("session", "list"): sessions.session,
    ("session", "undo"): sessions.session,
    ("session", "help"): participant.help_command,
}

CHOICE_HANDLERS: dict[str, ChoiceHandler] = {
    runner.CHOICE_PREFIX: runner.on_choice,
    "invite": participant.on_invitation_choice,
    "leave": participant.on_leave_choice,
    "forget": privacy.on_forget_choice,
    departure.REMATCH: departure.on_rematch_choice,
    inactivity.SILENCE: inactivity.on_silence_choice,
    reach.REACH: reach.on_reach_choice,
    "feedback": feedback.on_feedback_choice,
    "planned": sessions.on_planned_choice,
    "close": closing.on_close_choice,
    "reciprocal": reciprocal.on_reciprocal_choice,
    "quiz": quiz.on_quiz_choice,
    "workshop": workshops.on_workshop_choice,
    planning.CHOICE_PREFIX: planning.on_slot_choice,
    plan_next.CHOICE_PREFIX: plan_next.on_plan_next,
    regular_offers.CHOICE_PREFIX: regular_offers.on_regular,
    regular_offers.PICK_PREFIX: regular_offers.on_regular_pick,
    roster.CHOICE_PREFIX: roster.on_roster_choice,
}
# Buttons whose prompt is gone (answered, or never shown): a handler that can say more than
# "no longer valid" raises its own refusal, else the generic one stands.
STALE_EXPLAINERS: dict[str, ChoiceHandler] = {
    "quiz": quiz.explain_stale,
    planning.CHOICE_PREFIX: planning.explain_stale_slot,
    regular_offers.CHOICE_PREFIX: regular_offers.explain_stale_button,
    regular_offers.PICK_PREFIX: regular_offers.explain_stale_pick,
}

# Flows started by the scheduler rather than by a command must be registered too.
REGISTERED_FLOWS = (checkin.FLOW, assessment.FLOW)

FORM_HANDLERS: dict[str, FormHandler] = {
    sessions.FORM_ID: sessions.on_form,
    workshops.FORM_ID: workshops.on_form,
    workshops.ATTENDANCE_FORM_ID: workshops.on_attendance_form,
    inactivity.PAUSE_FORM_ID: inactivity.on_pause_form,
}
# Checks of the fields answered so far, for a form asked one field at a time (the console).
FORM_FIELD_CHECKS: dict[str, FormHandler] = {
    sessions.FORM_ID: sessions.check_form_fields,
    workshops.FORM_ID: workshops.check_form_fields,
    workshops.ATTENDANCE_FORM_ID: workshops.check_attendance_fields,
    inactivity.PAUSE_FORM_ID: inactivity.check_pause_fields,
}
FORM_CANCEL_HANDLERS: dict[str, FormCancelHandler] = {
    sessions.FORM_ID: sessions.on_form_cancelled,
    workshops.FORM_ID: workshops.on_form_cancelled,
    workshops.ATTENDANCE_FORM_ID: workshops.on_attendance_cancelled,
}

# The work a turn defers until right after its reply (bot.follow_ups), by kind.
FOLLOW_UP_HANDLERS: dict[str, FollowUpHandler] = {
    SESSION_QUIZ: quiz_start.after_logged_session,
    WORKSHOP_ATTENDED: seats.after_attendance,
    WORKSHOP_ANNOUNCED: workshops.invite,
    SESSION_DECLINED: declined.after_declined,
    REGULAR_SLOT: regular_booking.book_occurrence,
}
