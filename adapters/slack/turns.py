"""Slack's requests once taken from the durable inbox: each payload becomes one
``InboundEvent`` for the engine, and its replies go back as direct messages, modals
(``views.open``), updated prompts (``chat.update``) or the Home tab (``views.publish``).
A modal submission whose listener still waits (adapters/slack/app.py) gets its wrong fields or
its next view as the answer to Slack; otherwise everything goes by direct message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from adapters.slack.blocks import single_message
from adapters.slack.identity import UserDirectory, mentioned_names, plain_mentions, workspace_of
from adapters.slack.oauth import SlackOAuth
from adapters.slack.replies import SlackReplies
from adapters.slack.shared_files import shared_files
from adapters.slack.views import answered_blocks, form_metadata, home_view, submitted_values
from adapters.slack.workspaces import WorkspaceClients, client_of
from bot.engine import Engine
from bot.events import EventKind, InboundEvent, Sender, SharedFile
from bot.inbox import InboxItem
from bot.messages import Choice, Message

logger = logging.getLogger("tandem.slack")

PLATFORM = "slack"
# The buttons under the person's status in the App Home tab: label id, command.
HOME_ACTIONS = (
    ("slack.home_log", "/session log"),
    ("slack.home_sessions", "/session list"),
    ("slack.home_charter", "/tandem charter"),
    ("slack.home_help", "/tandem help"),
)


class SlackTurns:
    def __init__(
        self,
        engine: Engine,
        users: UserDirectory,
        replies: SlackReplies,
        clients: WorkspaceClients,
        oauth: SlackOAuth | None,
        *,
        by_organisation: bool,
        form_answers: dict[str, asyncio.Future[dict[str, Any]]],
    ) -> None:
        self.engine = engine
        self.users = users
        self.replies = replies
        self.clients = clients
        self.oauth = oauth
        self.by_organisation = by_organisation
        # Shared with the listeners: a modal submission waiting for its turn's answer.
        self._form_answers = form_answers

    async def run_item(self, item: InboxItem) -> None:
        body: dict[str, Any] = item.payload["body"]
        part: dict[str, Any] = item.payload.get("part") or {}
        if item.kind == "command":
            await self._run_command(body)
        elif item.kind == "choice":
            await self._run_choice(body, part)
        elif item.kind == "home_action":
            await self._run_home_action(body, part)
        elif item.kind == "form":
            await self._run_submission(body, part, item.key)
        elif item.kind == "form_closed":
            await self._run_closed(body, part)
        elif item.kind == "message":
            await self._run_message(body, part)
        elif item.kind == "home_opened":
            await self._run_home_opened(body, part)
        elif item.kind == "unknown":
            await self._run_unknown(body)
        elif item.kind == "uninstalled":
            await self._run_uninstalled(body, part)
        elif item.kind == "membership":
            await self._run_membership(body, part)
        else:
            logger.warning("unknown slack inbox kind", extra={"kind": item.kind})

    def _where(self, body: dict[str, Any]) -> tuple[str, str]:
        """(Tandem's workspace id, Slack team) of a request."""
        return workspace_of(body, by_organisation=self.by_organisation)

    async def _run_command(self, body: dict[str, Any]) -> None:
        (workspace, team), user = self._where(body), str(body["user_id"])
        typed = f"{body['command']} {body.get('text') or ''}".strip()
        text = plain_mentions(typed)
        sender = await self.users.sender(workspace, user, team=team)
        channel = {"platform": "slack", "workspace": workspace, "channel": body.get("channel_id")}
        if team != workspace:
            channel["team"] = team
        event = InboundEvent(
            EventKind.COMMAND,
            sender,
            text=text,
            channel=channel,
            delivery_id=f"slack:{body['trigger_id']}",
            raw=body,
            mentions=mentioned_names(typed),
        )
        replies = await self.engine.handle(event)
        await self.replies.deliver(sender, replies, trigger_id=body.get("trigger_id"), reopen=text)

    async def _run_choice(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        sender = await self._interaction_sender(body)
        event = InboundEvent(
            EventKind.CHOICE,
            sender,
            value=str(action.get("value", "")),
            delivery_id=f"slack:{body['trigger_id']}",
            raw=body,
        )
        replies = await self.engine.handle(event)
        if not replies:
            return
        if any(reply.refused for reply in replies):
            # Nothing was done: the prompt stays as it was, and the person is told why.
            await self.replies.deliver(sender, replies)
            return
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        replacing = next((reply for reply in replies if reply.replaces_prompt), None)
        if channel and ts:
            client = await client_of(self.clients, sender)
            if replacing is not None:
                update = single_message(replacing)
                await client.chat_update(
                    channel=channel, ts=ts, text=update.text, blocks=update.blocks
                )
            else:
                label = str((action.get("text") or {}).get("text", ""))
                confirmation = self.replies.text(sender, "slack.chosen", label=label)
                original = (body.get("message") or {}).get("blocks") or []
                await client.chat_update(
                    channel=channel,
                    ts=ts,
                    text=confirmation,
                    blocks=answered_blocks(original, confirmation),
                )
        else:
            replacing = None
        rest = [reply for reply in replies if reply is not replacing]
        await self.replies.deliver(sender, rest, trigger_id=body.get("trigger_id"))

    async def _run_home_action(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        sender = await self._interaction_sender(body)
        event = InboundEvent(
            EventKind.COMMAND,
            sender,
            text=str(action.get("value", "")),
            delivery_id=f"slack:{body['trigger_id']}",
            raw=body,
        )
        replies = await self.engine.handle(event)
        await self.replies.deliver(
            sender, replies, trigger_id=body.get("trigger_id"), reopen=event.text
        )

    async def _run_submission(self, body: dict[str, Any], view: dict[str, Any], key: str) -> None:
        sender = await self._interaction_sender(body)
        event = InboundEvent(
            EventKind.FORM,
            sender,
            form_id=str(form_metadata(view).get("form_id", "")),
            values=submitted_values(view),
            delivery_id=key,
            raw=body,
        )
        replies = await self.engine.handle(event)
        answer = self._form_answers.get(key)
        if answer is None or answer.done():
            # Slack was answered already (a slow turn, or one recovered after a restart): the
            # modal is closed, so everything goes by direct message.
            await self.replies.deliver(sender, replies, reopen=None)
            return
        with_errors = next((r for r in replies if r.form is not None and r.form.errors), None)
        next_form = next((r for r in replies if r.form is not None), None)
        if with_errors is not None and with_errors.form is not None:
            errors = dict(with_errors.form.errors)
            answer.set_result({"response_action": "errors", "errors": errors})
            return
        if next_form is not None:
            view = self.replies.form_view(sender, next_form)
            answer.set_result({"response_action": "update", "view": view})
        else:
            answer.set_result({})
        await self.replies.deliver(sender, [r for r in replies if r.form is None])

    async def _run_closed(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        sender = await self._interaction_sender(body)
        event = InboundEvent(
            EventKind.FORM_CANCELLED,
            sender,
            form_id=str(form_metadata(view).get("form_id", "")),
            delivery_id=f"slack:view_closed:{view.get('id')}",
            raw=body,
        )
        await self.replies.deliver(sender, await self.engine.handle(event))

    async def _run_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        workspace, team = self._where(body)
        sender = await self.users.sender(
            workspace, str(event["user"]), str(event["channel"]), team=team
        )
        files: tuple[SharedFile, ...] = ()
        if event.get("files"):
            files = await shared_files(await self.clients.client_for(workspace, team), event)
        inbound = InboundEvent(
            EventKind.MESSAGE,
            sender,
            text=plain_mentions(str(event.get("text") or "")),
            delivery_id=f"slack:{body['event_id']}",
            raw=body,
            files=files,
        )
        # A form asked for in a direct message has no trigger id to open it with: the reply
        # carries a button that asks again, from a click, which has one.
        await self.replies.deliver(sender, await self.engine.handle(inbound), reopen=inbound.text)

    async def _run_home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        workspace, team = self._where(body)
        user = str(event["user"])
        sender = await self.users.sender(workspace, user, event.get("channel"), team=team)
        status = InboundEvent(
            EventKind.COMMAND,
            sender,
            text="/tandem status",
            delivery_id=f"slack:{body['event_id']}",
            raw=body,
        )
        replies = await self.engine.handle(status)
        if not replies:
            return
        actions = [
            Choice(value=command, label=self.replies.text(sender, label_id))
            for label_id, command in HOME_ACTIONS
        ]
        client = await client_of(self.clients, sender)
        await client.views_publish(user_id=user, view=home_view(replies, actions))

    async def _run_uninstalled(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        assert self.oauth is not None
        await self.oauth.removed(self.engine, body, event, self._where(body)[0])

    async def _run_membership(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        user = event["user"]
        sender = Sender(PLATFORM, self._where(body)[0], str(user["id"]))
        if user.get("deleted"):
            # A deactivated account: the person left the company.
            await self.engine.person_left(sender, "account_deleted")
        else:
            await self.engine.person_returned(sender)

    async def _run_unknown(self, body: dict[str, Any]) -> None:
        what = body.get("type")
        logger.warning("unknown slack interaction", extra={"type": what})
        if what == "view_closed" or not (body.get("user") or {}).get("id"):
            return  # Nobody is waiting for an answer to a closed modal.
        sender = await self._interaction_sender(body)
        stale = Message(text=self.replies.text(sender, "errors.stale_choice"))
        await self.replies.deliver(sender, [stale])

    # Replies
    async def _interaction_sender(self, body: dict[str, Any]) -> Sender:
        user = body.get("user") or {}
        workspace, team = self._where(body)
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or "")
        return await self.users.sender(
            workspace, str(user["id"]), channel if channel.startswith("D") else None, team=team
        )
