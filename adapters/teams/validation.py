"""The shape an activity posted to ``/api/messages`` must have before anything reads it.

botbuilder deserializes an activity with msrest, which raised (a 500 and a traceback) on
``from`` given as a string, ``conversation`` as a list or ``entities`` as an object, and the
adapter's own readers assume the same shapes. ``checked_activity`` reads the raw body once,
within a size limit, parses it with a depth limit and refuses what no Bot Connector sends: 413
or 400, before the token is even looked at, and before any lock or row exists.

Without credentials (local use with the Emulator) nobody vouches for the sender, so ids, names,
locales and time zones are held to their real shapes too: printable ids of bounded length,
short names, IANA zone names only.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from aiohttp import web
from botbuilder.schema import Activity

from adapters.json_limits import depth_exceeds

logger = logging.getLogger("tandem.teams")

# Teams caps a message near 28 KB; an activity with its entities and channel data stays far
# below this.
MAX_BODY_BYTES = 512 * 1024
# Activities nest a handful deep; an Adaptive Card's submitted data a few more.
MAX_DEPTH = 32
# Teams conversation ids of channel threads run to a few hundred characters.
MAX_ID_LENGTH = 1024
MAX_URL_LENGTH = 2048
MAX_TEXT_LENGTH = 100_000
# Without authentication: the shapes the Emulator and Teams really use.
LOCAL_MAX_ID_LENGTH = 256
LOCAL_MAX_NAME_LENGTH = 256
_PRINTABLE_ID = re.compile(r"[\x21-\x7e]+")
_LOCALE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ACCOUNTS = ("from", "recipient", "conversation")


class BadActivity(ValueError):
    pass


async def checked_activity(request: web.Request, *, authenticated: bool) -> dict[str, Any]:
    """The activity posted, parsed and checked; raises a 413 or 400 ``HTTPException``."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _refused(web.HTTPRequestEntityTooLarge, "body too large")
    # The app's own limit (1 MiB) still bounds a body sent without a length.
    body = await request.read()
    if len(body) > MAX_BODY_BYTES:
        raise _refused(web.HTTPRequestEntityTooLarge, "body too large")
    try:
        activity = parse_activity(body, request.headers.get("Content-Type"))
        check_activity(activity, authenticated=authenticated)
    except BadActivity as error:
        raise _refused(web.HTTPBadRequest, str(error)) from None
    return activity


def _refused(kind: type[web.HTTPException], reason: str) -> web.HTTPException:
    logger.warning("teams request refused", extra={"status": kind.status_code, "reason": reason})
    if kind is web.HTTPRequestEntityTooLarge:
        return web.HTTPRequestEntityTooLarge(MAX_BODY_BYTES, 0, text=reason)
    return kind(text=reason)


def parse_activity(body: bytes, content_type: str | None) -> dict[str, Any]:
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise BadActivity("content type is not application/json")
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadActivity("body is not UTF-8") from None
    except RecursionError:
        raise BadActivity("JSON nested too deep") from None
    except ValueError:
        raise BadActivity("invalid JSON") from None
    if not isinstance(value, dict):
        raise BadActivity("activity is not an object")
    if depth_exceeds(value, MAX_DEPTH):
        raise BadActivity("JSON nested too deep")
    return value


def check_activity(activity: dict[str, Any], *, authenticated: bool) -> None:
    """Raises ``BadActivity`` saying what is wrong with ``activity``."""
    _string(activity, "type", limit=64, required=True)
    for name in ("id", "channelId", "replyToId", "name", "action", "textFormat", "locale"):
        _string(activity, name, limit=MAX_ID_LENGTH)
    for name in ("text", "summary"):
        _string(activity, name, limit=MAX_TEXT_LENGTH)
    service_url = _string(activity, "serviceUrl", limit=MAX_URL_LENGTH, required=True)
    parts = urlsplit(service_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadActivity("serviceUrl is not an http(s) URL")
    for name in ACCOUNTS:
        account = activity.get(name)
        if not isinstance(account, dict):
            raise BadActivity(f"{name} is not an object")
        _string(account, "id", limit=MAX_ID_LENGTH, required=True, where=name)
        for field in ("name", "aadObjectId", "role", "conversationType", "tenantId"):
            _string(account, field, limit=MAX_ID_LENGTH, where=name)
    for name in ("entities", "attachments", "membersAdded", "membersRemoved"):
        items = activity.get(name)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise BadActivity(f"{name} is not a list of objects")
    for member in [*(activity.get("membersAdded") or ()), *(activity.get("membersRemoved") or ())]:
        _string(member, "id", limit=MAX_ID_LENGTH, required=True, where="member")
    for entity in activity.get("entities") or ():
        _string(entity, "type", limit=64, where="entity")
        mentioned = entity.get("mentioned")
        if mentioned is not None and not isinstance(mentioned, dict):
            raise BadActivity("mentioned is not an object")
    for name in ("value", "channelData"):
        if activity.get(name) is not None and not isinstance(activity[name], dict):
            raise BadActivity(f"{name} is not an object")
    channel_data = activity.get("channelData") or {}
    for name in ("tenant", "channel", "team"):
        if channel_data.get(name) is not None and not isinstance(channel_data[name], dict):
            raise BadActivity(f"channelData.{name} is not an object")
    if not authenticated:
        _check_local(activity)
    try:
        # botbuilder reads the activity through msrest, which has its own idea of each field's
        # type (dates, booleans, lists of objects...): what it cannot read is refused here.
        Activity().deserialize(activity)
    except Exception as error:  # msrest raises DeserializationError, or what it wraps
        raise BadActivity(f"not a Bot Framework activity ({type(error).__name__})") from None


def _check_local(activity: dict[str, Any]) -> None:
    """Nobody signed this activity: its ids, names, locale and zones must look real."""
    accounts = [activity[name] for name in ACCOUNTS]
    accounts += list(activity.get("membersAdded") or ())
    accounts += list(activity.get("membersRemoved") or ())
    accounts += [e["mentioned"] for e in activity.get("entities") or () if e.get("mentioned")]
    for account in accounts:
        identifier = str(account.get("id", ""))
        if len(identifier) > LOCAL_MAX_ID_LENGTH or not _PRINTABLE_ID.fullmatch(identifier):
            raise BadActivity("id is not a short printable identifier")
        name = account.get("name")
        if name is not None and (
            not isinstance(name, str) or len(name) > LOCAL_MAX_NAME_LENGTH or _CONTROL.search(name)
        ):
            raise BadActivity("name is too long or has control characters")
    tenant = (activity.get("channelData") or {}).get("tenant") or {}
    for tenant_id in (activity["conversation"].get("tenantId"), tenant.get("id")):
        if tenant_id is not None and not (
            isinstance(tenant_id, str)
            and len(tenant_id) <= LOCAL_MAX_ID_LENGTH
            and _PRINTABLE_ID.fullmatch(tenant_id)
        ):
            raise BadActivity("tenant id is not a short printable identifier")
    zones = [activity.get("localTimezone")]
    locales = [activity.get("locale")]
    for entity in activity.get("entities") or ():
        if str(entity.get("type", "")).lower() == "clientinfo":
            zones.append(entity.get("timezone"))
            locales.append(entity.get("locale"))
    for zone in zones:
        if zone is not None and (not isinstance(zone, str) or zone not in _zone_names()):
            raise BadActivity("time zone is not an IANA zone name")
    for locale in locales:
        if locale is not None and (not isinstance(locale, str) or not _LOCALE.fullmatch(locale)):
            raise BadActivity("locale is not a language tag")


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _string(
    container: dict[str, Any], name: str, *, limit: int, required: bool = False, where: str = ""
) -> str:
    value: Any = container.get(name)
    label = f"{where}.{name}" if where else name
    if value is None:
        if required:
            raise BadActivity(f"{label} is missing")
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadActivity(f"{label} is not a string")
    if len(value) > limit:
        raise BadActivity(f"{label} is too long")
    return value
