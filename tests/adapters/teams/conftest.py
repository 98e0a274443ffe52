"""The real web app (botbuilder's CloudAdapter inside aiohttp) on a real database, with Teams'
Bot Connector faked locally."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import make_app
from bot.clock import VirtualClock
from bot.main import build_runtime
from bot.settings import Settings
from tests.adapters.teams.world import TeamsWorld
from tests.console_support import START
from tests.fakes.bot_connector import FakeBotConnector


@pytest.fixture
async def fake_connector() -> AsyncIterator[FakeBotConnector]:
    fake = FakeBotConnector()
    await fake.start()
    yield fake
    await fake.stop()


def teams_settings(database_url: str, service_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "tandem_locale": "en",
        "teams_enabled": True,
        "microsoft_service_url": service_url,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def teams(migrated_url: str, fake_connector: FakeBotConnector) -> AsyncIterator[TeamsWorld]:
    # A working afternoon on both sides of the Atlantic, so that nothing waits for morning.
    clock = VirtualClock(START)
    runtime = await build_runtime(
        teams_settings(migrated_url, fake_connector.url), clock, migrate=False
    )
    try:
        async with TestClient(TestServer(make_app(runtime.slack, runtime.teams))) as http:
            yield TeamsWorld(http, fake_connector, runtime)
    finally:
        await runtime.close()
