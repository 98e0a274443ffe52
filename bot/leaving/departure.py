"""Someone left the company (their account deleted, Tandem removed from their chat): one
engine event, whatever the platform said. Their pairs end kindly, each partner is told and
offered a new partner in the matching's second round, the owners are told (and see it in the
weekly digest), and nothing more is sent to them. Someone who comes back is reachable again,
and joins again only if they say so (joining stays opt-in)."""

from __future__ import annotations

from bot.clock import Clock
from bot.commands.lookup import partner_enrollment_id
from bot.domain import ConversationStatus, EnrollmentStatus, PairStatus, Person
from bot.errors import UserError
from bot.events import EventKind, InboundEvent, Sender
from bot.i18n import Renderer
from bot.people import person_of_sender
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.turn import EngineConfig, Turn
from bot.workshops.seats import release_seats

LEFT = "person.left"
RETURNED = "person.returned"
REMATCH = "rematch"


def _turn(
    uow: UnitOfWork, clock: Clock, renderer: Renderer, config: EngineConfig, person: Person
) -> Turn:
    """A turn of the person's that nobody typed: what it says goes through the outbox."""
    sender = Sender(person.platform, person.workspace, person.user_id)
    event = InboundEvent(EventKind.COMMAND, sender)
    return Turn(uow, clock, renderer, config, event, person, speaking=False)


async def person_left(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    renderer: Renderer,
    config: EngineConfig,
    sender: Sender,
    why: str,
) -> bool:
    """``why``: what the platform said (``account_deleted``, ``removed_from_team``,
    ``app_removed``), kept in the history. False when the person is unknown to Tandem or
    had left already (a platform retry, a second signal of the same departure)."""
    async with uow_factory() as uow:
        person = await person_of_sender(uow, sender)
        if person is None or person.id is None or person.left_at is not None:
            return False
        await leave_company(uow, clock, renderer, config, person, why)
        await uow.commit()
        return True


async def leave_company(
    uow: UnitOfWork,
    clock: Clock,
    renderer: Renderer,
    config: EngineConfig,
    person: Person,
    why: str,
) -> None:
    """``person_left`` in the caller's transaction (a roster import that no longer lists
    them marks them left with everything else it does, or not at all)."""
    assert person.id is not None
    turn = _turn(uow, clock, renderer, config, person)
    person.left_at = turn.now
    await end_enrollments(turn, why)
    for conversation in await uow.open_conversations(person.id):
        conversation.status = ConversationStatus.CANCELLED
    await uow.flush()
    await release_seats(turn, person.id, unless_still_invited=False)
    await uow.skip_outbox_to(person.id)


async def end_enrollments(turn: Turn, why: str) -> None:
    """Every enrollment of the turn's person ends: each pair kindly, partners told and offered
    a new partner, owners told. Shared with the inactivity policy's "leave" answer."""
    uow, person = turn.uow, turn.person
    for enrollment in await uow.enrollments_of_person(turn.person_id):
        if enrollment.status == EnrollmentStatus.LEFT or enrollment.id is None:
            continue
        program = await uow.program(enrollment.program_id)
        enrollment.status = EnrollmentStatus.LEFT
        if program is None or program.id is None:
            continue
        partner: Person | None = None
        pair = await uow.active_pair_of(enrollment.id)
        if pair is not None:
            pair.status = PairStatus.ENDED
            partner_enrollment = partner_enrollment_id(pair, enrollment.id)
            partner = await turn.person_of(partner_enrollment)
            if partner is not None and partner.left_at is None and not program.closed:
                assert partner_enrollment is not None
                await turn.notify(
                    partner,
                    "leaving.partner_left_company",
                    key=f"partner_left_company:{pair.id}:{partner.id}",
                    purpose="partner_left",
                    choices=(
                        await turn.choice(
                            "leaving.rematch_yes", f"{REMATCH}:{partner_enrollment}:yes", partner
                        ),
                        await turn.choice(
                            "leaving.rematch_no", f"{REMATCH}:{partner_enrollment}:no", partner
                        ),
                    ),
                    partner=person.display_name,
                    program=program.name,
                )
        turn.audit(
            LEFT,
            program_id=program.id,
            why=why,
            partner=partner.display_name if partner is not None else None,
        )
        if program.closed:
            continue
        await turn.notify_owners(
            program,
            "leaving.owner_person_left",
            key=f"person_left:{enrollment.id}:{turn.now.isoformat()}",
            purpose="owner_info",
            person=person.display_name,
            program=program.name,
            why=why,
            partner=partner.display_name if partner is not None else None,
        )


async def person_returned(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    renderer: Renderer,
    config: EngineConfig,
    sender: Sender,
) -> bool:
    """The account is back (reactivated, or the person rejoined): reachable again. Their
    programs see it; rejoining one is theirs to ask. False when they had not left."""
    async with uow_factory() as uow:
        person = await person_of_sender(uow, sender)
        if person is None or person.id is None or person.left_at is None:
            return False
        turn = _turn(uow, clock, renderer, config, person)
        left_at, person.left_at, person.unreachable = person.left_at, None, False
        for enrollment in await uow.enrollments_of_person(person.id):
            program = await uow.program(enrollment.program_id)
            if program is None or program.id is None or program.closed:
                continue
            turn.audit(RETURNED, program_id=program.id)
            await turn.notify_owners(
                program,
                "leaving.owner_person_returned",
                key=f"person_returned:{enrollment.id}:{turn.now.isoformat()}",
                purpose="owner_info",
                person=person.display_name,
                program=program.name,
                left_at=left_at,
            )
        await uow.commit()
        return True


async def on_rematch_choice(turn: Turn, rest: str) -> None:
    """The partner of a leaver answers: ``<enrollment id>:yes`` (a new partner in the next
    round of the matching) or ``:no`` (paused, until they resume)."""
    enrollment_id, _, answer = rest.partition(":")
    enrollment = await turn.uow.enrollment(int(enrollment_id)) if enrollment_id.isdigit() else None
    if (
        enrollment is None
        or enrollment.id is None
        or enrollment.person_id != turn.person_id
        or enrollment.status == EnrollmentStatus.LEFT
        or await turn.uow.active_pair_of(enrollment.id) is not None
    ):
        raise UserError("errors.stale_choice")
    program = await turn.uow.program(enrollment.program_id)
    assert program is not None and program.id is not None
    if answer == "yes":
        enrollment.status, enrollment.paused_until = EnrollmentStatus.ACTIVE, None
        turn.audit("enrollment.rematch_asked", program_id=program.id)
        await turn.notify_owners(
            program,
            "leaving.owner_rematch_asked",
            key=f"rematch:{enrollment.id}:{turn.now.isoformat()}",
            purpose="owner_info",
            person=turn.person.display_name,
            program=program.name,
        )
        await turn.say("leaving.rematch_asked", program=program.name, replaces_prompt=True)
        return
    enrollment.status, enrollment.paused_until = EnrollmentStatus.PAUSED, None
    turn.audit("enrollment.paused", program_id=program.id)
    await turn.say("leaving.rematch_declined", program=program.name, replaces_prompt=True)
