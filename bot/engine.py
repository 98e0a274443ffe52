"""The conversation engine: one inbound event in, the replies to its sender out.

Each turn runs in one transaction: what changed and every message for someone else (the outbox)
are written together, or not at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import Clock
from bot.commands import grammar
from bot.commands.grammar import Command
from bot.conversations.runner import answer_open_conversation
from bot.errors import UserError
from bot.events import EventKind, InboundEvent, Sender
from bot.i18n import Renderer
from bot.messages import Message
from bot.people import resolve_sender
from bot.ports import UnitOfWorkFactory
from bot.prompts import CHOICE, FORM, STALE, accept
from bot.routes import (
    CHOICE_HANDLERS,
    COMMAND_HANDLERS,
    FORM_CANCEL_HANDLERS,
    FORM_FIELD_CHECKS,
    FORM_HANDLERS,
)
from bot.text import cleaned_event, shortened
from bot.turn import EngineConfig, Turn
from bot.workspace_lost import workspace_lost

logger = logging.getLogger("tandem.engine")

CommandHandler = Callable[[Turn, Command], Awaitable[None]]


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

    async def handle(self, event: InboundEvent) -> list[Message]:
        started = time.perf_counter()
        label = event.kind.value
        outcome = "ok"
        replies: list[Message] = []
        person_id: int | None = None
        try:
            async with self.uow_factory() as uow:
                person = await resolve_sender(uow, event.sender, self.clock.now())
                await uow.commit()
                person_id = person.id
                # The one place where what people typed enters the engine (see bot.text).
                event = cleaned_event(event)
                if event.delivery_id and not await uow.mark_delivery_processed(
                    event.delivery_id, self.clock.now()
                ):
                    outcome = "duplicate"
                    return []
                turn = Turn(uow, self.clock, self.renderer, self.config, event, person)
                label = await self._dispatch(turn)
                await uow.commit()
                replies = turn.replies
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
            value = await self._answer(turn, CHOICE, event.value)
            prefix, _, rest = value.partition(":")
            choice_handler = CHOICE_HANDLERS.get(prefix)
            if choice_handler is None:
                raise UserError(STALE)
            await choice_handler(turn, rest)
            return f"choice {prefix}"
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
        if text.startswith("/") or grammar.looks_like_command(text) or grammar.is_lone_query(text):
            return await self._run_command(turn, text)
        if await answer_open_conversation(turn, text):
            return "conversation answer"
        first_word = text.split(maxsplit=1)[0] if text else ""
        if grammar.is_verb(first_word):
            return await self._run_command(turn, text)
        raise UserError("errors.not_understood")
