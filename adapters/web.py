"""The product's one web server: health checks and the platforms' endpoints (Slack, Teams).

It also runs the durable inbox, the scheduler and the delivery loop, and stops them in order on
SIGTERM or SIGINT: no new request is taken, running turns get a few seconds to finish (what does
not finish stays in the inbox for the next process), the scheduler lease and the outbox rows
held are handed back at once, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduling.scheduler import Scheduler
from bot.settings import Settings
from storage.health import database_answers
from storage.leader import leader_lock

if TYPE_CHECKING:
    from adapters.dashboard.app import DashboardApp
    from adapters.slack.app import SlackApp
    from adapters.teams.app import TeamsApp

logger = logging.getLogger("tandem.web")
# In-flight HTTP requests get this long to be written down and answered once a stop begins.
REQUEST_DRAIN_SECONDS = 2.0
# The deliverer records what it sent and hands the rest back; past this, leases free its rows.
# With the defaults the whole stop fits in Docker's 10-second grace period.
DELIVERY_STOP_SECONDS = 2.0
# Closing connections and clients; past this the process leaves anyway.
CLOSE_SECONDS = 3.0

DATABASE = web.AppKey("database", AsyncEngine)
SCHEDULER = web.AppKey("scheduler", Scheduler)
# A load balancer probes every few seconds: a database slower than this counts as unreachable.
READY_TIMEOUT_SECONDS = 2.0


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers HTTP. It never looks at the database, so that an outage
    does not get every replica restarted."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 503 while the database does not answer, so traffic goes to other replicas,
    and while the scheduler's last ticks all failed (nothing it owes anyone goes out).

    Work that failed for one program, pair or person (isolated, retried at every tick) keeps
    the replica ready, since everyone else is served, and shows as ``degraded`` with the ids."""
    scheduler = request.app.get(SCHEDULER)
    detail: dict[str, object] = {}
    if scheduler is not None:
        detail["scheduler"] = scheduler.health()
    if not await database_answers(request.app[DATABASE], READY_TIMEOUT_SECONDS):
        body = {"status": "unavailable", "reason": "database unreachable"}
        return web.json_response({**body, "database": "unreachable", **detail}, status=503)
    if scheduler is not None and scheduler.failing:
        reason = f"the last {scheduler.failed_ticks} scheduler ticks failed"
        return web.json_response({"status": "unavailable", "reason": reason, **detail}, status=503)
    if scheduler is not None and scheduler.health()["degraded"]:
        reason = "some programs' scheduled work keeps failing; see scheduler.failures"
        return web.json_response({"status": "degraded", "reason": reason, **detail})
    return web.json_response({"status": "ready", **detail})


def make_app(
    slack: SlackApp | None = None,
    teams: TeamsApp | None = None,
    database: AsyncEngine | None = None,
    scheduler: Scheduler | None = None,
    dashboard: DashboardApp | None = None,
) -> web.Application:
    application = web.Application()
    application.router.add_get("/healthz", healthz)
    if dashboard is not None:
        # The owners' pages, opened by a one-time link from chat (/tandem dashboard).
        dashboard.add_routes(application)
    if scheduler is not None:
        application[SCHEDULER] = scheduler
    if database is not None:
        application[DATABASE] = database
        application.router.add_get("/readyz", readyz)
    if slack is not None and slack.mode == "http":
        # Events, slash commands, interactivity and options all arrive on this one URL.
        application.router.add_post("/slack/events", slack.handle)
    if slack is not None and slack.oauth is not None:
        # Installing into another workspace: the link to share, and where Slack sends back.
        application.router.add_get("/slack/install", slack.install)
        application.router.add_get("/slack/oauth_redirect", slack.oauth_redirect)
    if teams is not None:
        # Every Bot Framework activity (messages, card actions, installs) arrives here.
        application.router.add_post("/api/messages", teams.handle)
        if teams.links is not None:
            # The invitations Teams cannot carry as files, downloaded from their links.
            teams.links.add_routes(application)
    return application


def stop_on_signals() -> asyncio.Event:
    """An event set by the first SIGTERM or SIGINT (a second one is ignored: the stop is
    already under way and bounded by its deadlines)."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stopping.set)
    return stopping


async def run_server(settings: Settings) -> None:
    from bot.main import build_runtime, is_sqlite

    if not settings.has_platform_credentials:
        # Local use: Teams answers unauthenticated, as the Bot Framework Emulator expects. A
        # Slack-only deployment opens no unauthenticated Teams endpoint.
        settings = settings.model_copy(update={"teams_enabled": True})
    if settings.tandem_reuse_port and is_sqlite(settings):
        # Two processes on one SQLite file would each take over the other's inbox rows.
        raise ValueError(
            "TANDEM_REUSE_PORT shares the port between replicas, which need PostgreSQL: "
            "unset it, or set DATABASE_URL to a postgresql:// database"
        )
    stopping = stop_on_signals()
    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    # What a process that died left in the inbox runs first, in each conversation's order.
    await runtime.inbox.start()
    scheduler = Scheduler(
        runtime.ticker,
        leader_lock(runtime.uow_factory.engine, settings.tandem_leader_lease_seconds),
        settings.tandem_scheduler_interval_seconds,
    )
    from adapters.dashboard.app import DashboardApp

    dashboard = DashboardApp(
        runtime.uow_factory,
        runtime.clock,
        runtime.renderer,
        settings.dashboard_url,
        runtime.engine,
    )
    application = make_app(
        runtime.slack, runtime.teams, runtime.uow_factory.engine, scheduler, dashboard
    )
    runner = web.AppRunner(application, access_log=None, shutdown_timeout=REQUEST_DRAIN_SECONDS)
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", settings.port, reuse_port=settings.tandem_reuse_port)
    await site.start()
    # The port actually bound (PORT=0 lets the system choose one).
    port = int(runner.addresses[0][1]) if runner.addresses else settings.port
    logger.info("web server listening", extra={"port": port})
    # Everything loaded so far (the libraries, the app) lives as long as the process: the
    # collector stops walking it, which keeps its pauses short and the exit after a SIGTERM
    # quick (a full collection of it took seconds at interpreter shutdown).
    gc.freeze()
    scheduler.start()
    delivery_stop = asyncio.Event()
    delivery = asyncio.create_task(runtime.deliver_forever(stop=delivery_stop))
    socket_mode = None
    if runtime.slack is not None and settings.slack_app_token is not None:
        socket_mode = runtime.slack.socket_mode_handler(settings.slack_app_token.get_secret_value())
        await socket_mode.connect_async()
        logger.info("slack socket mode connected")
    try:
        await stopping.wait()
        logger.info("stopping: no new requests; finishing the running turns")
    finally:
        # 1. Take nothing new: the listening socket closes, requests in flight are answered.
        if socket_mode is not None:
            await socket_mode.close_async()
        await runner.cleanup()
        # 2. Running turns and a running tick finish within the same deadline; the turns not
        # started are handed back to the inbox, and the scheduler lease goes for another
        # replica to take.
        handed_back, _ = await asyncio.gather(
            runtime.inbox.stop(settings.tandem_shutdown_seconds),
            scheduler.stop(settings.tandem_shutdown_seconds),
        )
        # 3. The deliverer finishes the messages being sent and hands back the rows it held.
        delivery_stop.set()
        if not await _finished(delivery, DELIVERY_STOP_SECONDS):
            delivery.cancel()
            if not await _finished(delivery, DELIVERY_STOP_SECONDS):
                logger.warning("the deliverer did not stop in time; its leases will free its rows")
        closing = asyncio.create_task(runtime.close())
        if not await _finished(closing, CLOSE_SECONDS):
            logger.warning("closing took too long; leaving anyway (everything is written)")
        logger.info("stopped", extra={"inbox_handed_back": handed_back})


async def _finished(task: asyncio.Task[None], within: float) -> bool:
    """Waits for ``task`` at most ``within`` seconds, without cancelling it."""
    done, _ = await asyncio.wait({task}, timeout=within)
    return bool(done)
