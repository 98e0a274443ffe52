"""Expectation setting: each side states what they expect, both confirm the pair's charter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.commands.plan_next import plan_next_button
from bot.commands.regular_offers import regular_button
from bot.commands.values import parse_duration, parse_positive_int
from bot.conversations import runner
from bot.conversations.steps import ChoiceStep, SuggestedValueStep, TextStep
from bot.domain import (
    Charter,
    CharterStatus,
    Conversation,
    ConversationStatus,
    Pair,
    Person,
    Program,
    Role,
)
from bot.errors import UserError
from bot.messages import Choice
from bot.turn import Turn

FLOW = "charter"
MENTEE_GOALS = ("same_language", "skill_up")
MENTOR_GOALS = ("pedagogy", "confidence", "business")
PLACES = ("in_person", "video", "mixed")
MAX_MEETINGS = 52


@dataclass(frozen=True)
class CharterContext:
    program: Program
    pair: Pair
    charter: Charter
    role: Role
    me: Person
    partner: Person | None

    @property
    def partner_name(self) -> str:
        return self.partner.display_name if self.partner else "—"


class ConfirmStep:
    """Shows the charter once both sides answered; until then, says who we are waiting for."""

    name = "confirm"
    closing = True

    def question(self, context: CharterContext) -> runner.Question:
        if context.charter.status == CharterStatus.DRAFT:
            return runner.Question("charter.waiting", {"partner": context.partner_name})
        return runner.Question(
            "charter.proposal",
            {
                "charter": context.charter,
                "partner": context.partner_name,
                "role": context.role.value,
            },
            (("labels.charter_confirm", "yes", {}), ("labels.charter_change", "change", {})),
        )

    def accept(self, context: CharterContext, answer: runner.Answer) -> str:
        if context.charter.status == CharterStatus.DRAFT:
            raise UserError("errors.charter_waiting", partner=context.partner_name)
        value = answer.text.strip().lower()
        if value in ("yes", "oui", "ok", "1", "confirm", "confirmer"):
            return "yes"
        if value in ("change", "changer", "modifier", "2"):
            return "change"
        raise UserError("errors.pick_a_choice", count=2)


def _program_defaults(context: Any) -> dict[str, Any]:
    return {"partner": context.partner_name}


class CharterFlow:
    name = FLOW

    async def load(self, turn: Turn, conversation: Conversation) -> CharterContext | None:
        pair = await turn.uow.pair(conversation.subject_id)
        if pair is None or pair.id is None:
            return None
        charter = await turn.uow.charter_of(pair.id)
        program = await turn.uow.program(pair.program_id)
        me = await turn.uow.person(conversation.person_id)
        if charter is None or program is None or me is None:
            return None
        mentor = await turn.person_of(pair.mentor_enrollment_id)
        mentee = await turn.person_of(pair.mentee_enrollment_id)
        role = Role.MENTOR if mentor is not None and mentor.id == me.id else Role.MENTEE
        partner = mentee if role == Role.MENTOR else mentor
        return CharterContext(program, pair, charter, role, me, partner)

    def steps(self, context: CharterContext) -> list[runner.Step]:
        if context.role == Role.MENTOR:
            part: list[runner.Step] = [
                ChoiceStep(
                    "mentor_goal",
                    "charter.mentor_goal",
                    MENTOR_GOALS,
                    "labels.mentor_goal",
                    _program_defaults,
                )
            ]
        else:
            part = [
                ChoiceStep(
                    "mentee_goal",
                    "charter.mentee_goal",
                    MENTEE_GOALS,
                    "labels.mentee_goal",
                    _program_defaults,
                ),
                SuggestedValueStep(
                    "meetings",
                    "charter.meetings",
                    lambda c: int(c.program.sessions_planned),
                    lambda text: parse_positive_int(text, maximum=MAX_MEETINGS),
                ),
                SuggestedValueStep(
                    "minutes",
                    "charter.minutes",
                    lambda c: int(c.program.session_minutes),
                    parse_duration,
                ),
                ChoiceStep("place", "charter.place", PLACES, "labels.place"),
                TextStep("equipment", "charter.equipment", optional=True),
            ]
        return [*part, ConfirmStep()]

    async def finish(self, turn: Turn, conversation: Conversation, context: CharterContext) -> None:
        if conversation.step == ConfirmStep.name:
            await self._confirm(turn, conversation, context)
        else:
            await self._part_done(turn, conversation, context)

    async def _part_done(
        self, turn: Turn, conversation: Conversation, context: CharterContext
    ) -> None:
        charter, answers = context.charter, conversation.answers
        if context.role == Role.MENTOR:
            charter.mentor_goal = answers["mentor_goal"]
        else:
            charter.mentee_goal = answers["mentee_goal"]
            charter.meetings = answers["meetings"]
            charter.minutes = answers["minutes"]
            charter.place = answers["place"]
            charter.equipment = answers["equipment"] or None
        conversation.step = ConfirmStep.name
        both_answered = charter.mentor_goal is not None and charter.mentee_goal is not None
        if both_answered:
            charter.status = CharterStatus.PROPOSED
        await runner.ask(turn, conversation, context, turn.person)
        if both_answered:
            await self._ask_partner(turn, context)

    async def _ask_partner(self, turn: Turn, context: CharterContext) -> None:
        partner = context.partner
        if partner is None or partner.id is None or context.pair.id is None:
            return
        partner_conversation = await turn.uow.open_conversation(partner.id, FLOW, context.pair.id)
        if partner_conversation is None or partner_conversation.step != ConfirmStep.name:
            return
        partner_context = await self.load(turn, partner_conversation)
        if partner_context is not None:
            await runner.ask(turn, partner_conversation, partner_context, partner)

    async def _confirm(
        self, turn: Turn, conversation: Conversation, context: CharterContext
    ) -> None:
        charter = context.charter
        decision = conversation.answers["confirm"]
        if decision == "change":
            charter.status = CharterStatus.DRAFT
            charter.mentor_confirmed_at = charter.mentee_confirmed_at = None
            conversation.answers = {}
            conversation.step = self.steps(context)[0].name
            if context.partner is not None:
                await turn.notify(
                    context.partner,
                    "charter.partner_changing",
                    key=f"charter_change:{charter.id}:{turn.now.isoformat()}",
                    purpose="charter_change",
                    partner=context.me.display_name,
                )
            await runner.ask(turn, conversation, context, turn.person)
            return
        if context.role == Role.MENTOR:
            charter.mentor_confirmed_at = turn.now
        else:
            charter.mentee_confirmed_at = turn.now
        if charter.mentor_confirmed_at is None or charter.mentee_confirmed_at is None:
            await turn.say("charter.confirmed_by_you", partner=context.partner_name)
            return
        charter.status = CharterStatus.CONFIRMED
        conversation.status = ConversationStatus.DONE
        turn.audit(
            "charter.confirmed", program_id=context.program.id, subject=f"pair:{context.pair.id}"
        )
        # The kickoff ends here, with the session length agreed: the first session is next,
        # planned once or as a regular slot. Both buttons on this one message: scripts and
        # tests count the charter's messages.
        await turn.say(
            "charter.confirmed",
            choices=await _next_steps(turn, context.pair),
            charter=charter,
            partner=context.partner_name,
        )
        if context.partner is not None and context.partner.id is not None:
            assert context.pair.id is not None
            other = await turn.uow.open_conversation(context.partner.id, FLOW, context.pair.id)
            if other is not None:
                other.status = ConversationStatus.DONE
            await turn.notify(
                context.partner,
                "charter.confirmed",
                key=f"charter_confirmed:{charter.id}:{context.partner.id}",
                purpose="charter_confirmed",
                choices=await _next_steps(turn, context.pair, context.partner),
                charter=charter,
                partner=context.me.display_name,
            )


async def _next_steps(turn: Turn, pair: Pair, reader: Person | None = None) -> tuple[Choice, ...]:
    """The buttons under the confirmed charter, labelled in ``reader``'s language."""
    return (
        await plan_next_button(turn, pair, reader),
        await regular_button(turn, pair, reader),
    )


runner.register(CharterFlow())
