"""Which bot scopes each Web API method the app calls needs, from Slack's method reference
(https://api.slack.com/methods): the fake Slack answers ``missing_scope`` like Slack when the
app's manifest does not ask for one of them, so that a scope forgotten there fails a test."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import yaml

import adapters.slack

MANIFEST = Path(adapters.slack.__file__).parent / "manifest.yml"

# Any one of the scopes listed is enough (Slack lists alternatives per conversation type).
METHOD_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "views.open": frozenset(),
    "views.publish": frozenset(),
    "views.update": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "users.info": frozenset({"users:read"}),
    "users.lookupByEmail": frozenset({"users:read.email"}),
    "users.list": frozenset({"users:read"}),
    "conversations.open": frozenset({"im:write", "mpim:write", "channels:manage", "groups:write"}),
    "conversations.join": frozenset({"channels:join"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
}
# conversations.history and conversations.info need the scope of the conversation's type.
HISTORY_SCOPES = {
    "public": "channels:history",
    "private": "groups:history",
    "im": "im:history",
    "mpim": "mpim:history",
}
INFO_SCOPES = {
    "public": "channels:read",
    "private": "groups:read",
    "im": "im:read",
    "mpim": "mpim:read",
}


def manifest_scopes() -> frozenset[str]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


def missing_scope(method: str, kind: str, granted: Collection[str]) -> str | None:
    """The scope ``method`` on a conversation of ``kind`` lacks, or None when it may run.
    A method absent from the table is refused too: a new call must say what it needs."""
    if method == "conversations.history":
        needed = frozenset({HISTORY_SCOPES[kind]})
    elif method == "conversations.info":
        needed = frozenset({INFO_SCOPES[kind]})
    elif method in METHOD_SCOPES:
        needed = METHOD_SCOPES[method]
    else:
        return f"unlisted:{method}"
    if not needed or needed & set(granted):
        return None
    return ",".join(sorted(needed))
