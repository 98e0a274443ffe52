"""A local Microsoft Graph tenant's directory, next to its calendars: users looked up by user
principal name or mail through JSON ``$batch``, the organisation's app catalog, apps installed
in people's personal scope, and the chat each installation opens with the bot, in the wire
format of Graph's documentation (user, $batch, teamsAppInstallation, chat)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from aiohttp import web

from tests.fakes.graph_calendar import FakeGraph

DENIED = {
    "error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
    }
}
_MAIL_FILTER = re.compile(r"^mail eq '((?:[^']|'')*)'$")
_EXTERNAL_FILTER = re.compile(r"^(?:teamsApp/)?externalId eq '([^']*)'$")


@dataclass
class DirectoryUser:
    id: str
    principal_name: str
    display_name: str
    mail: str | None = None
    language: str | None = None
    enabled: bool = True

    def body(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "mail": self.mail,
            "userPrincipalName": self.principal_name,
            "preferredLanguage": self.language,
            "accountEnabled": self.enabled,
        }


@dataclass
class FakeGraphTenant(FakeGraph):
    users: list[DirectoryUser] = field(default_factory=list)
    # The organisation's catalog: manifest id (externalId) -> catalog id.
    catalog: dict[str, str] = field(default_factory=dict)
    # user id -> {installation id: manifest id}
    installed: dict[str, dict[str, str]] = field(default_factory=dict)
    # The chat an installation opens, by user id (the test wires it to the Bot Connector's).
    chat_of: Callable[[str], str] = lambda user_id: f"19:{user_id}_bot@unq.gbl.spaces"
    # False: the application permission to install apps was never consented.
    may_install: bool = True
    # False: User.Read.All was never consented.
    may_read_users: bool = True
    # The next lists of installed apps that answer as if nothing were installed yet: Graph's
    # reads lag behind its writes (an app the person installed a moment ago).
    lagging_lists: int = 0
    _index: dict[str, DirectoryUser] = field(default_factory=dict)

    def routes(self, application: web.Application) -> None:
        super().routes(application)
        router = application.router
        router.add_post("/v1.0/$batch", self._batch)
        router.add_get("/v1.0/appCatalogs/teamsApps", self._catalog)
        router.add_get("/v1.0/users/{user}/teamwork/installedApps", self._installations)
        router.add_post("/v1.0/users/{user}/teamwork/installedApps", self._install)
        router.add_get("/v1.0/users/{user}/teamwork/installedApps/{installation}/chat", self._chat)

    def user(self, key: str) -> DirectoryUser | None:
        if len(self._index) != 2 * len(self.users):
            self._index = {
                name.lower(): user for user in self.users for name in (user.id, user.principal_name)
            }
        return self._index.get(key.lower())

    def installed_for(self, user_id: str) -> set[str]:
        return set(self.installed.get(user_id, {}).values())

    # $batch
    async def _batch(self, request: web.Request) -> web.Response:
        refused = self._unauthenticated(request)
        if refused is not None:
            return refused
        body = await request.json()
        requests = body.get("requests") or []
        if not 0 < len(requests) <= 20:
            return _error(400, "BadRequest", "A batch holds between 1 and 20 requests.")
        return web.json_response({"responses": [self._one(item) for item in requests]}, status=200)

    def _one(self, item: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": item.get("id"), "headers": {}}
        queue = self.failures.get("user")
        if queue:
            failure = queue.popleft()
            return {
                **answer,
                "status": failure.status,
                "headers": failure.headers,
                "body": failure.body,
            }
        if not self.may_read_users:
            return {**answer, "status": 403, "body": DENIED}
        parts = urlsplit(str(item.get("url", "")))
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        if item.get("method") != "GET" or not parts.path.startswith("/users"):
            return {**answer, "status": 400, "body": {"error": {"code": "BadRequest"}}}
        if parts.path == "/users":
            matched = _MAIL_FILTER.match(query.get("$filter", ""))
            if matched is None:
                return {**answer, "status": 400, "body": {"error": {"code": "BadRequest"}}}
            mail = matched.group(1).replace("''", "'").lower()
            found = [u.body() for u in self.users if (u.mail or "").lower() == mail]
            return {**answer, "status": 200, "body": {"value": found}}
        user = self.user(unquote(parts.path.removeprefix("/users/")))
        if user is None:
            return {
                **answer,
                "status": 404,
                "body": {
                    "error": {
                        "code": "Request_ResourceNotFound",
                        "message": "Resource does not exist or one of its queried reference-"
                        "property objects are not present.",
                    }
                },
            }
        return {**answer, "status": 200, "body": user.body()}

    # Apps
    async def _catalog(self, request: web.Request) -> web.Response:
        refused = self._unauthenticated(request)
        if refused is not None:
            return refused
        matched = _EXTERNAL_FILTER.match(request.query.get("$filter", ""))
        found = [
            {"id": catalog_id, "externalId": external, "distributionMethod": "organization"}
            for external, catalog_id in self.catalog.items()
            if matched is None or matched.group(1) == external
        ]
        return web.json_response({"value": found})

    async def _installations(self, request: web.Request) -> web.Response:
        refused = self._unauthenticated(request) or self._unknown_user(request)
        if refused is not None:
            return refused
        user = self.user(unquote(request.match_info["user"]))
        assert user is not None
        if self.lagging_lists > 0:
            self.lagging_lists -= 1
            return web.json_response({"value": []})
        matched = _EXTERNAL_FILTER.match(request.query.get("$filter", ""))
        expanded = "teamsApp" in request.query.get("$expand", "")
        value = []
        for installation, external in self.installed.get(user.id, {}).items():
            if matched is not None and matched.group(1) != external:
                continue
            item: dict[str, Any] = {"id": installation}
            if expanded:
                item["teamsApp"] = {
                    "id": self.catalog.get(external, external),
                    "externalId": external,
                    "distributionMethod": "organization",
                }
            value.append(item)
        return web.json_response({"value": value})

    async def _install(self, request: web.Request) -> web.Response:
        refused = self._unauthenticated(request) or self._unknown_user(request)
        if refused is not None:
            return refused
        if not self.may_install:
            return web.json_response(DENIED, status=403)
        user = self.user(unquote(request.match_info["user"]))
        assert user is not None
        bound = str((await request.json()).get("teamsApp@odata.bind", ""))
        catalog_id = bound.rsplit("/", 1)[-1]
        external = next((e for e, c in self.catalog.items() if c == catalog_id), None)
        if "/appCatalogs/teamsApps/" not in bound or external is None:
            return _error(404, "NotFound", "The app is not in the catalog.")
        mine = self.installed.setdefault(user.id, {})
        if external in mine.values():
            return _error(409, "Conflict", "The app is already installed.")
        mine[secrets.token_urlsafe(12)] = external
        return web.Response(status=201)

    async def _chat(self, request: web.Request) -> web.Response:
        refused = self._unauthenticated(request) or self._unknown_user(request)
        if refused is not None:
            return refused
        user = self.user(unquote(request.match_info["user"]))
        assert user is not None
        if request.match_info["installation"] not in self.installed.get(user.id, {}):
            return _error(404, "NotFound", "No such installation.")
        return web.json_response({"id": self.chat_of(user.id), "chatType": "oneOnOne"})

    def _unauthenticated(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self._tokens:
            return _error(401, "InvalidAuthenticationToken", "Access token is empty.")
        return None

    def _unknown_user(self, request: web.Request) -> web.Response | None:
        if self.user(unquote(request.match_info["user"])) is None:
            return _error(404, "Request_ResourceNotFound", "Resource does not exist.")
        return None


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)
