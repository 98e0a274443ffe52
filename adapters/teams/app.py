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
import logging
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.auth import BotTokenValidator
from adapters.teams.bot import TandemTeamsBot, raw_activity
from adapters.teams.connectors import PooledBotFrameworkAuthentication
from adapters.teams.directory import TenantDirectory
from adapters.teams.proactive import Proactive
from adapters.teams.replies import Replies
from adapters.teams.validation import checked_activity
from bot.engine import Engine
from bot.i18n import Renderer
from bot.settings import Settings

logger = logging.getLogger("tandem.teams")
# Turns that run at once; the others wait, so that a burst does not exhaust the database pool.
ENGINE_CONCURRENCY = 4


@dataclass(frozen=True)
class BotFrameworkConfiguration:
    """The attribute names botbuilder's configuration classes read."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TENANTID: str
    APP_TYPE: str


class TeamsApp:
    def __init__(self, settings: Settings, engine: Engine, renderer: Renderer) -> None:
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
        self.adapter = CloudAdapter(PooledBotFrameworkAuthentication(configuration, tokens))
        self.adapter.on_turn_error = self._on_turn_error
        bot_id = f"28:{self.app_id}" if self.app_id else None
        self.directory = TenantDirectory(settings.microsoft_service_url, bot_id)
        replies = Replies(renderer)
        self.proactive = Proactive(self.adapter, self.directory, self.app_id, replies.activity)
        self.bot = TandemTeamsBot(engine, replies, self.directory, self.proactive)
        self._slots = asyncio.Semaphore(ENGINE_CONCURRENCY)
        # The turns acknowledged and not finished yet; one lock a conversation keeps their order
        # (a few bytes for each person who ever wrote: kept for the process's life).
        self._work: set[asyncio.Task[None]] = set()
        self._conversations: dict[str, asyncio.Lock] = {}
        if not self.authenticated:
            logger.warning(
                "teams endpoint /api/messages is NOT authenticated: no MICROSOFT_APP_ID is set "
                "(fine with the Bot Framework Emulator, never in production)"
            )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Card actions are answered in the response (it carries the card that replaces the
        answered one). Everything else is acknowledged once authenticated, and its turn runs
        after: Teams gives up on a request after 15 seconds and sends it again, and a turn
        waiting for a busy database must not cost a duplicate or an error shown to the person.
        """
        await checked_activity(request, authenticated=self.authenticated)
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest() from None
        if not isinstance(body, dict) or not body.get("type"):
            raise web.HTTPBadRequest()
        if body.get("type") == ActivityTypes.invoke:
            return await self._answer_invoke(request, body)
        activity = Activity().deserialize(body)
        try:
            authenticated = await self.adapter.bot_framework_authentication.authenticate_request(
                activity, request.headers.get("Authorization", "")
            )
        except (PermissionError, jwt.PyJWTError):
            # No token, a token that is not even a JWT, or one that does not check out.
            raise web.HTTPUnauthorized() from None
        self._later(body, activity, authenticated)
        return web.Response(status=200)

    async def settled(self) -> None:
        """Returns once every activity acknowledged so far has been handled."""
        while self._work:
            await asyncio.gather(*self._work, return_exceptions=True)

    async def close(self) -> None:
        await self.settled()

    async def _answer_invoke(
        self, request: web.Request, body: dict[str, Any]
    ) -> web.StreamResponse:
        token = raw_activity.set(body)
        try:
            async with self._conversation(body), self._slots:
                response = await self.adapter.process(request, self.bot)
        except jwt.PyJWTError:
            raise web.HTTPUnauthorized() from None
        finally:
            raw_activity.reset(token)
        return response if response is not None else web.Response(status=200)

    def _later(self, body: dict[str, Any], activity: Activity, authenticated: Any) -> None:
        # Turns of one conversation run one after the other, in the order they came.
        queue = self._conversation(body)

        async def run() -> None:
            raw_activity.set(body)
            try:
                async with queue, self._slots:
                    await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
            except Exception:
                logger.exception("teams activity failed after its acknowledgement")

        task = asyncio.create_task(run())
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    def _conversation(self, body: dict[str, Any]) -> asyncio.Lock:
        conversation = str((body.get("conversation") or {}).get("id", ""))
        lock = self._conversations.get(conversation)
        if lock is None:
            lock = self._conversations[conversation] = asyncio.Lock()
        return lock

    async def _on_turn_error(self, context: object, error: Exception) -> None:
        logger.error("teams turn failed", exc_info=error)
