"""The product's one web server: health check now, the platforms' endpoints as they come.

It also runs the delivery loop that sends what the outbox holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from bot.scheduling.scheduler import Scheduler
from bot.settings import Settings
from storage.leader import leader_lock

logger = logging.getLogger("tandem.web")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def make_app() -> web.Application:
    application = web.Application()
    application.router.add_get("/healthz", healthz)
    return application


async def run_server(settings: Settings) -> None:
    from bot.main import build_runtime, is_sqlite

    runtime = await build_runtime(settings, migrate=is_sqlite(settings))
    application = make_app()
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
    try:
        await asyncio.Event().wait()
    finally:
        await scheduler.stop()
        delivery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivery
        await runner.cleanup()
        await runtime.close()
