"""The other side's feedback after a logged session: the usefulness buttons open a short form."""

from __future__ import annotations

from bot.conversations import feedback as form
from bot.conversations import runner
from bot.errors import UserError
from bot.turn import Turn

RATINGS = range(1, 6)


async def on_feedback_choice(turn: Turn, rest: str) -> None:
    """``<feedback request id>:<1-5>``: keep the rating, then ask the rest of the form."""
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
    assert request.id is not None
    if await form.load_context(turn, request) is None:
        await turn.say("feedback.thanks", usefulness=request.usefulness, shared=False)
        return
    await runner.start(turn, form.FLOW, request.id, turn.person)
