"""``POST /api/messages``: the Bot Framework endpoint Teams posts every activity to.

botbuilder's ``CloudAdapter`` with ``ConfigurationBotFrameworkAuthentication`` checks the Bot
Framework token of each request (401 without a valid one) when the bot's credentials are set;
without them (local use with the Bot Framework Emulator, ``tandem serve`` on a laptop) the
endpoint accepts unauthenticated requests, and says so in the log at start.

The Python Bot Framework SDK is archived upstream; its successor speaks the same wire protocol.
Everything that imports it stays in ``adapters/teams/``, behind the engine's ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.auth import AuthenticateRequestResult, ClaimsIdentity

from adapters.file_links import FileLinks
from adapters.teams.auth import BotTokenValidator
from adapters.teams.bot import TandemTeamsBot, invoke_answer, message_answer, raw_activity
from adapters.teams.connector_http import ConnectorHttp
from adapters.teams.connectors import PooledBotFrameworkAuthentication
from adapters.teams.directory import TenantDirectory
from adapters.teams.member_emails import MemberEmails
from adapters.teams.proactive import Proactive
from adapters.teams.replies import Replies
from adapters.teams.validation import checked_activity
from bot.engine import Engine
from bot.i18n import Renderer
from bot.inbox import InboxItem, InboxRunner
from bot.settings import Settings

if TYPE_CHECKING:
    from adapters.graph.teams import TeamsGraph

logger = logging.getLogger("tandem.teams")
PLATFORM = "teams"


@dataclass(frozen=True)
class BotFrameworkConfiguration:
    """The attribute names botbuilder's configuration classes read."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str


class TeamsApp:
    def __init__(
        self, settings: Settings, engine: Engine, renderer: Renderer, inbox: InboxRunner
    ) -> None:
        password = settings.microsoft_app_password
        self.app_id = settings.microsoft_app_id or ""
        self.authenticated = bool(self.app_id)
        configuration = BotFrameworkConfiguration(
            APP_ID=self.app_id,
            APP_PASSWORD=password.get_secret_value() if password else "",
            APP_TENANTID=settings.microsoft_app_tenant_id or "",
            APP_TYPE=settings.microsoft_app_type,
        )
        tokens = BotTokenValidator.from_settings(settings)
        self.authentication = PooledBotFrameworkAuthentication(
            configuration, tokens, ConnectorHttp(settings.graph_login_url)
        )
        self.adapter = CloudAdapter(self.authentication)
        self.adapter.on_turn_error = self._on_turn_error
        bot_id = f"28:{self.app_id}" if self.app_id else None
        self.directory = TenantDirectory(settings.microsoft_service_url, bot_id)
        self.links = FileLinks.from_settings(settings, renderer)
        self.replies = Replies(renderer, self.links)
        self.proactive = Proactive(
            self.adapter, self.directory, self.app_id, self.replies.activities
        )
        # People's e-mails only find their calendars (adapters.calendar.configured chose the
        # connector): with none connected, the Bot Connector is never asked for them.
        emails = MemberEmails() if engine.config.calendar is not None else None
        self.bot = TandemTeamsBot(engine, self.replies, self.directory, self.proactive, emails)
        self.inbox = inbox
        inbox.register(PLATFORM, self._run_item)
        self.invoke_answer_seconds = settings.teams_invoke_answer_seconds
        self._graph: TeamsGraph | None = None
        # Card actions waiting for the card their turn answers with, by inbox key.
        self._invoke_answers: dict[str, asyncio.Future[dict[str, Any]]] = {}
        if not self.authenticated:
            logger.warning(
                "teams endpoint /api/messages is NOT authenticated: no MICROSOFT_APP_ID is set "
                "(fine with the Bot Framework Emulator, never in production)"
            )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Every activity is authenticated, then written to the inbox, then acknowledged; its
        turn runs from the inbox, in order per conversation. A card action (invoke) waits for
        its turn to answer with the card that replaces the answered one, but never past Teams'
        15 seconds: then it answers "working on it" and the turn replaces the card itself.
        """
        await checked_activity(request, authenticated=self.authenticated)
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest() from None
        if not isinstance(body, dict) or not body.get("type"):
            raise web.HTTPBadRequest()
        # What checking the token reads of the activity; the whole of it is deserialized once,
        # when its turn runs.
        channel, service_url = body.get("channelId"), body.get("serviceUrl")
        addressed = Activity(
            channel_id=channel if isinstance(channel, str) else None,
            service_url=service_url if isinstance(service_url, str) else None,
        )
        try:
            authenticated = await self.authentication.authenticate_request(
                addressed, request.headers.get("Authorization", "")
            )
        except (PermissionError, jwt.PyJWTError):
            # No token, a token that is not even a JWT, or one that does not check out.
            raise web.HTTPUnauthorized() from None
        item = InboxItem(
            key=_inbox_key(body),
            platform=PLATFORM,
            conversation=f"teams:{(body.get('conversation') or {}).get('id', '')}",
            kind=str(body["type"]),
            payload={"activity": body, "auth": _auth_record(authenticated)},
            sender=f"teams:{_sender_id(body)}",
        )
        if body.get("type") != ActivityTypes.invoke:
            await self.inbox.accept(item)
            return web.Response(status=200)
        return await self._answer_invoke(item)

    async def settled(self) -> None:
        """Returns once every activity acknowledged so far has been handled."""
        await self.inbox.settled()

    def use_graph(self, graph: TeamsGraph) -> None:
        self.proactive.installer = graph.installer
        self._graph = graph

    async def close(self) -> None:
        await self.settled()
        await self.authentication.http.close()
        if self._graph is not None:
            await self._graph.http.close()

    async def _answer_invoke(self, item: InboxItem) -> web.StreamResponse:
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._invoke_answers[item.key] = answer
        try:
            if await self.inbox.accept(item) is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(answer), self.invoke_answer_seconds)
        finally:
            self._invoke_answers.pop(item.key, None)
            # Past the deadline the turn replaces the card itself when it is done.
            answer.cancel()
        if answer.done() and not answer.cancelled():
            return web.json_response(answer.result())
        locale = ((item.payload["activity"].get("locale")) or "") or None
        working = self.replies.text(locale, "teams.working_on_it")
        return web.json_response(message_answer(working))

    async def _run_item(self, item: InboxItem) -> None:
        body: dict[str, Any] = item.payload["activity"]
        authenticated = self._authenticated(item.payload.get("auth") or {})
        activity = Activity().deserialize(body)
        raw = raw_activity.set(body)
        waiter = invoke_answer.set(self._invoke_answers.get(item.key))
        try:
            await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        finally:
            invoke_answer.reset(waiter)
            raw_activity.reset(raw)

    def _authenticated(self, record: dict[str, Any]) -> AuthenticateRequestResult:
        """What authenticating the request gave, rebuilt from the inbox row: a turn recovered
        after a restart answers through the same connector as the one first received."""
        identity = ClaimsIdentity(
            dict(record.get("claims") or {}),
            bool(record.get("is_authenticated")),
            record.get("authentication_type"),
        )
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = record.get("audience")
        result.caller_id = record.get("caller_id")
        result.connector_factory = self.authentication.create_connector_factory(identity)
        return result

    async def _on_turn_error(self, context: object, error: Exception) -> None:
        logger.error("teams turn failed", exc_info=error)


def _inbox_key(body: dict[str, Any]) -> str:
    """Teams resends an activity with the same id; one without an id is keyed by its content."""
    activity_id = body.get("id")
    if activity_id:
        return f"teams:{activity_id}"
    encoded = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    return f"teams:sha256:{hashlib.sha256(encoded).hexdigest()}"


def _auth_record(result: AuthenticateRequestResult) -> dict[str, Any]:
    identity = result.claims_identity
    return {
        "claims": dict(identity.claims or {}) if identity is not None else {},
        "is_authenticated": bool(identity.is_authenticated) if identity is not None else False,
        "authentication_type": identity.authentication_type if identity is not None else None,
        "audience": result.audience,
        "caller_id": result.caller_id,
    }


def _sender_id(body: dict[str, Any]) -> str:
    """Who sent the activity, as Teams names them in ``from``; empty when it does not say."""
    sender = body.get("from")
    return str(sender.get("id") or "") if isinstance(sender, dict) else ""
