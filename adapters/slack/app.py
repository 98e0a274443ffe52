"""Slack's inbound side: slash commands, buttons, modals, direct messages and App Home.

Bolt verifies every request (signature, 5-minute window); each listener writes the request to
the durable inbox (bot/inbox.py) and only then answers Slack (``ack()``), so that nothing
acknowledged is lost to a crash. The turn runs from the inbox (adapters/slack/turns.py), in
order per person, and never holds Slack's 3-second deadline (``process_before_response``:
Bolt returns the answer as soon as the listener returns, instead of polling every 10 ms for
the acknowledgement). A modal submission waits for its turn a little, to show a wrong field in
the modal itself, but never past the deadline. Platform retries carry the same ids, which the
inbox recognises.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.client import SlackMode, reply_client, slack_mode
from adapters.slack.identity import UserDirectory, workspace_of
from adapters.slack.oauth import SlackOAuth, bolt_app, install, oauth_redirect
from adapters.slack.replies import SlackReplies
from adapters.slack.turns import PLATFORM, SlackTurns
from adapters.slack.verify import refuse_unverified
from adapters.slack.views import FORM_CALLBACK, submitted_values
from adapters.slack.workspaces import OneWorkspace, WorkspaceClients
from bot.clock import Clock
from bot.engine import Engine
from bot.i18n import Renderer
from bot.inbox import InboxItem, InboxRunner
from bot.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger("tandem.slack")

# How long a modal submission waits for its turn before Slack is answered anyway: Slack gives up
# after 3 s, and the request's own travel needs some of them.
FORM_ANSWER_SECONDS = 2.2


class SlackApp:
    def __init__(
        self,
        engine: Engine,
        renderer: Renderer,
        client: AsyncWebClient,
        clock: Clock,
        inbox: InboxRunner,
        *,
        mode: SlackMode,
        signing_secret: str = "",
        oauth: SlackOAuth | None = None,
    ) -> None:
        """``client``: the one bot token's client, or, with ``oauth`` (several workspaces),
        the template every workspace's client is made from (base URL, session, retries)."""
        self.engine = engine
        self.inbox = inbox
        # Modal submissions waiting for their turn's answer (errors, next view), by inbox key.
        self._form_answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.renderer = renderer
        self.client = client
        self.mode = mode
        self.oauth = oauth
        self.clients: WorkspaceClients = oauth.workspaces if oauth else OneWorkspace(client)
        # Enterprise Grid people are known by organisation only with several workspaces.
        self.by_organisation = oauth is not None
        self.users = UserDirectory(self.clients, clock)
        self.replies = SlackReplies(self.clients, self.users, renderer)
        self.turns = SlackTurns(
            engine,
            self.users,
            self.replies,
            self.clients,
            oauth,
            by_organisation=self.by_organisation,
            form_answers=self._form_answers,
        )
        inbox.register(PLATFORM, self.turns.run_item)
        self.bolt = bolt_app(client, signing_secret, verify=mode == "http", oauth=oauth)
        self.bolt.event("app_uninstalled")(self._uninstalled)
        self.bolt.event("tokens_revoked")(self._uninstalled)
        self.bolt.command("/tandem")(self._command)
        self.bolt.command("/session")(self._command)
        self.bolt.action(re.compile(r"^choice:"))(self._choice)
        self.bolt.action(re.compile(r"^home:"))(self._home_action)
        self.bolt.view_submission(FORM_CALLBACK)(self._submission)
        self.bolt.view_closed(FORM_CALLBACK)(self._closed)
        self.bolt.event("message")(self._message)
        self.bolt.event("app_home_opened")(self._home_opened)
        self.bolt.event("user_change")(self._membership)
        self.bolt.event("team_join")(self._membership)
        # Last, so that they only take what nothing above recognised (a button of an old
        # message, a modal of a previous version): Bolt would answer those 404, which Slack
        # shows the person as an error. Acknowledged, and answered "no longer valid".
        anything = re.compile(r".*", re.DOTALL)
        self.bolt.action(anything)(self._unknown)
        self.bolt.view_submission(anything)(self._unknown)
        self.bolt.view_closed(anything)(self._unknown)
        self.bolt.shortcut(anything)(self._unknown)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        engine: Engine,
        renderer: Renderer,
        clock: Clock,
        inbox: InboxRunner,
        database: AsyncEngine | None = None,
    ) -> SlackApp | None:
        mode = slack_mode(settings)
        if mode is None:
            return None
        secret = settings.slack_signing_secret
        client = reply_client(settings)
        oauth = None
        if settings.slack_oauth_enabled:
            assert database is not None
            oauth = SlackOAuth.from_settings(settings, database, client, renderer)
        return cls(
            engine,
            renderer,
            client,
            clock,
            inbox,
            mode=mode,
            signing_secret=secret.get_secret_value() if secret else "",
            oauth=oauth,
        )

    async def handle(self, request: web.Request) -> web.Response:
        """``POST /slack/events``: events, slash commands, interactivity and options."""
        if (refused := await refuse_unverified(request, self.bolt._signing_secret)) is not None:
            return refused
        response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def install(self, request: web.Request) -> web.Response:
        """``GET /slack/install``: a new single-use state, then Slack's consent page."""
        return await install(self.bolt, request)

    async def oauth_redirect(self, request: web.Request) -> web.Response:
        """``GET /slack/oauth_redirect``: Slack's answer; the state is checked and used up."""
        return await oauth_redirect(self.bolt, request)

    def socket_mode_handler(self, app_token: str) -> Any:
        # The same payload shape checks as over HTTP, before Bolt reads anything.
        from adapters.slack.verify import CheckedSocketModeHandler

        return CheckedSocketModeHandler(self.bolt, app_token)

    async def settled(self) -> None:
        """Returns once the work of every request answered so far is done."""
        await self.inbox.settled()

    async def close(self) -> None:
        await self.settled()
        await self.clients.close()

    # Listeners: write the request down, then acknowledge it
    async def _receive(
        self, kind: str, key: str, team: str, user: str, payload: dict[str, Any]
    ) -> asyncio.Task[None] | None:
        # A person's own conversation with the bot: their turns run in order.
        sender = f"slack:{team}:{user}"
        item = InboxItem(
            key=key,
            platform=PLATFORM,
            conversation=sender,
            kind=kind,
            payload=payload,
            sender=sender,
        )
        return await self.inbox.accept(item)

    def _where(self, body: dict[str, Any]) -> tuple[str, str]:
        """(Tandem's workspace id, Slack team) of a request."""
        return workspace_of(body, by_organisation=self.by_organisation)

    def _interaction_user(self, body: dict[str, Any]) -> tuple[str, str]:
        """(workspace, user) of a button click or a modal: the person whose turns it orders."""
        user = body.get("user") or {}
        return self._where(body)[0], str(user.get("id", ""))

    async def _command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        key = f"slack:{body['trigger_id']}"
        workspace = self._where(body)[0]
        await self._receive("command", key, workspace, body["user_id"], {"body": body})
        await ack()

    async def _choice(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        team, user = self._interaction_user(body)
        payload = {"body": body, "part": action}
        await self._receive("choice", f"slack:{body['trigger_id']}", team, user, payload)
        await ack()

    async def _home_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        team, user = self._interaction_user(body)
        payload = {"body": body, "part": action}
        await self._receive("home_action", f"slack:{body['trigger_id']}", team, user, payload)
        await ack()

    async def _submission(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        # The same form submitted twice (a double click, a retry) has other trigger ids but the
        # same view and values: one key, one turn.
        content = {"form": view.get("private_metadata"), "values": submitted_values(view)}
        key = f"slack:view:{view.get('id')}:{_digest(content)}"
        team, user = self._interaction_user(body)
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._form_answers[key] = answer
        try:
            task = await self._receive("form", key, team, user, {"body": body, "part": view})
            if task is not None:
                # A wrong field is shown in the modal itself, when the turn is quick enough.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(answer), FORM_ANSWER_SECONDS)
        finally:
            self._form_answers.pop(key, None)
            # Past the deadline the turn answers by direct message instead.
            answer.cancel()
        if answer.done() and not answer.cancelled():
            await ack(**answer.result())
        else:
            await ack()

    async def _closed(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        team, user = self._interaction_user(body)
        key = f"slack:view_closed:{view.get('id')}"
        await self._receive("form_closed", key, team, user, {"body": body, "part": view})
        await ack()

    async def _unknown(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        team, user = self._interaction_user(body)
        # A platform retry carries the same payload: the same key.
        key = f"slack:unknown:{_digest(body)}"
        await self._receive("unknown", key, team, user, {"body": body})
        await ack()

    async def _message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        # Events are acknowledged when the listener returns: after the request is written.
        # A file shared with a message (a roster) is a message too.
        subtype = event.get("subtype")
        if event.get("channel_type") != "im" or subtype not in (None, "file_share"):
            return
        if event.get("bot_id"):
            return
        workspace = self._where(body)[0]
        key = f"slack:{body['event_id']}"
        payload = {"body": body, "part": event}
        await self._receive("message", key, workspace, str(event["user"]), payload)

    async def _home_opened(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        workspace = self._where(body)[0]
        key = f"slack:{body['event_id']}"
        payload = {"body": body, "part": event}
        await self._receive("home_opened", key, workspace, str(event["user"]), payload)

    async def _membership(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """An account changed (``user_change``, sent for any profile edit too) or joined the
        workspace (``team_join``): written down like every request, in the person's order."""
        user = event.get("user") or {}
        workspace = self._where(body)[0]
        key = f"slack:{body['event_id']}"
        payload = {"body": body, "part": event}
        await self._receive("membership", key, workspace, str(user["id"]), payload)

    async def _uninstalled(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if self.oauth is None:
            # The one token from the environment is gone: nothing here can speak to Slack
            # any more; whoever runs Tandem sees it in the log.
            logger.error(
                "slack app uninstalled or its token revoked", extra={"event": event.get("type")}
            )
            return
        # Written down like every request: the workspace's people are marked exactly once.
        workspace = self._where(body)[0]
        key = f"slack:{body['event_id']}"
        payload = {"body": body, "part": event}
        await self._receive("uninstalled", key, workspace, "", payload)


def _digest(values: dict[str, Any]) -> str:
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]
