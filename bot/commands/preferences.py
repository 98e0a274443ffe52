"""What participants tell the matching privately: people to avoid, and their manager.

``/tandem avoid @someone`` is never shown to that person; ``/tandem manager @someone`` is
honoured as a reporting line (never paired with their own manager or report).
"""

from __future__ import annotations

from bot.commands.grammar import Command
from bot.domain import Avoidance, Profile
from bot.errors import UserError
from bot.people import mention_id, resolve_mention
from bot.turn import Turn

NONE_WORDS = {"none", "-", "aucun", "aucune", "personne", "no", "non"}
REMOVE_WORDS = {"remove", "undo", "retirer", "enlever", "supprimer"}


async def avoid(turn: Turn, command: Command) -> None:
    args = list(command.args)
    if not args:
        avoided = [
            await turn.uow.person(a.avoided_id)
            for a in await turn.uow.avoidances_by(turn.person_id)
        ]
        await turn.say("matching.avoid_list", names=[p.display_name for p in avoided if p])
        return
    removing = args[0].lower() in REMOVE_WORDS
    mentions = args[1:] if removing else args
    if not mentions:
        raise UserError("errors.avoid_usage")
    people = [await resolve_mention(turn, mention) for mention in mentions]
    if any(p.id == turn.person_id for p in people):
        raise UserError("errors.avoid_yourself")
    if removing:
        removed = []
        for person in people:
            assert person.id is not None
            found = await turn.uow.avoidance(turn.person_id, person.id)
            if found is not None:
                await turn.uow.delete(found)
                removed.append(person.display_name)
        turn.audit("avoid.removed", count=len(removed))
        await turn.say("matching.avoid_removed", names=removed)
        return
    added, already = [], []
    for person in people:
        assert person.id is not None
        if await turn.uow.avoidance(turn.person_id, person.id) is not None:
            already.append(person.display_name)
            continue
        turn.uow.add(Avoidance(person_id=turn.person_id, avoided_id=person.id, created_at=turn.now))
        await turn.uow.flush()
        added.append(person.display_name)
    # Audited without the other person: the trail must not tell who was avoided.
    turn.audit("avoid.added", count=len(added))
    if not added:
        await turn.say("matching.avoid_already", names=already)
        return
    await turn.say("matching.avoid_added", names=added, already=already)


async def manager(turn: Turn, command: Command) -> None:
    enrollment = await turn.current_enrollment()
    if enrollment is None or enrollment.id is None:
        raise UserError("errors.not_enrolled")
    profile = await turn.uow.profile_of(enrollment.id)
    if not command.args:
        await turn.say("matching.manager_is", manager=profile.manager if profile else None)
        return
    if len(command.args) > 1:
        raise UserError("errors.manager_usage")
    if command.args[0].lower() in NONE_WORDS:
        if profile is not None:
            profile.manager = None
        await turn.say("matching.manager_cleared")
        return
    user_id = mention_id(command.args[0])
    if user_id == turn.person.user_id:
        raise UserError("errors.manager_yourself")
    if profile is None:
        # The intake fills in the rest; an incomplete profile is not matched.
        profile = Profile(enrollment_id=enrollment.id)
        turn.uow.add(profile)
    profile.manager = user_id
    turn.audit("profile.manager_set", program_id=enrollment.program_id)
    await turn.say("matching.manager_set", manager=user_id)
