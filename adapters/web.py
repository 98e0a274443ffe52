"""The product's one web server: health checks and the platforms' endpoints (Slack, Teams).

It also runs the delivery loop that sends what the outbox holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduling.scheduler import Scheduler
from bot.settings import Settings
from storage.health import database_answers
from storage.leader import leader_lock

if TYPE_CHECKING:
    from adapters.slack.app import SlackApp
    from adapters.teams.app import TeamsApp

logger = logging.getLogger("tandem.web")

DATABASE = web.AppKey("database", AsyncEngine)
# A load balancer probes every few seconds: a database slower than this counts as unreachable.
READY_TIMEOUT_SECONDS = 2.0


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers HTTP. It never looks at the database, so that an outage
    does not get every replica restarted."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 503 while the database does not answer, so traffic goes to other replicas."""
    if await database_answers(request.app[DATABASE], READY_TIMEOUT_SECONDS):
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)


def make_app(
    slack: SlackApp | None = None,
    teams: TeamsApp | None = None,
    database: AsyncEngine | None = None,
) -> web.Application:
    application = web.Application()
    application.router.add_get("/healthz", healthz)
    if database is not None:
        application[DATABASE] = database
        application.router.add_get("/readyz", readyz)
    if slack is not None and slack.mode == "http":
        # Events, slash commands, interactivity and options all arrive on this one URL.
        application.router.add_post("/slack/events", slack.handle)
    if teams is not None:
        # Every Bot Framework activity (messages, card actions, installs) arrives here.
        application.router.add_post("/api/messages", teams.handle)
    return application


async def run_server(settings: Settings) -> None:
    from bot.main import build_runtime, is_sqlite

    if not settings.has_platform_credentials:
        # Local use: Teams answers unauthenticated, as the Bot Framework Emulator expects. A
        # Slack-only deployment opens no unauthenticated Teams endpoint.
        settings = settings.model_copy(update={"teams_enabled": True})
    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    application = make_app(runtime.slack, runtime.teams, runtime.uow_factory.engine)
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", settings.port)
    await site.start()
    logger.info("web server listening", extra={"port": settings.port})

    scheduler = Scheduler(
        runtime.ticker,
        leader_lock(runtime.uow_factory.engine),
        settings.tandem_scheduler_interval_seconds,
    )
    scheduler.start()
    delivery = asyncio.create_task(runtime.deliver_forever())
    socket_mode = None
    if runtime.slack is not None and settings.slack_app_token is not None:
        socket_mode = runtime.slack.socket_mode_handler(settings.slack_app_token.get_secret_value())
        await socket_mode.connect_async()
        logger.info("slack socket mode connected")
    try:
        await asyncio.Event().wait()
    finally:
        if socket_mode is not None:
            await socket_mode.close_async()
        await scheduler.stop()
        delivery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivery
        await runner.cleanup()
        await runtime.close()
