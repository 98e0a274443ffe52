"""The conversation engine: one inbound event in, the replies to its sender out.

Each turn runs in one transaction: what changed and every message for someone else (the outbox)
are written together, or not at all.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import Clock
from bot.commands import grammar
from bot.commands.grammar import Command
from bot.conversations import runner
from bot.conversations.runner import answer_open_conversation
from bot.errors import UserError
from bot.events import EventKind, InboundEvent, Sender
from bot.follow_ups import FollowUps
from bot.i18n import Renderer
from bot.inbox import RUNNING, InboxRunner, SenderRequests
from bot.leaving.departure import person_left, person_returned
from bot.messages import Message
from bot.people import resolve_sender
from bot.ports import UnitOfWorkFactory
from bot.prompts import CHOICE, FORM, STALE, accept, expired_error, split
from bot.questions import offered, release_held, waiting_for
from bot.roster.directory import DirectoryPort
from bot.routes import (
    CHOICE_HANDLERS,
    COMMAND_HANDLERS,
    FOLLOW_UP_HANDLERS,
    FORM_CANCEL_HANDLERS,
    FORM_FIELD_CHECKS,
    FORM_HANDLERS,
    STALE_EXPLAINERS,
)
from bot.text import cleaned_event, shortened
from bot.turn import EngineConfig, Turn
from bot.workspace_lost import workspace_lost

logger = logging.getLogger("tandem.engine")

CommandHandler = Callable[[Turn, Command], Awaitable[None]]
# A bare number typed: it answers the most recent question shown (bot.questions).
BARE_NUMBER = re.compile(r"[0-9]{1,4}")


class Engine:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        renderer: Renderer,
        config: EngineConfig,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.renderer = renderer
        self.config = config
        # Turns that crashed (not refusals): the console's script mode exits non-zero on them.
        self.failures = 0
        # The durable inbox the platform adapters run turns from (none in the console).
        self.inbox: InboxRunner | None = None
        # What carries out the work turns defer (bot.follow_ups), run by the deliverer.
        self.follow_ups = FollowUps(clock, renderer, config, FOLLOW_UP_HANDLERS)
        # Told when a turn deferred work, once it committed (wakes the deliverer).
        self.on_deferred: Callable[[], None] | None = None
        # Each platform's directory (who an e-mail is), set by whoever wires the adapters.
        self.directories: dict[str, DirectoryPort] = {}

    async def handle(self, event: InboundEvent) -> list[Message]:
        started = time.perf_counter()
        label = event.kind.value
        outcome = "ok"
        replies: list[Message] = []
        person_id: int | None = None
        try:
            async with self.uow_factory() as uow:
                person = await resolve_sender(uow, event.sender, self.clock.now())
                if uow.has_changes():
                    # A newcomer, or a new name or address, is kept even if the turn fails.
                    await uow.commit()
                person_id = person.id
                # The one place where what people typed enters the engine (see bot.text).
                event = cleaned_event(event)
                turn = Turn(uow, self.clock, self.renderer, self.config, event, person)
                turn.directories = self.directories
                running = RUNNING.get()
                if self.inbox is not None and running is not None:
                    turn.requests = SenderRequests(self.inbox, running)
                await self._before_turn(turn)
                if event.delivery_id and not await uow.mark_delivery_processed(
                    event.delivery_id, self.clock.now()
                ):
                    outcome = "duplicate"
                    return []
                label = await self._dispatch(turn)
                await uow.commit()
                replies = turn.replies
                if turn.deferred and self.on_deferred is not None:
                    self.on_deferred()
                await self._after_commit(turn)
        except UserError as error:
            outcome = f"refused:{error.message_id}"
            replies = await self._error_reply(person_id, error.message_id, error.variables)
        except Exception:
            outcome = "error"
            self.failures += 1
            # The traceback is logged without the exception's message (bot.logs): what people
            # typed never reaches the log, even inside a database error.
            logger.exception("event failed", extra={"event_kind": event.kind.value})
            replies = await self._error_reply(person_id, "errors.internal", {})
        finally:
            logger.info(
                "event handled",
                extra={
                    "event_kind": event.kind.value,
                    "handler": label,
                    "platform": event.sender.platform,
                    "outcome": outcome,
                    "replies": len(replies),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return replies

    async def remember(self, sender: Sender) -> None:
        """Records a person and how to reach them, with nothing to answer (an app installed,
        someone added to a conversation): proactive messages can then find them."""
        async with self.uow_factory() as uow:
            await resolve_sender(uow, sender, self.clock.now())
            await uow.commit()

    async def workspace_lost(
        self,
        platform: str,
        workspace: str,
        still_reached: Callable[[str, dict[str, Any] | None], Awaitable[bool]],
    ) -> int:
        """A workspace the bot can no longer speak in: see bot.workspace_lost."""
        return await workspace_lost(
            self.uow_factory,
            self.clock,
            self.renderer,
            self.config,
            platform,
            workspace,
            still_reached,
        )

    async def person_left(self, sender: Sender, why: str) -> bool:
        """Someone left the company or removed Tandem: see bot.leaving.departure."""
        return await person_left(
            self.uow_factory, self.clock, self.renderer, self.config, sender, why
        )

    async def person_returned(self, sender: Sender) -> bool:
        """Someone who had left is back: see bot.leaving.departure."""
        return await person_returned(
            self.uow_factory, self.clock, self.renderer, self.config, sender
        )

    async def _after_commit(self, turn: Turn) -> None:
        for action in turn.after_commit:
            try:
                await action()
            except Exception:
                # The turn is done and answered; what failed here is logged, not undone.
                logger.exception("after-commit action failed")

    async def _before_turn(self, turn: Turn) -> None:
        """What the person's speaking changes even when the turn is then refused, committed
        on its own: questions held for their working hours go out now (they are at work), and
        a destructive confirmation ends when they do anything but answer it. Most turns find
        nothing to change here and write nothing."""
        turn.unseen = await release_held(turn)
        changed = bool(turn.unseen)
        event = turn.event
        if event.kind is EventKind.MESSAGE and BARE_NUMBER.fullmatch(event.text.strip()):
            # A number may answer the confirmation: the turn decides (``_answer_number``). When
            # the latest question is a confirmation that ran out, the number was meant for it:
            # the answer says so, once (the dead prompt goes, so the next number answers the
            # question before it).
            shown = [q for q in await waiting_for(turn) if not q.held]
            if shown and shown[-1].expired and shown[-1].prompt is not None:
                await turn.uow.take_prompt(shown[-1].prompt.token)
                turn.lapsed = shown[-1].kind
                changed = True
        else:
            # One statement, whatever the person's history of buttons.
            keep = split(event.value)[0] if event.kind is EventKind.CHOICE else ""
            if await turn.uow.expire_prompts(turn.person_id, turn.now, keep=keep):
                changed = True
        if changed:
            await turn.uow.commit()

    async def _error_reply(
        self, person_id: int | None, message_id: str, variables: dict[str, object]
    ) -> list[Message]:
        # A fresh transaction: the failed one was rolled back with everything it had loaded.
        locale = self.config.default_locale
        if person_id is not None:
            async with self.uow_factory() as uow:
                person = await uow.person(person_id)
                if person is not None and person.locale:
                    locale = person.locale
                elif person is not None:
                    enrollments = await uow.enrollments_of_person(person_id)
                    program = await uow.program(enrollments[0].program_id) if enrollments else None
                    locale = program.locale if program else locale
        # What was typed is echoed to say what is wrong, never at full length.
        shown = {name: shortened(value) for name, value in variables.items()}
        return [Message(text=self.renderer.render(locale, message_id, **shown), refused=True)]

    async def _dispatch(self, turn: Turn) -> str:
        event = turn.event
        if event.kind is EventKind.COMMAND:
            return await self._run_command(turn, event.text)
        if event.kind is EventKind.MESSAGE:
            return await self._free_message(turn)
        # Buttons and forms answer a prompt the bot showed this person (bot.prompts): checked
        # and taken before any handler runs, so a forged or stale one changes nothing.
        if event.kind is EventKind.CHOICE:
            return await self._run_choice(turn, event.value)
        if event.kind is EventKind.FORM and event.checking:
            form_id = await self._answer(turn, FORM, event.form_id)
            # A check answers nothing yet: the form stays answerable for the rest of its fields.
            assert turn.answering is not None
            await turn.uow.add_prompts([turn.answering])
            field_check = FORM_FIELD_CHECKS.get(form_id)
            if field_check is None:
                raise UserError(STALE)
            await field_check(turn, event.values)
            return f"form_check {form_id}"
        if event.kind is EventKind.FORM:
            form_id = await self._answer(turn, FORM, event.form_id)
            form_handler = FORM_HANDLERS.get(form_id)
            if form_handler is None:
                raise UserError(STALE)
            await form_handler(turn, event.values)
            return f"form {form_id}"
        form_id = await self._answer(turn, FORM, event.form_id)
        cancel_handler = FORM_CANCEL_HANDLERS.get(form_id)
        if cancel_handler is not None:
            await cancel_handler(turn)
        return f"form_cancelled {form_id}"

    async def _run_choice(self, turn: Turn, answered: str) -> str:
        try:
            value = await self._answer(turn, CHOICE, answered)
        except UserError as refused:
            prefix, _, rest = split(answered)[1].partition(":")
            explainer = STALE_EXPLAINERS.get(prefix)
            if refused.message_id == STALE and explainer is not None:
                await explainer(turn, rest)
            raise
        prefix, _, rest = value.partition(":")
        choice_handler = CHOICE_HANDLERS.get(prefix)
        if choice_handler is None:
            raise UserError(STALE)
        await choice_handler(turn, rest)
        return f"choice {prefix}"

    async def _answer_number(self, turn: Turn, text: str) -> str | None:
        """A bare number answers the most recent question shown to the person, as its n-th
        button or as the typed answer of a conversation; None when no question waits."""
        if turn.lapsed:
            raise expired_error(turn.lapsed)
        waiting = await waiting_for(turn)
        shown = [question for question in waiting if not question.held]
        if not shown:
            if turn.unseen:
                raise UserError("errors.question_held")
            return None
        latest = shown[-1]
        if latest.prompt is None:
            assert latest.conversation is not None
            await runner.answer_number(turn, latest.conversation, text)
            await turn.uow.expire_prompts(turn.person_id, turn.now)
            return f"number {latest.kind}"
        value = offered(latest.prompt, int(text))
        if value is None:
            raise UserError(
                "errors.number_out_of_range",
                value=text,
                kind=latest.kind,
                count=len(latest.choices),
                others=[q.kind for q in shown[:-1] if not (q.expired or q.settled)],
            )
        await turn.uow.expire_prompts(turn.person_id, turn.now, keep=latest.prompt.token)
        await self._run_choice(turn, value)
        return f"number {latest.kind}"

    async def _answer(self, turn: Turn, kind: str, answered: str) -> str:
        turn.answering, value = await accept(turn.uow, turn.person_id, kind, answered, turn.now)
        return value

    async def _run_command(self, turn: Turn, text: str) -> str:
        command = grammar.parse(text)
        handler = COMMAND_HANDLERS[(command.root, command.verb)]
        await handler(turn, command)
        return command.name

    async def _free_message(self, turn: Turn) -> str:
        text = turn.event.text.strip()
        if BARE_NUMBER.fullmatch(text):
            answered = await self._answer_number(turn, text)
            if answered is not None:
                return answered
        if text.startswith("/") or grammar.looks_like_command(text) or grammar.is_lone_query(text):
            return await self._run_command(turn, text)
        if await answer_open_conversation(turn, text):
            return "conversation answer"
        first_word = text.split(maxsplit=1)[0] if text else ""
        if grammar.is_verb(first_word):
            return await self._run_command(turn, text)
        raise UserError("errors.not_understood")
