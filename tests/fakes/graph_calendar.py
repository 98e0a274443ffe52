"""A local Microsoft Graph for calendars: the Entra ID token endpoint (client credentials,
with the tenant's OpenID configuration msal reads first), ``getSchedule``, and events with a
Teams meeting, in the wire format of Graph's documentation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.fakes.calendar_common import Failure, FakeCalendarServer

TENANT = "contoso-tenant"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
LOGIN = "https://login.microsoftonline.com"
ACCESS_DENIED = Failure(
    403,
    {
        "error": {
            "code": "ErrorAccessDenied",
            "message": "Access is denied. Check credentials and try again.",
        }
    },
)
THROTTLED = Failure(
    429,
    {
        "error": {
            "code": "MailboxConcurrency",
            "message": "Application is over its MailBox concurrency limit.",
        }
    },
    {"Retry-After": "1"},
)


@dataclass
class FakeGraph(FakeCalendarServer):
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # False: the admin consent is missing, every Graph call answers 403.
    consented: bool = True
    tokens_issued: int = 0
    _tokens: set[str] = field(default_factory=set)

    @property
    def api_url(self) -> str:
        return f"{self.url}/v1.0"

    def routes(self, application: web.Application) -> None:
        router = application.router
        router.add_get("/common/discovery/instance", self._instance_discovery)
        router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._openid)
        router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        router.add_post("/v1.0/users/{user}/calendar/getSchedule", self._get_schedule)
        router.add_post("/v1.0/users/{user}/events", self._create)
        router.add_get("/v1.0/users/{user}/events/{id}", self._get)
        router.add_patch("/v1.0/users/{user}/events/{id}", self._update)
        router.add_delete("/v1.0/users/{user}/events/{id}", self._delete)

    async def _instance_discovery(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "tenant_discovery_endpoint": (
                    f"{LOGIN}/{TENANT}/v2.0/.well-known/openid-configuration"
                ),
                "api-version": "1.1",
                "metadata": [
                    {
                        "preferred_network": "login.microsoftonline.com",
                        "preferred_cache": "login.windows.net",
                        "aliases": ["login.microsoftonline.com", "login.windows.net"],
                    }
                ],
            }
        )

    async def _openid(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        return web.json_response(
            {
                "token_endpoint": f"{LOGIN}/{tenant}/oauth2/v2.0/token",
                "authorization_endpoint": f"{LOGIN}/{tenant}/oauth2/v2.0/authorize",
                "issuer": f"{LOGIN}/{tenant}/v2.0",
                "jwks_uri": f"{LOGIN}/{tenant}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "token"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != CLIENT_ID:
            return web.json_response({"error": "unauthorized_client"}, status=400)
        if form.get("client_secret") != self.client_secret:
            return web.json_response(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                status=401,
            )
        token = secrets.token_urlsafe(16)
        self._tokens.add(token)
        self.tokens_issued += 1
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            }
        )

    def _refused(self, request: web.Request, operation: str) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self._tokens:
            return web.json_response(
                {
                    "error": {
                        "code": "InvalidAuthenticationToken",
                        "message": "Access token is empty.",
                    }
                },
                status=401,
            )
        if not self.consented:
            return web.json_response(ACCESS_DENIED.body, status=403)
        scripted = self.scripted(operation)
        if scripted is not None:
            return scripted
        user = unquote(request.match_info["user"]).lower()
        if not self.exists(user):
            return web.json_response(
                {
                    "error": {
                        "code": "ErrorInvalidUser",
                        "message": f"The requested user '{user}' is invalid.",
                    }
                },
                status=404,
            )
        return None

    async def _get_schedule(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "getSchedule")
        if refused is not None:
            return refused
        body = await request.json()
        start = _time(body["startTime"])
        end = _time(body["endTime"])
        value: list[dict[str, Any]] = []
        for address in body["schedules"]:
            if not self.exists(address):
                value.append(
                    {
                        "scheduleId": address,
                        "error": {
                            "message": "The mailbox could not be found.",
                            "responseCode": "ErrorMailboxNotFound",
                        },
                    }
                )
                continue
            items = [
                {
                    "isPrivate": False,
                    "status": "busy",
                    "subject": "Busy",
                    "start": _graph_time(s),
                    "end": _graph_time(e),
                }
                for s, e in self.busy.get(address.lower(), [])
                if s < end and start < e
            ]
            value.append(
                {
                    "scheduleId": address,
                    "availabilityView": "",
                    "scheduleItems": items,
                    "workingHours": {
                        "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                        "startTime": "08:00:00.0000000",
                        "endTime": "17:00:00.0000000",
                        "timeZone": {"name": "UTC"},
                    },
                }
            )
        return web.json_response(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata"
                "#Collection(microsoft.graph.scheduleInformation)",
                "value": value,
            }
        )

    async def _create(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "create")
        if refused is not None:
            return refused
        body = await request.json()
        organiser = unquote(request.match_info["user"]).lower()
        # One event per transactionId, as Graph keeps it.
        for event in self.events.values():
            if event.get("transactionId") == body.get("transactionId") and not event["deleted"]:
                return web.json_response(event, status=201)
        number = self.new_id()
        event = {
            **body,
            "attendees": [
                {"status": {"response": "none", "time": "0001-01-01T00:00:00Z"}, **attendee}
                for attendee in body.get("attendees", [])
            ],
            "isCancelled": False,
            "id": f"AAMkAGI2TG93AAA{number:06d}=",
            "iCalUId": f"040000008200E00074C5B7101A82E008{number:08d}",
            "organizer": {"emailAddress": {"address": organiser}},
            "onlineMeeting": (
                {"joinUrl": f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{number}"}
                if body.get("isOnlineMeeting")
                else None
            ),
            "deleted": False,
        }
        self.events[event["id"]] = event
        return web.json_response(event, status=201)

    async def _get(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "get")
        if refused is not None:
            return refused
        event = self.events.get(unquote(request.match_info["id"]))
        if event is None or event["deleted"]:
            return web.json_response(
                {"error": {"code": "ErrorItemNotFound", "message": "The item was not found."}},
                status=404,
            )
        fields = request.query.get("$select")
        if fields:
            return web.json_response(
                {"id": event["id"]} | {name: event.get(name) for name in fields.split(",")}
            )
        return web.json_response(event)

    def decline(self, event_id: str, address: str) -> None:
        """The attendee declines in Outlook: the organiser's copy records their response."""
        for attendee in self.events[event_id]["attendees"]:
            if attendee["emailAddress"]["address"].lower() == address.lower():
                attendee["status"] = {"response": "declined", "time": "2026-11-18T09:00:00Z"}

    def delete_by_organiser(self, event_id: str) -> None:
        """The organiser deletes the event in Outlook: Graph answers 404 for it from then on."""
        self.events[event_id]["deleted"] = True

    async def _update(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "update")
        if refused is not None:
            return refused
        event = self.events.get(unquote(request.match_info["id"]))
        if event is None or event["deleted"]:
            return web.json_response(
                {"error": {"code": "ErrorItemNotFound", "message": "The item was not found."}},
                status=404,
            )
        event.update(await request.json())
        return web.json_response(event)

    async def _delete(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "delete")
        if refused is not None:
            return refused
        event = self.events.get(unquote(request.match_info["id"]))
        if event is None or event["deleted"]:
            return web.json_response(
                {"error": {"code": "ErrorItemNotFound", "message": "The item was not found."}},
                status=404,
            )
        event["deleted"] = True
        return web.Response(status=204)


def _graph_time(moment: datetime) -> dict[str, str]:
    return {
        "dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
        "timeZone": "UTC",
    }


def _time(value: dict[str, str]) -> datetime:
    assert value["timeZone"] == "UTC", value
    return datetime.fromisoformat(value["dateTime"]).replace(tzinfo=UTC)
