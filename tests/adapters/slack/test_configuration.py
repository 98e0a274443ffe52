"""Which Slack mode the configuration selects, and what each one serves."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.client import slack_mode
from adapters.slack.identity import plain_mentions
from adapters.web import make_app
from bot.main import build_runtime
from bot.settings import Settings
from tests.fakes.slack_api import TOKEN


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'tandem.db'}", **values)  # type: ignore[arg-type]


def test_the_mode_follows_the_credentials(tmp_path: Path) -> None:
    assert slack_mode(_settings(tmp_path)) is None
    assert slack_mode(_settings(tmp_path, slack_signing_secret="s")) is None
    assert slack_mode(_settings(tmp_path, slack_bot_token=TOKEN)) is None
    assert slack_mode(_settings(tmp_path, slack_bot_token=TOKEN, slack_signing_secret="s")) == (
        "http"
    )
    socket = _settings(
        tmp_path, slack_bot_token=TOKEN, slack_signing_secret="s", slack_app_token="xapp-1"
    )
    assert slack_mode(socket) == "socket"


async def test_socket_mode_needs_no_public_endpoint(tmp_path: Path) -> None:
    settings = _settings(tmp_path, slack_bot_token=TOKEN, slack_app_token="xapp-1-test")
    runtime = await build_runtime(settings, migrate=True)
    try:
        assert runtime.slack is not None and runtime.slack.mode == "socket"
        handler = runtime.slack.socket_mode_handler("xapp-1-test")
        assert isinstance(handler, AsyncSocketModeHandler)
        assert handler.app is runtime.slack.bolt
        async with TestClient(TestServer(make_app(runtime.slack))) as client:
            assert (await client.post("/slack/events", data=b"{}")).status in (404, 405)
            assert (await client.get("/healthz")).status == 200
    finally:
        await runtime.close()


async def test_http_mode_serves_the_slack_endpoint(tmp_path: Path) -> None:
    settings = _settings(tmp_path, slack_bot_token=TOKEN, slack_signing_secret="secret")
    runtime = await build_runtime(settings, migrate=True)
    try:
        assert runtime.slack is not None and runtime.slack.mode == "http"
        async with TestClient(TestServer(make_app(runtime.slack))) as client:
            # Present, and refusing what Slack did not sign.
            assert (await client.post("/slack/events", data=b"{}")).status == 401
    finally:
        await runtime.close()


def test_mentions_reach_the_engine_in_its_own_form() -> None:
    assert plain_mentions("invite <@U123|alice> <@W456>") == "invite @U123 @W456"
    assert plain_mentions("digest channel <#C789|owners>") == "digest channel #C789"
    assert plain_mentions("no mention here") == "no mention here"
