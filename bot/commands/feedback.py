"""The other side's quick rating after a logged session (the full feedback form comes later)."""

from __future__ import annotations

from bot.errors import UserError
from bot.turn import Turn

RATINGS = range(1, 6)


async def on_feedback_choice(turn: Turn, rest: str) -> None:
    """``<feedback request id>:<1-5>``."""
    request_id, _, rating = rest.partition(":")
    request = await turn.uow.feedback_request(int(request_id)) if request_id.isdigit() else None
    if (
        request is None
        or request.person_id != turn.person_id
        or request.answered_at is not None
        or not rating.isdigit()
        or int(rating) not in RATINGS
    ):
        raise UserError("errors.stale_choice")
    request.usefulness = int(rating)
    request.answered_at = turn.now
    await turn.say("reminders.feedback_thanks", usefulness=request.usefulness, replaces_prompt=True)
