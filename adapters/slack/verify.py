"""The gate in front of ``POST /slack/events``: verify first, parse after.

Bolt verifies signatures too, but only after it has decoded and parsed the body: a non-UTF-8
body, ``payload=not-json``, JSON nested 100,000 deep or a non-numeric timestamp raised inside
it and became a 500 with a traceback. Here the raw bytes are checked first (size, timestamp,
signature: 401), then parsed the way Bolt will parse them, with a depth limit (400), then the
payloads the app handles are checked for the fields its listeners read (400). What passes is
safe for Bolt to parse again. The shape checks alone (``shape_problem``) serve Socket Mode
(``CheckedSocketModeHandler``), where Slack's own connection stands for the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.json_limits import depth_exceeds

logger = logging.getLogger("tandem.slack")

# Slack's payloads are a few kilobytes; a modal submission with every block filled stays well
# under this.
MAX_BODY_BYTES = 512 * 1024
# Slack's own payloads nest about eight deep (a view's blocks' elements' options...).
MAX_DEPTH = 32
# Slack refuses requests older than five minutes; so do we, in both directions.
TIMESTAMP_WINDOW_SECONDS = 5 * 60
MAX_ID_LENGTH = 255
MAX_TEXT_LENGTH = 40_000
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class Malformed(ValueError):
    """A request that is signed but cannot be what Slack sends."""


def refusal(status: int, reason: str) -> web.Response:
    # One short line per refusal: what was wrong, never the body.
    logger.warning("slack request refused", extra={"status": status, "reason": reason})
    return web.json_response({"error": reason}, status=status)


async def refuse_unverified(
    request: web.Request, signing_secret: str, now: Callable[[], float] = time.time
) -> web.Response | None:
    """None when the request may go on to Bolt; otherwise the 4xx answer to give."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return refusal(413, "body too large")
    # The app's own limit (1 MiB) still bounds a body sent without a length.
    body = await request.read()
    if len(body) > MAX_BODY_BYTES:
        return refusal(413, "body too large")
    problem = signature_problem(body, request.headers, signing_secret, now())
    if problem is not None:
        return refusal(401, problem)
    try:
        payload = parse_body(body, request.headers.get("Content-Type"))
        shape = shape_problem(payload)
    except Malformed as error:
        return refusal(400, str(error))
    if shape is not None:
        return refusal(400, shape)
    return None


class CheckedSocketModeHandler(AsyncSocketModeHandler):  # type: ignore[misc]
    """Socket Mode with the same shape checks: Slack's own connection stands for the
    signature there, but not for the payload's shape. Bolt builds its context (reading the
    first action, the user...) before any middleware runs, so the check comes before Bolt."""

    async def handle(self, client: Any, req: SocketModeRequest) -> None:
        payload = req.payload
        problem = shape_problem(payload) if isinstance(payload, dict) else "not an object"
        if problem is None:
            await super().handle(client, req)
            return
        logger.warning("slack request refused", extra={"status": 400, "reason": problem})
        # Acknowledged all the same: Slack would only send it again.
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


def signature_problem(body: bytes, headers: Any, signing_secret: str, now: float) -> str | None:
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return "timestamp is not a number"
    if abs(now - int(timestamp)) > TIMESTAMP_WINDOW_SECONDS:
        return "timestamp outside the five-minute window"
    if not signing_secret:
        return "no signing secret configured"
    # slack_sdk's SignatureVerifier decodes the body as UTF-8 first (and raises on other
    # bytes); Slack signs the bytes, so they are signed here as they came.
    signed = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(f"v0={digest}".encode(), signature.encode(errors="replace")):
        return "bad signature"
    return None


def parse_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The payload, parsed as Bolt parses it (JSON, a form, or a form's ``payload`` field)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in (FORM, JSON):
        raise Malformed("unsupported content type")
    if not text:
        raise Malformed("empty body")
    # Bolt's own rule: JSON when the type says so exactly or the body opens an object.
    if content_type == JSON or text.startswith("{"):
        return _json_object(text)
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in text:
        if "payload" not in fields:
            raise Malformed("no payload field")
        return _json_object(fields["payload"])
    return fields


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except RecursionError:
        raise Malformed("JSON nested too deep") from None
    except ValueError:
        raise Malformed("invalid JSON") from None
    if not isinstance(value, dict):
        raise Malformed("JSON is not an object")
    if depth_exceeds(value, MAX_DEPTH):
        raise Malformed("JSON nested too deep")
    return value


def shape_problem(payload: dict[str, Any]) -> str | None:
    """What makes a parsed payload unusable by the app's listeners, or None.

    Only the kinds the app handles are checked, for the fields it reads; any other kind goes
    on to Bolt, which answers what it does not handle.
    """
    kind = payload.get("type")
    if kind is not None and not isinstance(kind, str):
        return "type is not a string"
    # Read by Bolt's own middleware whatever the payload's kind.
    for name in ("event", "view", "user", "team", "channel", "container", "message"):
        value = payload.get(name)
        if value is not None and not isinstance(value, dict | str):
            return f"{name} is neither an object nor text"
    for name in ("event", "view"):
        # Bolt reads these with ``.get(name, {})``: present, they must be objects, not null.
        if name in payload and not isinstance(payload[name], dict):
            return f"{name} is not an object"
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations are not a list of objects"
    if kind is None and ("command" in payload or "ssl_check" not in payload):
        problem = _slash_command(payload)
    else:
        check = _CHECKS.get(kind or "")
        problem = check(payload) if check is not None else None
    if problem is not None:
        return problem
    try:
        # Bolt reads ids from wherever each kind of payload keeps them (authorizations, team,
        # channel, response_urls...) before any listener or middleware runs, and trusts their
        # types: a payload it cannot read is refused here rather than failing inside it.
        build_context(BoltContext(), payload)
    except Exception:
        return "payload Bolt cannot read"
    return None


def _text(value: object, *, limit: int = MAX_ID_LENGTH, required: bool = True) -> bool:
    if value is None:
        return not required
    return isinstance(value, str) and (bool(value) or not required) and len(value) <= limit


def _object(value: object, *, required: bool = True) -> bool:
    return isinstance(value, dict) if required or value is not None else True


def _slash_command(payload: dict[str, Any]) -> str | None:
    for name in ("team_id", "user_id", "command", "trigger_id"):
        if not _text(payload.get(name)):
            return f"slash command without {name}"
    if not str(payload["command"]).startswith("/"):
        return "slash command does not start with /"
    if not _text(payload.get("text"), limit=MAX_TEXT_LENGTH, required=False):
        return "slash command text too long"
    return None


def _user(payload: dict[str, Any]) -> str | None:
    user: Any = payload.get("user")
    if not _object(user) or not _text(user.get("id")):
        return "no user id"
    if not _text(user.get("team_id"), required=False):
        return "bad user team"
    team: Any = payload.get("team")
    if not _object(team, required=False) or (team and not _text(team.get("id"), required=False)):
        return "bad team"
    container: Any = payload.get("container")
    if not _object(container, required=False):
        return "container is not an object"
    for name in ("channel_id", "message_ts"):
        if not _text((container or {}).get(name), required=False):
            return f"container {name} is not text"
    return None


def _block_actions(payload: dict[str, Any]) -> str | None:
    problem = _user(payload)
    if problem is not None:
        return problem
    if not _text(payload.get("trigger_id")):
        return "no trigger id"
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions:
        return "no actions"
    action: Any
    for action in actions:
        if not _object(action) or not _text(action.get("action_id")):
            return "action without action_id"
        if not _text(action.get("value"), limit=MAX_TEXT_LENGTH, required=False):
            return "action value is not text"
        if not _object(action.get("text"), required=False):
            return "action text is not an object"
    message: Any = payload.get("message")
    if not _object(message, required=False):
        return "message is not an object"
    blocks = (message or {}).get("blocks", [])
    if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
        return "message blocks are not a list of objects"
    return None


def _view(payload: dict[str, Any]) -> str | None:
    problem = _user(payload)
    if problem is not None:
        return problem
    view: Any = payload.get("view")
    if not _object(view) or not _text(view.get("id")):
        return "no view"
    if not (isinstance(view.get("callback_id"), str) and _text(view.get("type"))):
        return "view without callback_id or type"
    if not _text(view.get("private_metadata"), limit=3000, required=False):
        return "private metadata is not text"
    state: Any = view.get("state")
    if not _object(state, required=False):
        return "view state is not an object"
    values = (state or {}).get("values", {})
    if not isinstance(values, dict):
        return "view values are not an object"
    for elements in values.values():
        if not isinstance(elements, dict) or not all(
            _element_state(element) for element in elements.values()
        ):
            return "view values are not what an input holds"
    if not _text(payload.get("trigger_id"), required=False):
        return "bad trigger id"
    return None


def _element_state(element: object) -> bool:
    """An input's state: its text, date or chosen option, each text or nothing."""
    if not isinstance(element, dict):
        return False
    option = element.get("selected_option")
    if option is not None and not (
        isinstance(option, dict) and _text(option.get("value"), required=False)
    ):
        return False
    return all(
        _text(element.get(name), limit=MAX_TEXT_LENGTH, required=False)
        for name in ("value", "selected_date")
    )


def _event_callback(payload: dict[str, Any]) -> str | None:
    event: Any = payload.get("event")
    if not _object(event) or not _text(event.get("type")):
        return "no event"
    if not _text(payload.get("event_id")):
        return "no event id"
    if not _text(payload.get("team_id"), required=False):
        return "bad team id"
    kind = event["type"]
    if kind == "message" and not (event.get("subtype") or event.get("bot_id")):
        if not (_text(event.get("user")) and _text(event.get("channel"))):
            return "message without user or channel"
        if not _text(event.get("text"), limit=MAX_TEXT_LENGTH, required=False):
            return "message text is not text"
    if kind == "app_home_opened" and not _text(event.get("user")):
        return "app_home_opened without user"
    if kind in ("user_change", "team_join"):
        user: Any = event.get("user")
        if not _object(user) or not _text(user.get("id")):
            return f"{kind} without user id"
        if not isinstance(user.get("deleted", False), bool):
            return f"{kind} deleted is not true or false"
    return None


def _url_verification(payload: dict[str, Any]) -> str | None:
    return None if _text(payload.get("challenge"), limit=1000) else "no challenge"


_CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "block_actions": _block_actions,
    "view_submission": _view,
    "view_closed": _view,
    "event_callback": _event_callback,
    "url_verification": _url_verification,
}
