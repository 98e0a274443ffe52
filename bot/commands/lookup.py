"""Finding programs and pairs on behalf of the speaker, and what they are allowed to see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import lifecycle
from bot.domain import Enrollment, EnrollmentStatus, Pair, PairStatus, Program
from bot.errors import UserError
from bot.people import mention_id
from bot.scheduling.checkins import next_checkin_at
from bot.turn import Turn


async def find_program(turn: Turn, name: str) -> Program:
    matches = await turn.uow.programs_named(name.strip())
    if not matches:
        programs = await turn.uow.open_programs()
        raise UserError("errors.unknown_program", name=name, programs=[p.name for p in programs])
    return matches[-1]


async def owned_program(turn: Turn, name: str = "") -> Program:
    """The program an owner command applies to: the one named, else the only one they own that
    is not closed (or the only one at all). With several, never a guess: they are asked which."""
    if name:
        program = await find_program(turn, name)
        assert program.id is not None
        if not await turn.uow.is_owner(program.id, turn.person_id):
            raise UserError("errors.owner_only")
        return program
    owned = await turn.uow.programs_owned_by(turn.person_id)
    if not owned:
        raise UserError("errors.owner_only")
    return only_one(owned)


def only_one(owned: Sequence[Program]) -> Program:
    """The one program meant among those someone owns, newest first; refused when ambiguous."""
    not_closed = [program for program in owned if not program.closed]
    candidates = not_closed or list(owned)
    if len(candidates) > 1:
        raise UserError("errors.which_owned_program", programs=[p.name for p in candidates])
    return candidates[0]


def partner_enrollment_id(pair: Pair, enrollment_id: int) -> int | None:
    if pair.mentor_enrollment_id == enrollment_id:
        return pair.mentee_enrollment_id
    return pair.mentor_enrollment_id


async def notify_partner(
    turn: Turn,
    enrollment: Enrollment,
    pair: Pair,
    message_id: str,
    /,
    *,
    key: str,
    purpose: str,
    **variables: Any,
) -> None:
    """Tell the speaker's partner in ``pair`` (if they still have one) through the outbox."""
    assert enrollment.id is not None
    partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
    if partner is not None:
        await turn.notify(
            partner,
            message_id,
            key=f"{key}:{partner.id}",
            purpose=purpose,
            partner=turn.person.display_name,
            **variables,
        )


async def latest_pair_of(turn: Turn, enrollment_id: int) -> Pair | None:
    """The active pair, else the last one this enrollment was in (the partner left or was
    forgotten): one's own history stays visible after the pair ends."""
    pair = await turn.uow.active_pair_of(enrollment_id)
    if pair is not None:
        return pair
    pairs = await turn.uow.pairs_of_enrollment(enrollment_id)
    return pairs[-1] if pairs else None


async def active_pair_of_speaker(turn: Turn) -> tuple[Enrollment, Pair]:
    """The speaker's active pair; explains what is missing otherwise."""
    # The common case in one trip; what is missing is worked out only when nothing is found.
    found = await turn.uow.active_pair_of_person(turn.person_id)
    if found is not None:
        return found
    enrollments = [
        e
        for e in await turn.uow.enrollments_of_person(turn.person_id)
        if e.status != EnrollmentStatus.LEFT
    ]
    if not enrollments:
        raise UserError("errors.not_enrolled")
    for enrollment in enrollments:
        assert enrollment.id is not None
        ended = await latest_pair_of(turn, enrollment.id)
        if ended is not None:
            # Logging or planning needs a partner; the history does not (/session list).
            partner = await turn.person_of(partner_enrollment_id(ended, enrollment.id))
            raise UserError("errors.pair_ended", partner=partner.display_name if partner else "")
    raise UserError("errors.not_paired")


async def visible_enrollment(turn: Turn, mention: str) -> Enrollment:
    """Someone's enrollment, if the speaker may see it: their own, their partner's, or as owner."""
    target_id = mention_id(mention)
    target = await turn.uow.person_by_identity(
        turn.person.platform, turn.person.workspace, target_id
    )
    enrollments = await turn.uow.enrollments_of_person(target.id) if target and target.id else []
    if not enrollments:
        raise UserError("errors.unknown_participant", name=mention)
    enrollment = enrollments[0]
    assert enrollment.id is not None
    if enrollment.person_id == turn.person_id:
        return enrollment
    if await turn.uow.is_owner(enrollment.program_id, turn.person_id):
        return enrollment
    pair = await turn.uow.active_pair_of(enrollment.id)
    if pair is not None:
        partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
        if partner is not None and partner.id == turn.person_id:
            return enrollment
    raise UserError("errors.not_your_pair")


async def pair_view(turn: Turn, enrollment: Enrollment) -> dict[str, Any]:
    """What status and charter messages show about one enrollment and its pair."""
    assert enrollment.id is not None
    program = await turn.uow.program(enrollment.program_id)
    person = await turn.uow.person(enrollment.person_id)
    pair = await latest_pair_of(turn, enrollment.id)
    pair_ended = pair is not None and pair.status != PairStatus.ACTIVE
    partner = charter = None
    sessions_done = minutes_done = 0
    planned: list[Any] = []
    if pair is not None and pair.id is not None:
        partner = await turn.person_of(partner_enrollment_id(pair, enrollment.id))
        charter = await turn.uow.charter_of(pair.id)
        sessions_done, minutes_done = await turn.uow.session_totals(pair.id)
        if not pair_ended:
            planned = list(await turn.uow.planned_sessions(pair.id, turn.now))
    profile = await turn.uow.profile_of(enrollment.id)
    return {
        "program": program,
        "enrollment": enrollment,
        "role": enrollment.role.value,
        "person": person,
        "partner": partner,
        "pair": pair,
        "pair_ended": pair_ended,
        "charter": charter,
        "sessions_done": sessions_done,
        "minutes_done": minutes_done,
        "target": (charter.meetings if charter and charter.meetings else None)
        or (program.sessions_planned if program else 0),
        "next_planned": planned[0].starts_at if planned else None,
        "next_checkin": (
            next_checkin_at(enrollment, program, person, turn.now, turn.config.default_timezone)
            if program is not None and person is not None
            else None
        ),
        "phase": lifecycle.phase(program, turn.now) if program is not None else None,
        "profile_complete": profile is not None and profile.completed_at is not None,
        "zone": turn.timezone_of(turn.person),
    }
