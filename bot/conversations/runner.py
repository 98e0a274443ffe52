"""Runs multi-step conversations: asks the current step, takes the answer, moves on.

The state lives in the ``conversation`` table (current step and answers so far), so a restart
between two answers resumes exactly where the person was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain import Conversation, ConversationStatus, Person
from bot.errors import UserError
from bot.turn import Turn

CHOICE_PREFIX = "conv"


@dataclass(frozen=True)
class Answer:
    text: str
    from_choice: bool = False


@dataclass(frozen=True)
class Question:
    message_id: str
    variables: dict[str, Any] = field(default_factory=dict)
    # (label message id, value, label variables)
    choices: tuple[tuple[str, str, dict[str, Any]], ...] = ()


class Step(Protocol):
    @property
    def name(self) -> str: ...

    def question(self, context: Any) -> Question: ...

    def accept(self, context: Any, answer: Answer) -> Any:
        """The value to keep for this step; raises UserError when the answer is not usable."""
        ...


class Flow(Protocol):
    name: str

    async def load(self, turn: Turn, conversation: Conversation) -> Any:
        """What the steps need (program, role, pair…), or None when the subject is gone."""
        ...

    def steps(self, context: Any) -> list[Step]: ...

    async def finish(self, turn: Turn, conversation: Conversation, context: Any) -> None: ...


FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


async def start(
    turn: Turn, flow_name: str, subject_id: int, person: Person, *, restart: bool = False
) -> Conversation:
    """Open (or resume) a conversation and ask its current question."""
    assert person.id is not None
    flow = FLOWS[flow_name]
    conversation = await turn.uow.open_conversation(person.id, flow_name, subject_id)
    if conversation is not None and restart:
        conversation.status = ConversationStatus.CANCELLED
        conversation = None
    if conversation is None:
        conversation = Conversation(
            person_id=person.id,
            flow=flow_name,
            subject_id=subject_id,
            step="",
            updated_at=turn.now,
        )
        context = await flow.load(turn, conversation)
        conversation.step = flow.steps(context)[0].name
        turn.uow.add(conversation)
        await turn.uow.flush()
    else:
        conversation.updated_at = turn.now
        context = await flow.load(turn, conversation)
    await ask(turn, conversation, context, person)
    return conversation


async def ask(turn: Turn, conversation: Conversation, context: Any, person: Person) -> None:
    """Ask the current step: as a reply to the speaker, or through the outbox to anyone else."""
    flow = FLOWS[conversation.flow]
    step = _step(flow, context, conversation.step)
    question = step.question(context)
    value_prefix = f"{CHOICE_PREFIX}:{conversation.id}:{conversation.step}"
    choices = tuple(
        [
            await turn.choice(label_id, f"{value_prefix}:{value}", person, **variables)
            for label_id, value, variables in question.choices
        ]
    )
    if person.id == turn.person.id:
        await turn.say(question.message_id, choices=choices, **question.variables)
    else:
        await turn.notify(
            person,
            question.message_id,
            key=f"ask:{conversation.id}:{conversation.step}:{turn.now.isoformat()}",
            purpose=f"{conversation.flow}_question",
            choices=choices,
            **question.variables,
        )


async def receive(turn: Turn, conversation: Conversation, answer: Answer) -> None:
    flow = FLOWS[conversation.flow]
    context = await flow.load(turn, conversation)
    if context is None:
        conversation.status = ConversationStatus.CANCELLED
        raise UserError("errors.conversation_gone")
    steps = flow.steps(context)
    step = _step(flow, context, conversation.step)
    value = step.accept(context, answer)
    conversation.answers = {**conversation.answers, step.name: value}
    conversation.updated_at = turn.now
    names = [s.name for s in steps]
    position = names.index(step.name)
    following = steps[position + 1] if position + 1 < len(steps) else None
    if following is not None and not getattr(following, "closing", False):
        conversation.step = following.name
        await ask(turn, conversation, context, turn.person)
    else:
        # The flow decides what a finished part means (save, wait for the partner, confirm).
        await flow.finish(turn, conversation, context)


async def answer_number(turn: Turn, conversation: Conversation, number: str) -> None:
    """A number typed at a question with buttons picks the button of that rank, as a click
    would; at any other question it is the answer typed."""
    flow = FLOWS[conversation.flow]
    context = await flow.load(turn, conversation)
    if context is not None:
        choices = _step(flow, context, conversation.step).question(context).choices
        if 1 <= int(number) <= len(choices):
            _, value, _ = choices[int(number) - 1]
            await receive(turn, conversation, Answer(text=value, from_choice=True))
            return
    await receive(turn, conversation, Answer(text=number))


async def answer_open_conversation(turn: Turn, text: str) -> bool:
    """Give free text to the person's most recent open conversation; False when there is none.

    A conversation whose question is still held for the person's working hours was not shown
    to them: it is skipped, and refused with an explanation when it is the only one (the
    question goes out right after this turn, ``bot.questions``)."""
    for conversation in await turn.uow.open_conversations(turn.person_id):
        if conversation.id in turn.unseen.conversations:
            continue
        await receive(turn, conversation, Answer(text=text))
        return True
    if turn.unseen.conversations:
        raise UserError("errors.question_held")
    return False


async def on_choice(turn: Turn, rest: str) -> None:
    """A button of a conversation: ``<conversation id>:<step>:<value>``."""
    conversation_id, _, tail = rest.partition(":")
    step_name, _, value = tail.partition(":")
    conversation = (
        await turn.uow.conversation(int(conversation_id)) if conversation_id.isdigit() else None
    )
    if (
        conversation is None
        or conversation.person_id != turn.person_id
        or conversation.status != ConversationStatus.OPEN
        or conversation.step != step_name
    ):
        raise UserError("errors.stale_choice")
    await receive(turn, conversation, Answer(text=value, from_choice=True))


def _step(flow: Flow, context: Any, name: str) -> Step:
    for step in flow.steps(context):
        if step.name == name:
            return step
    raise UserError("errors.conversation_gone")
