"""The "Plan the next session" button, under a logged session and in the kickoff: one click
shows the three free slots that ``/session plan`` alone would propose."""

from __future__ import annotations

from bot.commands.lookup import active_pair_of_speaker
from bot.commands.planning import propose_slots
from bot.domain import Pair, PairStatus, Person
from bot.errors import UserError
from bot.messages import Choice
from bot.turn import Turn

CHOICE_PREFIX = "plan_next"


async def plan_next_button(turn: Turn, pair: Pair, reader: Person | None = None) -> Choice:
    """The button for ``reader`` (the speaker by default), labelled in their language."""
    return await turn.choice("labels.plan_next", f"{CHOICE_PREFIX}:{pair.id}", reader)


async def still_open(turn: Turn, pair_id: int) -> bool:
    """Whether the button still asks something: its pair active, nothing planned yet."""
    pair = await turn.uow.pair(pair_id)
    if pair is None or pair.status != PairStatus.ACTIVE:
        return False
    return not await turn.uow.planned_sessions(pair_id, turn.now)


async def on_plan_next(turn: Turn, rest: str) -> None:
    """``<pair id>``: the proposals for that pair, if it is still the clicker's current one and
    nothing is planned yet (else what is planned, and how to move it)."""
    enrollment, pair = await active_pair_of_speaker(turn)
    if not rest.isdigit() or pair.id != int(rest):
        raise UserError("errors.stale_choice")
    upcoming = await turn.uow.planned_sessions(pair.id, turn.now)
    if upcoming:
        raise UserError(
            "errors.next_already_planned",
            starts_at=upcoming[0].starts_at,
            zone=turn.timezone_of(turn.person),
        )
    await propose_slots(turn, enrollment, pair)
