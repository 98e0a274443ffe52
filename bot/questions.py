"""The questions waiting for a person's answer, and which one a bare number answers.

A person may have several questions open at once: a check-in, a feedback request, a charter
question, an invitation, a confirmation. Each is either an open conversation (its current step)
or a prompt (buttons, ``bot.prompts``). Typing "1" answers the most recent question shown to
them, never an older one that happens to accept numbers too; the others stay open and are
answered next, by clicking their buttons or once they are the most recent.

A question still held in the outbox for the person's working hours has not been shown: it is
not answerable by a number yet. When the person speaks, they are clearly at work, so their held
questions are released at once (``release_held``) and arrive right after the turn's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.commands.plan_next import CHOICE_PREFIX as PLAN_NEXT
from bot.commands.plan_next import still_open as plan_next_still_open
from bot.commands.regular_offers import PICK_PREFIX as REGULAR_PICK
from bot.commands.regular_offers import still_open as regular_pick_still_open
from bot.conversations.runner import CHOICE_PREFIX as CONVERSATION
from bot.domain import Conversation, InvitationStatus, OutboxMessage
from bot.prompts import SEPARATOR, Prompt, choice_values, expired, kind_of, split
from bot.quiz.answer import quiz_question_open
from bot.turn import Turn, Unseen


@dataclass(frozen=True)
class Waiting:
    kind: str  # a conversation's flow, or what a prompt's buttons are about
    shown_at: datetime
    conversation: Conversation | None = None
    prompt: Prompt | None = None
    expired: bool = False
    held: bool = False
    # Answered another way already (a planned session the partner answered): a number still
    # reaches it, to be told so, but it is not listed as waiting.
    settled: bool = False

    @property
    def choices(self) -> list[str]:
        return choice_values(self.prompt) if self.prompt is not None else []


def _is_question(message: OutboxMessage) -> bool:
    return bool(message.payload.get("choices")) or message.key.startswith("ask:")


def _unseen_of(messages: Sequence[OutboxMessage]) -> Unseen:
    tokens: set[str] = set()
    conversations: set[int] = set()
    for message in messages:
        if message.key.startswith("ask:"):
            conversation_id = message.key.split(":")[1]
            if conversation_id.isdigit():
                conversations.add(int(conversation_id))
        for choice in message.payload.get("choices") or ():
            token, value = split(str(choice.get("value", "")))
            tokens.add(token)
            prefix, _, rest = value.partition(":")
            conversation_id = rest.partition(":")[0]
            if prefix == CONVERSATION and conversation_id.isdigit():
                conversations.add(int(conversation_id))
    return Unseen(frozenset(tokens), frozenset(conversations))


async def release_held(turn: Turn) -> Unseen:
    """Send now the questions held for the speaker's working hours; returns what they were."""
    held = [m for m in await turn.uow.held_outbox(turn.person_id, turn.now) if _is_question(m)]
    for message in held:
        message.not_before = turn.now
    return _unseen_of(held)


async def _still_open(turn: Turn, prompt: Prompt) -> bool:
    """Whether the subject of a prompt still waits for this answer: an invitation accepted by
    a typed command, a feedback request already rated or a continuation already chosen leave
    no question behind. (A planned session answered by the partner stays: its handler tells
    what the partner answered, and ``status`` leaves it out, see ``settled``.)"""
    kind = kind_of(prompt)
    subject = next(iter(choice_values(prompt)), "").split(":")[1:2]
    if not subject or not subject[0].isdigit():
        return True
    if kind == "invite":
        invitation = await turn.uow.invitation(int(subject[0]))
        return invitation is not None and invitation.status == InvitationStatus.PENDING
    if kind == "feedback":
        request = await turn.uow.feedback_request(int(subject[0]))
        return request is not None and request.answered_at is None
    if kind == "reciprocal":
        return turn.person_id not in await turn.uow.continuations_of(int(subject[0]))
    if kind == "quiz":
        return await quiz_question_open(turn, next(iter(choice_values(prompt))))
    if kind == PLAN_NEXT:
        # Only while the pair is still together and has nothing planned: an old "Plan the
        # next session" button must not catch a number typed for something else.
        return await plan_next_still_open(turn, int(subject[0]))
    if kind == REGULAR_PICK:
        # Regular slots proposed: moot once the pair has one (set by either) or has ended.
        return await regular_pick_still_open(turn, int(subject[0]))
    return True


async def _settled(turn: Turn, prompt: Prompt) -> bool:
    subject = next(iter(choice_values(prompt)), "").split(":")[1:2]
    if kind_of(prompt) != "planned" or not subject or not subject[0].isdigit():
        return False
    planned = await turn.uow.planned_session(int(subject[0]))
    return planned is None or planned.outcome is not None


async def waiting_for(turn: Turn, unseen: Unseen | None = None) -> list[Waiting]:
    """Every question waiting for the speaker, the most recently shown last."""
    unseen = unseen if unseen is not None else turn.unseen
    waiting = [
        Waiting(
            conversation.flow,
            conversation.updated_at,
            conversation=conversation,
            held=conversation.id in unseen.conversations,
        )
        for conversation in await turn.uow.open_conversations(turn.person_id)
    ]
    # Prompts on the same subject (every "Plan the next session" of a pair) share the answer:
    # asked once, not once a prompt.
    still_open: dict[tuple[str, str], bool] = {}
    for prompt in await turn.uow.prompts_of(turn.person_id):
        kind = kind_of(prompt)
        # A conversation's buttons are its current step, listed above; a form is not a number.
        if kind in ("", CONVERSATION):
            continue
        subject = (kind, next(iter(choice_values(prompt)), ""))
        if subject not in still_open:
            still_open[subject] = await _still_open(turn, prompt)
        if not still_open[subject]:
            continue
        waiting.append(
            Waiting(
                kind,
                prompt.created_at,
                prompt=prompt,
                expired=expired(prompt, turn.now),
                held=prompt.token in unseen.tokens,
                settled=await _settled(turn, prompt),
            )
        )
    # At the same moment, buttons count as shown after a conversation's question, and a
    # conversation opened later after one opened earlier.
    return sorted(waiting, key=_shown_order)


def _shown_order(question: Waiting) -> tuple[datetime, bool, int]:
    conversation_id = question.conversation.id if question.conversation is not None else None
    return question.shown_at, question.prompt is not None, conversation_id or 0


def offered(prompt: Prompt, number: int) -> str | None:
    """The value of the ``number``-th button (from 1), as a click would send it."""
    values = choice_values(prompt)
    if not 1 <= number <= len(values):
        return None
    return f"{prompt.token}{SEPARATOR}{values[number - 1]}"
