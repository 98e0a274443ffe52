"""The periodic check-in: a mood from 1 to 5, then two optional free-text questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.conversations import runner
from bot.conversations.steps import ChoiceStep, TextStep
from bot.domain import Checkin, CheckinStatus, Conversation, ConversationStatus
from bot.turn import Turn

FLOW = "checkin"
MOODS = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class CheckinContext:
    checkin: Checkin
    program_name: str


def record_answers(checkin: Checkin, answers: dict[str, Any], at: Any) -> None:
    """Keep whatever was answered, even when the conversation ends before the last question."""
    if "mood" in answers:
        checkin.mood = int(answers["mood"])
        checkin.answered_at = checkin.answered_at or at
        checkin.status = CheckinStatus.ANSWERED
    if answers.get("blocker"):
        checkin.blocker = answers["blocker"]
    if answers.get("learned"):
        checkin.learned = answers["learned"]


def mood_step() -> ChoiceStep:
    return ChoiceStep(
        "mood",
        "checkin.mood",
        MOODS,
        "labels.mood",
        lambda context: {"program": context.program_name},
    )


class CheckinFlow:
    name = FLOW

    async def load(self, turn: Turn, conversation: Conversation) -> CheckinContext | None:
        checkin = await turn.uow.checkin(conversation.subject_id)
        if checkin is None or checkin.status == CheckinStatus.EXPIRED:
            return None
        enrollment = await turn.uow.enrollment(checkin.enrollment_id)
        program = await turn.uow.program(enrollment.program_id) if enrollment else None
        return CheckinContext(checkin, program.name if program else "")

    def steps(self, context: CheckinContext) -> list[runner.Step]:
        return [
            mood_step(),
            TextStep("blocker", "checkin.blocker", optional=True),
            TextStep("learned", "checkin.learned", optional=True),
        ]

    async def finish(self, turn: Turn, conversation: Conversation, context: CheckinContext) -> None:
        record_answers(context.checkin, conversation.answers, turn.now)
        conversation.status = ConversationStatus.DONE
        await turn.say("checkin.thanks", mood=context.checkin.mood)


runner.register(CheckinFlow())
