"""How the engine's replies reach a Slack user: modals, direct messages, charts."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.blocks import SlackMessage, message_blocks, slack_messages
from adapters.slack.files import upload_attachment, upload_chart
from adapters.slack.identity import UserDirectory
from adapters.slack.views import form_view, home_actions
from adapters.slack.workspaces import WorkspaceClients, client_of, team_of
from bot.events import Sender
from bot.i18n import Renderer
from bot.messages import Choice, Message

logger = logging.getLogger("tandem.slack")


class SlackReplies:
    def __init__(self, clients: WorkspaceClients, users: UserDirectory, renderer: Renderer) -> None:
        self.clients = clients
        self.users = users
        self.renderer = renderer

    def text(self, sender: Sender, message_id: str, **variables: Any) -> str:
        locale = self.renderer.locale_for(sender.locale)
        return self.renderer.render(locale, message_id, **variables)

    def form_view(self, sender: Sender, reply: Message) -> dict[str, Any]:
        assert reply.form is not None
        close = self.text(sender, "slack.form_close")
        return form_view(reply.form, reply.text, close, {})

    async def deliver(
        self,
        sender: Sender,
        replies: list[Message],
        *,
        trigger_id: str | None = None,
        reopen: str | None = None,
    ) -> None:
        """Forms open as a modal (the trigger id is good once, for 3 s); the rest goes by DM,
        with the token of the sender's workspace."""
        if not replies:
            return
        client = await client_of(self.clients, sender)
        for reply in replies:
            if reply.form is not None and trigger_id:
                opening, trigger_id = trigger_id, None
                try:
                    await client.views_open(trigger_id=opening, view=self.form_view(sender, reply))
                    continue
                except SlackApiError as error:
                    # Typically expired_trigger_id: the DM then offers a button to open it.
                    logger.warning("views.open failed", extra={"error": _code(error)})
            parts = slack_messages(reply)
            if reply.form is not None and reopen:
                opener = Choice(value=reopen, label=reply.form.title)
                text = reply.text or reply.form.title
                blocks = [*message_blocks(Message(text)), *home_actions([opener])]
                parts = [SlackMessage(text, blocks)]
            if not parts:
                logger.warning("empty reply not sent")
                continue
            channel = await self.users.dm_channel(
                sender.workspace, sender.user_id, team_of(sender.address)
            )
            for part in parts:
                await client.chat_postMessage(channel=channel, text=part.text, blocks=part.blocks)
            if reply.chart is not None:
                await upload_chart(client, channel, reply.chart)
            if reply.attachment is not None:
                await upload_attachment(client, channel, reply.attachment)


def _code(error: SlackApiError) -> str:
    data = error.response.data
    return str(data.get("error", "")) if isinstance(data, dict) else ""
