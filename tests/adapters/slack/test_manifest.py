"""The Slack app manifest matches what the adapter listens to and calls."""

from __future__ import annotations

from pathlib import Path

import yaml

import adapters.slack

MANIFEST = Path(adapters.slack.__file__).parent / "manifest.yml"


def test_the_manifest_declares_the_commands_events_and_one_url() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    commands = manifest["features"]["slash_commands"]
    assert [command["command"] for command in commands] == ["/tandem", "/session"]
    settings = manifest["settings"]
    assert sorted(settings["event_subscriptions"]["bot_events"]) == [
        "app_home_opened",
        "app_uninstalled",
        "message.im",
        "team_join",
        "tokens_revoked",
        "user_change",
    ]
    assert settings["interactivity"]["is_enabled"] is True
    urls = {command["url"] for command in commands}
    urls.add(settings["event_subscriptions"]["request_url"])
    urls.add(settings["interactivity"]["request_url"])
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_the_manifest_asks_only_for_the_scopes_it_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "channels:history",
        "groups:history",
        "mpim:history",
        "channels:join",
        "files:write",
        "files:read",
        "users:read",
        "users:read.email",
    }


def test_the_manifest_sends_installs_back_to_the_oauth_redirect_on_the_same_host() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    (redirect,) = manifest["oauth_config"]["redirect_urls"]
    events = manifest["settings"]["event_subscriptions"]["request_url"]
    assert redirect == events.replace("/slack/events", "/slack/oauth_redirect")
