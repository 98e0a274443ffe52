"""The short form after a logged session, for the other side of the pair.

The usefulness buttons come with the request (bot/commands/feedback.py); this conversation
asks the rest: what they learnt, one thing the mentor could do better (only when a mentee is
answering), and whether owners may see their name next to what they learnt. When a mentee
answers, the mentor then gets a debrief: their running average and the tips received.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.conversations import runner
from bot.conversations.steps import ChoiceStep, TextStep
from bot.domain import Conversation, ConversationStatus, FeedbackRequest, Person, Role
from bot.turn import Turn

FLOW = "feedback"
SHARE = ("no", "yes")


@dataclass(frozen=True)
class FeedbackContext:
    request: FeedbackRequest
    giver_role: Role
    mentor: Person | None
    program_name: str


def record_answers(request: FeedbackRequest, answers: dict[str, Any]) -> None:
    if answers.get("learnt"):
        request.learnt = str(answers["learnt"])
    if answers.get("improve"):
        request.improve = str(answers["improve"])
    if "share" in answers:
        request.share_name = answers["share"] == "yes"


async def load_context(turn: Turn, request: FeedbackRequest) -> FeedbackContext | None:
    log = await turn.uow.session_log(request.session_log_id)
    pair = await turn.uow.pair(log.pair_id) if log else None
    if pair is None:
        return None
    mentor = await turn.person_of(pair.mentor_enrollment_id)
    giver_role = (
        Role.MENTOR if mentor is not None and mentor.id == request.person_id else Role.MENTEE
    )
    program = await turn.uow.program(pair.program_id)
    return FeedbackContext(request, giver_role, mentor, program.name if program else "")


class FeedbackFlow:
    name = FLOW

    async def load(self, turn: Turn, conversation: Conversation) -> FeedbackContext | None:
        request = await turn.uow.feedback_request(conversation.subject_id)
        if request is None or request.person_id != conversation.person_id:
            return None
        return await load_context(turn, request)

    def steps(self, context: FeedbackContext) -> list[runner.Step]:
        usefulness = context.request.usefulness
        steps: list[runner.Step] = [
            TextStep(
                "learnt",
                "feedback.learnt",
                optional=True,
                variables=lambda c: {"usefulness": usefulness},
            )
        ]
        if context.giver_role == Role.MENTEE:
            mentor = context.mentor.display_name if context.mentor else ""
            steps.append(
                TextStep(
                    "improve",
                    "feedback.improve",
                    optional=True,
                    variables=lambda c: {"mentor": mentor},
                )
            )
        steps.append(ChoiceStep("share", "feedback.share", SHARE, "labels.share_name"))
        return steps

    async def finish(
        self, turn: Turn, conversation: Conversation, context: FeedbackContext
    ) -> None:
        request = context.request
        record_answers(request, conversation.answers)
        conversation.status = ConversationStatus.DONE
        await turn.say("feedback.thanks", usefulness=request.usefulness, shared=request.share_name)
        if context.giver_role == Role.MENTEE and context.mentor is not None:
            await debrief(turn, context.mentor, request)


async def debrief(turn: Turn, mentor: Person, request: FeedbackRequest) -> None:
    """Tell the mentor how the session landed, their running average and the tips so far."""
    assert mentor.id is not None
    await turn.uow.flush()
    received = await turn.uow.feedback_for_mentor(mentor.id)
    ratings = [f.usefulness for f in received if f.usefulness is not None]
    average = round(sum(ratings) / len(ratings), 1) if ratings else None
    await turn.notify(
        mentor,
        "feedback.debrief",
        key=f"debrief:{request.id}",
        purpose="mentor_debrief",
        usefulness=request.usefulness,
        average=average,
        count=len(ratings),
        tip=request.improve or "",
        tips=[f.improve for f in received if f.improve and f.id != request.id][-3:],
    )


runner.register(FeedbackFlow())
