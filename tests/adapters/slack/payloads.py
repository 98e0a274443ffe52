"""Slack requests shaped like Slack's documentation, signed like Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "test-signing-secret"
TEAM = "T1"


def signed_headers(
    body: str, content_type: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def slash_command(user: str, command: str, text: str, trigger_id: str) -> str:
    """A slash command invocation: application/x-www-form-urlencoded."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "acme",
            "channel_id": "C2147483705",
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A123456",
            "is_enterprise_install": "false",
            "response_url": "https://hooks.slack.com/commands/1234/5678",
            "trigger_id": trigger_id,
        }
    )


def interaction(payload: dict[str, Any]) -> str:
    """Interactivity: one form field, ``payload``, holding JSON."""
    return urlencode({"payload": json.dumps(payload)})


def block_actions(
    user: str,
    trigger_id: str,
    button: dict[str, Any],
    message: dict[str, Any],
    channel: str,
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A123456",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id,
        "team": {"id": TEAM, "domain": "acme"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {
            "type": "message",
            "user": "UBOT",
            "ts": message["ts"],
            "text": message["text"],
            "blocks": message["blocks"],
        },
        "response_url": "https://hooks.slack.com/actions/T1/1/abc",
        "actions": [
            {
                "type": "button",
                "block_id": "b1",
                "action_id": button["action_id"],
                "text": button["text"],
                "value": button["value"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(
    user: str, trigger_id: str, view: dict[str, Any], values: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """``values``: block id -> the element's state (``{"type": ..., "value": ...}``)."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A123456",
        "token": "legacy-verification-token",
        "trigger_id": trigger_id,
        "view": {
            "id": "V0123",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "hash": "156772938.1827394",
            "state": {"values": {block: {"value": state} for block, state in values.items()}},
        },
        "response_urls": [],
    }


def view_closed(user: str, view: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_closed",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A123456",
        "token": "legacy-verification-token",
        "view": {
            "id": "V0123",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "hash": "156772938.1827394",
            "state": {"values": {}},
        },
        "is_cleared": False,
    }


def event_callback(event: dict[str, Any], event_id: str) -> str:
    """An Events API delivery: JSON."""
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": "A123456",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": TEAM, "user_id": "UBOT", "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
        }
    )


def direct_message(user: str, text: str, channel: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "event_ts": f"{time.time():.6f}",
        "channel_type": "im",
    }


def app_home_opened(user: str, channel: str) -> dict[str, Any]:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": "home",
        "event_ts": f"{time.time():.6f}",
    }


def user_change(user: str, *, deleted: bool, kind: str = "user_change") -> dict[str, Any]:
    """``user_change`` (or ``team_join``) as the Events API sends it: the whole user object;
    a deactivated account has ``deleted: true``."""
    return {
        "type": kind,
        "user": {
            "id": user,
            "team_id": TEAM,
            "name": user.lower(),
            "deleted": deleted,
            "real_name": user,
            "tz": "Europe/Paris",
            "profile": {"real_name": user, "display_name": user.lower(), "team": TEAM},
            "is_bot": False,
            "updated": int(time.time()),
        },
        "cache_ts": int(time.time()),
        "event_ts": f"{time.time():.6f}",
    }
