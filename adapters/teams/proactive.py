"""Messages the bot writes first in Teams: into a stored conversation, or a new personal one.

A conversation reference (stored with each person at every activity, and with the owners'
channel) is continued with ``continue_conversation``; someone who never talked to the bot gets
a personal conversation created for them (``create_conversation`` with their tenant and the
service URL), which Teams gives the same id each time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.teams.activities import CHANNEL_ID
from adapters.teams.directory import TenantDirectory
from adapters.teams.sending import with_retries, without_hidden_retries
from bot.messages import Message


class Proactive:
    def __init__(
        self,
        adapter: CloudAdapter,
        directory: TenantDirectory,
        app_id: str,
        render: Callable[[Message], Activity],
    ) -> None:
        self.adapter = adapter
        self.directory = directory
        self.app_id = app_id
        self.render = render

    # ``attempts``: 1 for the outbox, whose deliverer retries with its own backoff (and slows
    # the whole platform down after a 429); more for an answer within a turn, which has no
    # outbox row to come back to.
    async def to_person(
        self,
        tenant: str,
        user_id: str,
        reference: dict[str, Any] | None,
        message: Message,
        *,
        attempts: int,
    ) -> str:
        """Writes to someone privately, in their personal chat with the bot."""
        known = reference or self.directory.created(tenant, user_id)
        if known:
            return await self.continue_with(known, message, attempts=attempts)
        return await self.open_and_send(tenant, user_id, message, attempts=attempts)

    async def continue_with(
        self, reference: dict[str, Any], message: Message, *, attempts: int
    ) -> str:
        """Writes into the conversation of a stored reference (``continue_conversation``)."""

        async def send(context: TurnContext) -> str:
            return await self._send(context, message)

        return await self._proactive(
            lambda callback: self.adapter.continue_conversation(
                _reference(reference), callback, self.app_id or None
            ),
            send,
            "continue_conversation",
            attempts,
        )

    async def _send(self, context: TurnContext, message: Message) -> str:
        without_hidden_retries(context)
        response = await context.send_activity(self.render(message))
        return response.id if response is not None and response.id else ""

    async def _proactive(
        self,
        start: Callable[[Callable[[TurnContext], Awaitable[None]]], Awaitable[Any]],
        send: Callable[[TurnContext], Awaitable[str]],
        what: str,
        attempts: int,
    ) -> str:
        """Runs a proactive turn, with retries; the SDK's turn-error handler would swallow a
        failed send, so the callback keeps the error and it is raised here instead."""
        outcome: dict[str, Any] = {}

        async def callback(context: TurnContext) -> None:
            try:
                outcome["id"] = await send(context)
            except Exception as error:
                outcome["error"] = error

        async def attempt() -> str:
            outcome.clear()
            await start(callback)
            if "error" in outcome:
                raise outcome["error"]
            return str(outcome.get("id", ""))

        return await with_retries(attempt, attempts=attempts, what=what)

    async def open_and_send(
        self, tenant: str, user_id: str, message: Message, *, attempts: int
    ) -> str:
        """Creates the personal conversation of someone who never wrote to the bot, then writes."""
        directory = self.directory
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=directory.bot_id),
            members=[ChannelAccount(id=user_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )

        async def send(context: TurnContext) -> str:
            reference = TurnContext.get_conversation_reference(context.activity)
            directory.remember_created(
                tenant,
                user_id,
                {
                    "channelId": CHANNEL_ID,
                    "serviceUrl": reference.service_url,
                    "conversation": {"id": reference.conversation.id, "tenantId": tenant},
                    "bot": {"id": directory.bot_id},
                    "user": {"id": user_id},
                },
            )
            return await self._send(context, message)

        return await self._proactive(
            lambda callback: self.adapter.create_conversation(
                self.app_id or None,
                callback,
                parameters,
                channel_id=CHANNEL_ID,
                service_url=directory.service_url(tenant),
            ),
            send,
            "create_conversation",
            attempts,
        )


def _reference(stored: dict[str, Any]) -> ConversationReference:
    conversation = stored.get("conversation") or {}
    bot = stored.get("bot") or {}
    user = stored.get("user") or {}
    return ConversationReference(
        channel_id=stored.get("channelId") or CHANNEL_ID,
        service_url=stored.get("serviceUrl"),
        conversation=ConversationAccount(
            id=conversation.get("id"),
            conversation_type=conversation.get("conversationType"),
            is_group=conversation.get("isGroup"),
            tenant_id=conversation.get("tenantId"),
        ),
        bot=ChannelAccount(id=bot.get("id"), name=bot.get("name")),
        user=ChannelAccount(id=user.get("id"), name=user.get("name")),
    )
