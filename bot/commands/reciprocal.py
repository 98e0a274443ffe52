"""Going on as reciprocal mentoring after a program closed: the answers to the offer.

Why a follow-on program rather than an extension of those pairs inside the closed program: the
closed program keeps its figures, report and evaluation as they were, while the follow-on has
its own dates, check-ins, digest, evaluation and closing like any program, with no special
case anywhere; and a pair that swaps roles needs new enrollments (one role per person and
program). The follow-on is created once, when the first pair agrees, named after the program it
follows, with the same owners, rhythm, session length, catalogue and digest channel, from that
day for as long as the first one lasted. Each person keeps their profile.

The pair goes on when both said yes; the roles are swapped only when both chose to swap them (a
swap one of them did not choose would not be "as they choose"), otherwise kept.
"""

from __future__ import annotations

from datetime import timedelta

from bot import lifecycle
from bot.commands.lookup import partner_enrollment_id
from bot.conversations.kickoff import kickoff
from bot.domain import (
    Continuation,
    Enrollment,
    EnrollmentStatus,
    Pair,
    Person,
    Profile,
    Program,
    ProgramOwner,
    Role,
)
from bot.errors import UserError
from bot.scheduling.continuation import CHOICES
from bot.turn import Turn

# The follow-on lasts as long as the program it follows, and at least this long.
SHORTEST_FOLLOW_ON = timedelta(days=28)


async def on_reciprocal_choice(turn: Turn, rest: str) -> None:
    """``<pair id>:keep|swap|no``."""
    pair_id, _, answer = rest.partition(":")
    pair = await turn.uow.pair(int(pair_id)) if pair_id.isdigit() else None
    if pair is None or pair.id is None or answer not in CHOICES:
        raise UserError("errors.stale_choice")
    enrollment = await _own_enrollment(turn, pair)
    answers = await turn.uow.continuations_of(pair.id)
    if turn.person_id in answers:
        raise UserError("errors.stale_choice")
    turn.uow.add(
        Continuation(pair_id=pair.id, person_id=turn.person_id, choice=answer, answered_at=turn.now)
    )
    assert enrollment.id is not None
    partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
    name = partner.display_name if partner else ""
    if answer == "no":
        if partner is not None:
            await turn.notify(
                partner,
                "closing.partner_will_not_continue",
                key=f"continue_no:{pair.id}:{partner.id}",
                purpose="continue_answer",
                partner=turn.person.display_name,
            )
        await turn.say("closing.continue_declined", replaces_prompt=True)
        return
    theirs = answers.get(partner.id) if partner is not None and partner.id else None
    if partner is None or theirs is None:
        await turn.say("closing.continue_waiting", partner=name, replaces_prompt=True)
        return
    if theirs == "no":
        await turn.say("closing.continue_partner_said_no", partner=name, replaces_prompt=True)
        return
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    follow_on = await _follow_on(turn, program)
    swap = answer == "swap" and theirs == "swap"
    old_partner = await turn.uow.enrollment(partner_enrollment_id(pair, enrollment.id) or 0)
    assert old_partner is not None
    members = [(enrollment, turn.person), (old_partner, partner)]
    if (enrollment.role == Role.MENTOR) == swap:
        members.reverse()  # the new mentor first
    (mentor_was, mentor), (mentee_was, mentee) = members
    new_pair = Pair(
        program_id=follow_on.id or 0,
        mentor_enrollment_id=await _enroll(turn, follow_on, mentor, mentor_was, Role.MENTOR),
        mentee_enrollment_id=await _enroll(turn, follow_on, mentee, mentee_was, Role.MENTEE),
        created_at=turn.now,
        created_by=turn.person_id,
    )
    turn.uow.add(new_pair)
    await turn.uow.flush()
    turn.audit("pair.continued", program_id=follow_on.id, subject=f"pair:{new_pair.id}")
    await turn.say(
        "closing.continue_started",
        program=follow_on.name,
        partner=name,
        swapped=swap,
        role=Role.MENTOR.value if mentor is turn.person else Role.MENTEE.value,
        replaces_prompt=True,
    )
    await kickoff(turn, new_pair, mentor, mentee)


async def _own_enrollment(turn: Turn, pair: Pair) -> Enrollment:
    for enrollment_id in (pair.mentor_enrollment_id, pair.mentee_enrollment_id):
        enrollment = await turn.uow.enrollment(enrollment_id) if enrollment_id else None
        if enrollment is not None and enrollment.person_id == turn.person_id:
            return enrollment
    raise UserError("errors.stale_choice")


async def _follow_on(turn: Turn, program: Program) -> Program:
    """The program that continues ``program``, created by the first pair that goes on."""
    assert program.id is not None
    name = turn.renderer.render(
        turn.renderer.locale_for(program.locale), "closing.follow_on_name", program=program.name
    )
    for existing in await turn.uow.programs_named(name):
        if existing.follows_id == program.id:
            return existing
    today = lifecycle.local_today(program, turn.now)
    lasted = (program.ends_on or today) - program.starts_on
    follow_on = Program(
        name=name,
        starts_on=today,
        ends_on=today + max(lasted, SHORTEST_FOLLOW_ON),
        created_at=turn.now,
        locale=program.locale,
        timezone=program.timezone,
        sessions_planned=program.sessions_planned,
        cadence_days=program.cadence_days,
        session_minutes=program.session_minutes,
        topics=list(program.topics),
        reciprocal_topics=list(program.reciprocal_topics),
        digest_channel=dict(program.digest_channel) if program.digest_channel else None,
        schedule=dict(program.schedule) if program.schedule else None,
        matching=dict(program.matching) if program.matching else None,
        quote_min_group=program.quote_min_group,
        follows_id=program.id,
    )
    turn.uow.add(follow_on)
    await turn.uow.flush()
    assert follow_on.id is not None
    for owner in await turn.uow.owners_of(program.id):
        assert owner.id is not None
        turn.uow.add(ProgramOwner(program_id=follow_on.id, person_id=owner.id))
    turn.audit("program.created", program_id=follow_on.id, subject=name)
    await turn.notify_owners(
        follow_on,
        "closing.follow_on_created",
        key=f"follow_on:{follow_on.id}",
        purpose="owner_info",
        program=name,
        previous=program.name,
    )
    return follow_on


async def _enroll(
    turn: Turn, follow_on: Program, person: Person | None, was: Enrollment, role: Role
) -> int:
    """The person's enrollment in the follow-on, with their profile from the program before."""
    assert follow_on.id is not None and person is not None and person.id is not None
    enrollment = await turn.uow.enrollment_of(follow_on.id, person.id)
    if enrollment is None:
        enrollment = Enrollment(
            program_id=follow_on.id, person_id=person.id, role=role, joined_at=turn.now
        )
        turn.uow.add(enrollment)
    else:
        enrollment.role, enrollment.status = role, EnrollmentStatus.ACTIVE
    await turn.uow.flush()
    assert enrollment.id is not None and was.id is not None
    profile = await turn.uow.profile_of(was.id)
    if profile is not None and await turn.uow.profile_of(enrollment.id) is None:
        turn.uow.add(
            Profile(
                enrollment_id=enrollment.id,
                teaches=dict(profile.teaches),
                wants=dict(profile.wants),
                goals=profile.goals,
                languages=list(profile.languages),
                department=profile.department,
                availability=profile.availability,
                completed_at=profile.completed_at,
                manager=profile.manager,
            )
        )
        await turn.uow.flush()
    return enrollment.id
