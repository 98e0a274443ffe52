"""Both inbound endpoints in one app built by ``make_app`` from real settings: Slack in HTTP
mode with its signing secret, Teams with its credentials, and the vendors faked locally (Slack's
Web API, the Bot Connector, the Bot Framework's token signing keys)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import inspect, text

from adapters.web import make_app
from bot.main import Runtime, build_runtime
from bot.settings import Settings
from tests.adapters.slack.payloads import SIGNING_SECRET, signed_headers, slash_command
from tests.adapters.teams.world import MENTOR, TeamsWorld
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid import FakeOpenId
from tests.fakes.slack_api import TOKEN, FakeSlack

APP_ID = "00000000-0000-0000-0000-00000000b07"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class Endpoints:
    http: TestClient
    runtime: Runtime
    openid: FakeOpenId
    teams: TeamsWorld

    async def slack(self, body: bytes | str, headers: dict[str, str]) -> ClientResponse:
        data = body.encode() if isinstance(body, str) else body
        return await self.http.post("/slack/events", data=data, headers=headers)

    async def slack_command(self, user: str, text: str, trigger: str) -> ClientResponse:
        body = slash_command(user, "/tandem", text, trigger)
        return await self.slack(body, signed_headers(body, FORM))

    async def activity(self, body: bytes | str, headers: dict[str, str]) -> ClientResponse:
        data = body.encode() if isinstance(body, str) else body
        return await self.http.post("/api/messages", data=data, headers=headers)

    def message(self, **fields: Any) -> dict[str, Any]:
        return self.teams.activity(MENTOR, "message", text="status", **fields)

    def token(self, **overrides: Any) -> str:
        return self.openid.token(APP_ID, self.teams.fake.url, **overrides)


def settings_for(url: str, slack_api: str, connector: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "tandem_locale": "en",
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack_api,
        "microsoft_service_url": connector,
        **overrides,
    }
    return Settings(**values)


def credentials(metadata_url: str, **overrides: Any) -> dict[str, Any]:
    """Teams settings with credentials, its signing keys looked up at ``metadata_url``."""
    return {
        "microsoft_app_id": APP_ID,
        "microsoft_app_password": "secret",
        "microsoft_openid_metadata_url": metadata_url,
        "microsoft_emulator_openid_metadata_url": metadata_url,
        **overrides,
    }


@contextlib.asynccontextmanager
async def running_fakes() -> AsyncIterator[tuple[FakeSlack, FakeBotConnector, FakeOpenId]]:
    slack, connector, openid = FakeSlack(), FakeBotConnector(), FakeOpenId()
    for fake in (slack, connector, openid):
        await fake.start()
    try:
        yield slack, connector, openid
    finally:
        for fake in (slack, connector, openid):
            await fake.stop()


@contextlib.asynccontextmanager
async def serving(
    database_url: str, fakes: tuple[FakeSlack, FakeBotConnector, FakeOpenId], **settings: Any
) -> AsyncIterator[Endpoints]:
    slack, connector, openid = fakes
    runtime = await build_runtime(
        settings_for(database_url, slack.url, connector.url, **settings), migrate=False
    )
    try:
        async with TestClient(TestServer(make_app(runtime.slack, runtime.teams))) as http:
            yield Endpoints(http, runtime, openid, TeamsWorld(http, connector, runtime))
    finally:
        await runtime.close()


async def row_counts(runtime: Runtime) -> dict[str, int]:
    """How many rows each table holds."""
    engine = runtime.uow_factory.engine
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        counts = {}
        for name in names:
            result = await connection.execute(text(f'SELECT count(*) FROM "{name}"'))
            counts[name] = int(result.scalar_one())
    return counts
