"""The real web app (Bolt inside aiohttp) on a real database, Slack's Web API faked locally."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import make_app
from bot.clock import VirtualClock
from bot.main import build_runtime
from bot.settings import Settings
from tests.adapters.slack.oauth_world import OAuthWorld, oauth_settings
from tests.adapters.slack.payloads import SIGNING_SECRET
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld
from tests.console_support import START
from tests.fakes.slack_api import TOKEN, FakeSlack


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.users[MENTOR] = {
        "real_name": "Léa Martin",
        "tz": "America/New_York",
        "locale": "en-US",
        # The e-mail only reaches an app granted users:read.email.
        "profile": {"display_name": "lea", "email": "lea.martin@example.com"},
    }
    fake.users[MENTEE] = {"real_name": "Marc Dubois", "tz": "Europe/Paris", "locale": "en-GB"}
    await fake.start()
    yield fake
    await fake.stop()


def slack_settings(database_url: str, api_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "tandem_locale": "en",
        "slack_bot_token": TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def slack(migrated_url: str, fake_slack: FakeSlack) -> AsyncIterator[SlackWorld]:
    # A working afternoon on both sides of the Atlantic, so that nothing waits for morning.
    clock = VirtualClock(START)
    runtime = await build_runtime(
        slack_settings(migrated_url, fake_slack.url), clock, migrate=False
    )
    try:
        async with TestClient(TestServer(make_app(runtime.slack))) as http:
            yield SlackWorld(http, fake_slack, runtime)
    finally:
        await runtime.close()


@pytest.fixture
async def oauth_slack(migrated_url: str, fake_slack: FakeSlack) -> AsyncIterator[OAuthWorld]:
    """Slack in several workspaces: nothing installed yet, no bot token anywhere."""
    fake_slack.oauth.tokens.clear()
    runtime = await build_runtime(
        oauth_settings(migrated_url, fake_slack.url), VirtualClock(START), migrate=False
    )
    try:
        async with TestClient(TestServer(make_app(runtime.slack))) as http:
            yield OAuthWorld(http, fake_slack, runtime)
    finally:
        await runtime.close()
