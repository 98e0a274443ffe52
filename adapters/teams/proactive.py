"""Messages the bot writes first in Teams: into a stored conversation, or a new personal one.

A conversation reference (stored with each person at every activity, and with the owners'
channel) is continued with ``continue_conversation``; someone who never talked to the bot gets
a personal conversation created for them (``create_conversation`` with their tenant and the
service URL), which Teams gives the same id each time.

Both go out with SendToConversation, the Connector API's call for a message that answers
nothing (the SDK would reply to the id it invents for its continuation event), and name the
tenant ``tenantId`` as the Connector API defines it (the SDK's models write ``tenantID``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

from adapters.graph.installation import InstallationRefused, TeamsAppInstaller
from adapters.teams.activities import CHANNEL_ID
from adapters.teams.directory import TenantDirectory
from adapters.teams.sending import installation_error, with_retries
from bot.messages import Message

# An Azure AD object id (a roster's newcomer, from Microsoft Graph), not a Teams id ("29:…").
_OBJECT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def is_object_id(user_id: str) -> bool:
    return _OBJECT_ID.fullmatch(user_id) is not None


class TenantConversation(ConversationAccount):
    """A conversation whose tenant is sent as the Connector API's ``tenantId``."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        **ConversationAccount._attribute_map,
        "tenant_id": {"key": "tenantId", "type": "str"},
    }


class TenantConversationParameters(ConversationParameters):
    """Conversation creation parameters with the tenant as the Connector API's ``tenantId``."""

    _attribute_map: ClassVar[dict[str, dict[str, str]]] = {
        **ConversationParameters._attribute_map,
        "tenant_id": {"key": "tenantId", "type": "str"},
    }


def _with_tenant_id(conversation: ConversationAccount | None) -> ConversationAccount | None:
    if conversation is None or isinstance(conversation, TenantConversation):
        return conversation
    return TenantConversation(
        id=conversation.id,
        conversation_type=conversation.conversation_type,
        is_group=conversation.is_group,
        name=conversation.name,
        tenant_id=conversation.tenant_id,
    )


class Proactive:
    def __init__(
        self,
        adapter: CloudAdapter,
        directory: TenantDirectory,
        app_id: str,
        render: Callable[[Message], list[Activity]],
    ) -> None:
        self.adapter = adapter
        self.directory = directory
        self.app_id = app_id
        self.render = render
        # With Microsoft Graph: Tandem installs itself for a roster's newcomers (known by
        # their Azure AD object id) and writes into the chat that creates.
        self.installer: TeamsAppInstaller | None = None

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
        installer = self.installer
        if installer is not None and installer.tenant_id == tenant and is_object_id(user_id):
            chat = await self._installed_chat(installer, tenant, user_id)
            return await self.continue_with(chat, message, attempts=attempts)
        return await self.open_and_send(tenant, user_id, message, attempts=attempts)

    async def _installed_chat(
        self, installer: TeamsAppInstaller, tenant: str, user_id: str
    ) -> dict[str, Any]:
        """The reference of the person's chat with the bot, Tandem installed for them first."""
        try:
            chat_id = await installer.personal_chat(user_id)
        except InstallationRefused as refused:
            raise installation_error(refused) from refused
        reference = {
            "channelId": CHANNEL_ID,
            "serviceUrl": self.directory.service_url(tenant),
            "conversation": {"id": chat_id, "tenantId": tenant, "conversationType": "personal"},
            "bot": {"id": self.directory.bot_id},
            "user": {"id": user_id},
        }
        self.directory.remember_created(tenant, user_id, reference)
        return reference

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
        # The event that starts a proactive turn has an id of the SDK's invention: a message
        # "in reply" to it would go through ReplyToActivity. Without it, SendToConversation.
        context.activity.id = None
        context.activity.conversation = _with_tenant_id(context.activity.conversation)
        # A message with a file (an invitation) may take more than one activity: the first
        # one's id stands for the message.
        first = ""
        for activity in self.render(message):
            response = await context.send_activity(activity)
            if not first and response is not None and response.id:
                first = response.id
        return first

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
        parameters = TenantConversationParameters(
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
        conversation=TenantConversation(
            id=conversation.get("id"),
            conversation_type=conversation.get("conversationType"),
            is_group=conversation.get("isGroup"),
            tenant_id=conversation.get("tenantId"),
        ),
        bot=ChannelAccount(id=bot.get("id"), name=bot.get("name")),
        user=ChannelAccount(id=user.get("id"), name=user.get("name")),
    )
