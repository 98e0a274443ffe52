"""What every participant can do: join, fill in the profile, see their tandem, pause, leave."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import lifecycle
from bot.commands.confirm import ask_to_confirm
from bot.commands.grammar import VERBS, Command
from bot.commands.lookup import find_program, notify_partner, pair_view, visible_enrollment
from bot.commands.values import parse_pause_end, parse_timezone
from bot.commands.vocabulary import ROOT_INDEX, VERB_INDEX, plain
from bot.conversations import intake, runner
from bot.domain import (
    ConversationStatus,
    Enrollment,
    EnrollmentStatus,
    InvitationStatus,
    PairStatus,
    Profile,
    Program,
    Role,
)
from bot.errors import UserError
from bot.questions import waiting_for
from bot.settings import SUPPORTED_LOCALES
from bot.turn import Turn
from bot.workshops.seats import release_seats

ROLE_WORDS = {
    "mentor": Role.MENTOR,
    "mentee": Role.MENTEE,
    "mentore": Role.MENTEE,
    "mentoree": Role.MENTEE,
}
UNTIL_WORDS = {"until", "jusqu'au", "jusquau", "jusqu'a"}


async def help_command(turn: Turn, command: Command) -> None:
    typed = command.args[0].lstrip("/") if command.args else ""
    topic = ROOT_INDEX.get(plain(typed)) or VERB_INDEX["tandem"].get(plain(typed), "")
    if command.root == "session" and not typed:
        topic = "session"
    if not typed and not topic:
        await turn.say("help.overview")
        return
    if topic not in {*VERBS["tandem"], "session"}:
        raise UserError("errors.unknown_help_topic", topic=typed)
    await turn.say(f"help.{topic.replace('-', '_')}")


async def join(turn: Turn, command: Command) -> None:
    role = ROLE_WORDS.get(plain(command.args[0])) if command.args else None
    if role is None:
        raise UserError("errors.join_role")
    program_name = " ".join(command.args[1:]) or command.options.get("program", "")
    program = await _program_to_join(turn, program_name)
    await enroll(turn, program, role)


async def _program_to_join(turn: Turn, name: str) -> Program:
    if name:
        return await find_program(turn, name)
    open_programs = [p for p in await turn.uow.open_programs() if lifecycle.is_running(p, turn.now)]
    for program in open_programs:
        assert program.id is not None
        if await turn.uow.pending_invitation(program.id, turn.person_id):
            return program
    if len(open_programs) == 1:
        return open_programs[0]
    if not open_programs:
        raise UserError("errors.no_open_program")
    raise UserError("errors.which_program", programs=[p.name for p in open_programs])


async def enroll(turn: Turn, program: Program, role: Role) -> None:
    """Opt in to a program; starts (or resumes) the intake questionnaire."""
    assert program.id is not None
    if not lifecycle.is_running(program, turn.now):
        raise UserError("errors.program_over", program=program.name)
    enrollment = await turn.uow.enrollment_of(program.id, turn.person_id)
    if enrollment is not None and enrollment.status != EnrollmentStatus.LEFT:
        raise UserError("errors.already_enrolled", program=program.name, role=enrollment.role.value)
    if enrollment is None:
        enrollment = Enrollment(
            program_id=program.id, person_id=turn.person_id, role=role, joined_at=turn.now
        )
        turn.uow.add(enrollment)
    else:
        enrollment.role, enrollment.status, enrollment.joined_at = (
            role,
            EnrollmentStatus.ACTIVE,
            turn.now,
        )
        enrollment.paused_until = None
    invitation = await turn.uow.pending_invitation(program.id, turn.person_id)
    if invitation is not None:
        invitation.status = InvitationStatus.ACCEPTED
    await turn.uow.flush()
    assert enrollment.id is not None
    if invitation is not None and invitation.hints:
        await _profile_from_roster(turn, enrollment.id, invitation.hints)
    turn.audit("enrollment.joined", program_id=program.id, role=role.value)
    await turn.notify_owners(
        program,
        "owner.someone_joined",
        key=f"joined:{enrollment.id}:{turn.now.isoformat()}",
        purpose="owner_info",
        person=turn.person.display_name,
        role=role.value,
        program=program.name,
    )
    await turn.say("participant.welcome", program=program, role=role.value)
    await runner.start(turn, intake.FLOW, enrollment.id, turn.person, restart=True)


async def _profile_from_roster(turn: Turn, enrollment_id: int, hints: dict[str, Any]) -> None:
    """What HR's roster said (department, manager) starts the profile; intake asks the person
    to confirm the department, and the manager keeps pairs off the same reporting line."""
    profile = await turn.uow.profile_of(enrollment_id)
    if profile is None:
        profile = Profile(enrollment_id=enrollment_id)
        turn.uow.add(profile)
    if not profile.department and hints.get("department"):
        profile.department = str(hints["department"])
    if not profile.manager and hints.get("manager"):
        profile.manager = str(hints["manager"])


async def on_invitation_choice(turn: Turn, rest: str) -> None:
    """``<invitation id>:mentor|mentee|decline``."""
    invitation_id, _, answer = rest.partition(":")
    invitation = await turn.uow.invitation(int(invitation_id)) if invitation_id.isdigit() else None
    if (
        invitation is None
        or invitation.person_id != turn.person_id
        or invitation.status != InvitationStatus.PENDING
    ):
        raise UserError("errors.stale_choice")
    program = await turn.uow.program(invitation.program_id)
    if program is None or program.closed:
        raise UserError("errors.stale_choice")
    if answer == "decline":
        invitation.status = InvitationStatus.DECLINED
        turn.audit("invitation.declined", program_id=program.id)
        await turn.say(
            "participant.invitation_declined", program=program.name, replaces_prompt=True
        )
        return
    await enroll(turn, program, Role(answer))


async def profile(turn: Turn, command: Command) -> None:
    enrollment = await turn.current_enrollment()
    if enrollment is None:
        raise UserError("errors.not_enrolled")
    assert enrollment.id is not None
    await runner.start(turn, intake.FLOW, enrollment.id, turn.person)


async def status(turn: Turn, command: Command) -> None:
    if command.args:
        enrollment = await visible_enrollment(turn, command.args[0])
        await turn.say("participant.status", **await pair_view(turn, enrollment), yourself=False)
        return
    enrollments = [
        e for e in await turn.uow.enrollments_of_person(turn.person_id) if e.status != "left"
    ]
    owned = await turn.uow.programs_owned_by(turn.person_id)
    waiting = [
        question.kind
        for question in await waiting_for(turn)
        if not question.expired and not question.settled
    ]
    if not enrollments and not owned and not waiting:
        raise UserError("errors.not_enrolled")
    for enrollment in enrollments:
        await turn.say("participant.status", **await pair_view(turn, enrollment), yourself=True)
    for program in owned:
        assert program.id is not None
        headcount = await turn.uow.program_headcount(program.id)
        await turn.say(
            "owner.program_status",
            program=program,
            phase=lifecycle.phase(program, turn.now),
            mentors=headcount.mentors,
            mentees=headcount.mentees,
            pairs=headcount.pairs,
        )
    if waiting:
        await turn.say("participant.waiting_questions", questions=waiting)


async def charter(turn: Turn, command: Command) -> None:
    if command.args:
        enrollment = await visible_enrollment(turn, command.args[0])
    else:
        current = await turn.current_enrollment()
        if current is None:
            raise UserError("errors.not_enrolled")
        enrollment = current
    view = await pair_view(turn, enrollment)
    if view["pair"] is None:
        raise UserError("errors.not_paired")
    await turn.say("participant.charter", **view)


async def pause(turn: Turn, command: Command) -> None:
    enrollment = await turn.current_enrollment()
    if enrollment is None:
        raise UserError("errors.not_enrolled")
    until: date | None = None
    words = list(command.args)
    if "until" in command.options:
        words = [command.options["until"]]
    elif words and plain(words[0]) in UNTIL_WORDS:
        words = words[1:]
    if words:
        until = parse_pause_end(" ".join(words), turn.today_for(turn.person))
    enrollment.status = EnrollmentStatus.PAUSED
    enrollment.paused_until = until
    turn.audit("enrollment.paused", program_id=enrollment.program_id)
    await _tell_partner(turn, enrollment, "participant.partner_paused", "pause", until=until)
    await turn.say("participant.paused", until=until)


async def resume(turn: Turn, command: Command) -> None:
    enrollment = await turn.current_enrollment()
    if enrollment is None:
        raise UserError("errors.not_enrolled")
    if enrollment.status != EnrollmentStatus.PAUSED:
        raise UserError("errors.not_paused")
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.paused_until = None
    # The check-ins missed before the pause no longer count as a silence (bot.leaving).
    enrollment.silence_asked_at, enrollment.silence_reset_at = None, turn.now
    turn.audit("enrollment.resumed", program_id=enrollment.program_id)
    await _tell_partner(turn, enrollment, "participant.partner_resumed", "resume")
    await turn.say("participant.resumed")


async def leave(turn: Turn, command: Command) -> None:
    enrollment = await turn.current_enrollment()
    if enrollment is None:
        raise UserError("errors.not_enrolled")
    program = await turn.uow.program(enrollment.program_id)
    assert program is not None
    await ask_to_confirm(
        turn,
        "participant.leave_confirm",
        yes_label="labels.leave_yes",
        value=f"leave:{enrollment.id}",
        program=program.name,
    )


async def on_leave_choice(turn: Turn, rest: str) -> None:
    enrollment_id, _, answer = rest.partition(":")
    enrollment = await turn.uow.enrollment(int(enrollment_id)) if enrollment_id.isdigit() else None
    if (
        enrollment is None
        or enrollment.person_id != turn.person_id
        or enrollment.status == EnrollmentStatus.LEFT
    ):
        raise UserError("errors.stale_choice")
    if answer != "yes":
        await turn.say("participant.leave_cancelled", replaces_prompt=True)
        return
    program = await turn.uow.program(enrollment.program_id)
    assert program is not None and enrollment.id is not None
    await _tell_partner(turn, enrollment, "participant.partner_left", "left")
    pair = await turn.uow.active_pair_of(enrollment.id)
    if pair is not None:
        pair.status = PairStatus.ENDED
    enrollment.status = EnrollmentStatus.LEFT
    for conversation in await turn.uow.open_conversations(turn.person_id):
        conversation.status = ConversationStatus.CANCELLED
    await turn.uow.flush()
    # Seats no longer theirs to keep go to the waitlist now, not on the day.
    await release_seats(turn, turn.person_id, unless_still_invited=True)
    turn.audit("enrollment.left", program_id=program.id)
    await turn.notify_owners(
        program,
        "owner.someone_left",
        key=f"left:{enrollment.id}:{turn.now.isoformat()}",
        purpose="owner_info",
        person=turn.person.display_name,
        program=program.name,
    )
    await turn.say("participant.left", program=program.name, replaces_prompt=True)


async def language(turn: Turn, command: Command) -> None:
    choice = command.args[0].lower() if command.args else ""
    if choice not in SUPPORTED_LOCALES:
        raise UserError("errors.bad_language_choice", locales=list(SUPPORTED_LOCALES))
    turn.person.locale = choice
    await turn.say("participant.language_set")


async def timezone(turn: Turn, command: Command) -> None:
    if not command.args:
        await turn.say("participant.timezone_is", zone=turn.timezone_of(turn.person))
        return
    turn.person.timezone = parse_timezone(command.args[0])
    await turn.say("participant.timezone_set", zone=turn.person.timezone)


async def _tell_partner(
    turn: Turn, enrollment: Enrollment, message_id: str, purpose: str, **variables: Any
) -> None:
    assert enrollment.id is not None
    pair = await turn.uow.active_pair_of(enrollment.id)
    if pair is not None:
        await notify_partner(
            turn,
            enrollment,
            pair,
            message_id,
            key=f"{purpose}:{enrollment.id}:{turn.now.isoformat()}",
            purpose=f"partner_{purpose}",
            **variables,
        )
