"""Three free slots sent to both members of a pair, each on their own clock and in their own
language, as the buttons of ``/session plan``: what a follow-up turn (which cannot reply)
offers after a session was declined in a calendar, or when a regular slot is taken."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.planning import CHOICE_PREFIX, free_slots
from bot.domain import Pair, Person
from bot.turn import Turn


async def offer_slots(
    turn: Turn,
    pair: Pair,
    members: list[Person],
    message_id: str,
    /,
    *,
    key: str,
    purpose: str,
    **variables: Any,
) -> None:
    """``message_id`` to each member (``key`` + their id), with ``slots`` (the instants),
    ``zone`` and ``reader_id`` (theirs) among its variables and one button per slot."""
    assert pair.id is not None
    people = [turn.person] + [p for p in members if p.id != turn.person_id]
    slots = await free_slots(turn, pair, people)
    # Slots clicked after another session was planned are refused (planning.on_slot_choice).
    last_planned = max(
        (p.id or 0 for p in await turn.uow.planned_sessions(pair.id, turn.now)), default=0
    )
    for person in members:
        zone = ZoneInfo(turn.timezone_of(person))
        choices = tuple(
            [
                await turn.choice(
                    "sessions.slot_label",
                    f"{CHOICE_PREFIX}:{pair.id}:{int(slot.start.timestamp())}:{last_planned}",
                    person,
                    local=slot.start.astimezone(zone),
                    zone=str(zone),
                )
                for slot in slots
            ]
        )
        await turn.notify(
            person,
            message_id,
            key=f"{key}:{person.id}",
            purpose=purpose,
            choices=choices,
            reader_id=person.id,
            zone=str(zone),
            slots=[slot.start for slot in slots],
            **variables,
        )
