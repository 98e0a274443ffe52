"""Teams' side of the outbox: nudges, reminders and digests written first by the bot.

Each person's conversation reference (stored with them at every activity) is continued with
``continue_conversation``; someone who never talked to the bot gets a personal conversation
created for them (``create_conversation`` with their tenant and the service URL). Digests go to
the channel whose reference an owner stored with ``tandem digest channel here``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.teams.activities import CHANNEL_ID, PLATFORM
from adapters.teams.app import TeamsApp
from adapters.teams.sending import with_retries, without_hidden_retries
from bot.domain import Person
from bot.messages import Message
from bot.ports import DeliveryError, Pace
from bot.settings import Settings


class TeamsChatPort:
    platform = PLATFORM

    def __init__(self, app: TeamsApp, pace: Pace) -> None:
        self.app = app
        self.pace: Pace | None = pace

    @classmethod
    def from_app(cls, app: TeamsApp, settings: Settings) -> TeamsChatPort:
        pace = Pace(
            per_second=settings.teams_messages_per_second,
            burst=settings.teams_burst,
            per_conversation_per_second=1.0,
        )
        return cls(app, pace)

    async def send_to_person(self, person: Person, message: Message, key: str) -> str:
        reference = (person.address or {}).get("reference") or self.app.directory.created(
            person.workspace, person.user_id
        )
        if reference:
            return await self._continue(reference, message)
        return await self._create_and_send(person, message)

    async def post_to_channel(self, channel: dict[str, Any], message: Message, key: str) -> str:
        reference = channel.get("reference")
        if not reference:
            raise DeliveryError("teams channel without a conversation reference", transient=False)
        return await self._continue(reference, message)

    async def find_sent(
        self, key: str, person: Person | None, channel: dict[str, Any] | None
    ) -> str | None:
        # The Bot Connector lets a bot write to a conversation, not read it back: a send whose
        # outcome a crash lost is sent again (at least once, never lost).
        return None

    async def close(self) -> None:
        return None

    async def _continue(self, reference: dict[str, Any], message: Message) -> str:
        async def send(context: TurnContext) -> str:
            return await self._send(context, message)

        return await self._proactive(
            lambda callback: self.app.adapter.continue_conversation(
                _reference(reference), callback, self.app.app_id or None
            ),
            send,
            "continue_conversation",
        )

    async def _send(self, context: TurnContext, message: Message) -> str:
        without_hidden_retries(context)
        response = await context.send_activity(self.app.bot.activity_for(None, message))
        return response.id if response is not None and response.id else ""

    async def _proactive(
        self,
        start: Callable[[Callable[[TurnContext], Awaitable[None]]], Awaitable[Any]],
        send: Callable[[TurnContext], Awaitable[str]],
        what: str,
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

        return await with_retries(attempt, what=what)

    async def _create_and_send(self, person: Person, message: Message) -> str:
        directory = self.app.directory
        tenant = person.workspace
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=directory.bot_id),
            members=[ChannelAccount(id=person.user_id)],
            tenant_id=tenant,
            channel_data={"tenant": {"id": tenant}},
        )

        async def send(context: TurnContext) -> str:
            reference = TurnContext.get_conversation_reference(context.activity)
            directory.remember_created(
                tenant,
                person.user_id,
                {
                    "channelId": CHANNEL_ID,
                    "serviceUrl": reference.service_url,
                    "conversation": {"id": reference.conversation.id, "tenantId": tenant},
                    "bot": {"id": directory.bot_id},
                    "user": {"id": person.user_id},
                },
            )
            return await self._send(context, message)

        return await self._proactive(
            lambda callback: self.app.adapter.create_conversation(
                self.app.app_id or None,
                callback,
                parameters,
                channel_id=CHANNEL_ID,
                service_url=directory.service_url(tenant),
            ),
            send,
            "create_conversation",
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
