"""The real web app (botbuilder's CloudAdapter inside aiohttp) on a real database, with Teams'
Bot Connector faked locally."""

from __future__ import annotations

import contextlib
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
from tests.fakes.graph_calendar import CLIENT_ID, TENANT, FakeGraph


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


@contextlib.asynccontextmanager
async def teams_world(settings: Settings, connector: FakeBotConnector) -> AsyncIterator[TeamsWorld]:
    """The real web app on ``settings``, at a working afternoon on both sides of the
    Atlantic, so that nothing waits for morning."""
    runtime = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        async with TestClient(TestServer(make_app(runtime.slack, runtime.teams))) as http:
            yield TeamsWorld(http, connector, runtime)
    finally:
        await runtime.close()


def graph_settings(graph: FakeGraph, tenant: str = TENANT) -> dict[str, object]:
    """A Microsoft 365 tenant connected through Graph (the fake): its calendars and directory."""
    return {
        "graph_tenant_id": tenant,
        "graph_client_id": CLIENT_ID,
        "graph_client_secret": graph.client_secret,
        "graph_api_url": graph.api_url,
        "graph_login_url": graph.url,
    }


@pytest.fixture
async def teams(migrated_url: str, fake_connector: FakeBotConnector) -> AsyncIterator[TeamsWorld]:
    settings = teams_settings(migrated_url, fake_connector.url)
    async with teams_world(settings, fake_connector) as world:
        yield world


@pytest.fixture
async def teams_with_graph(
    migrated_url: str, fake_connector: FakeBotConnector, graph: FakeGraph
) -> AsyncIterator[TeamsWorld]:
    """Teams with a Microsoft 365 tenant's calendars connected through Graph (the fake)."""
    settings = teams_settings(migrated_url, fake_connector.url, **graph_settings(graph))
    async with teams_world(settings, fake_connector) as world:
        yield world
