"""A local Google Calendar API: the OAuth token endpoint a service account trades its signed
assertion at (domain-wide delegation: the assertion names the user it acts as), ``freeBusy``,
and events with a Google Meet conference, in the wire format of Google's documentation."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.calendar_common import FakeCalendarServer
from tests.fakes.openid import new_key

CLIENT_EMAIL = "tandem@tandem-tests.iam.gserviceaccount.com"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
NOT_FOUND = {
    "error": {
        "code": 404,
        "message": "Not Found",
        "errors": [{"domain": "global", "reason": "notFound", "message": "Not Found"}],
    }
}


@dataclass
class FakeGoogleCalendar(FakeCalendarServer):
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    # False: the Workspace admin never granted domain-wide delegation to the service account.
    delegated: bool = True
    # The users each token was issued for (the assertion's ``sub``).
    subjects: list[str] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"{self.url}/calendar/v3"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    def key_file(self, folder: Path) -> Path:
        """The service account's JSON key, as the Cloud console downloads it."""
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        path = folder / "service-account.json"
        path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": "tandem-tests",
                    "private_key_id": "fake-key-1",
                    "private_key": pem,
                    "client_email": CLIENT_EMAIL,
                    "client_id": "104000000000000000001",
                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                    "token_uri": self.token_url,
                }
            )
        )
        return path

    def routes(self, application: web.Application) -> None:
        router = application.router
        router.add_post("/token", self._token)
        router.add_post("/calendar/v3/freeBusy", self._free_busy)
        router.add_post("/calendar/v3/calendars/{calendar}/events", self._insert)
        router.add_get("/calendar/v3/calendars/{calendar}/events/{id}", self._get)
        router.add_patch("/calendar/v3/calendars/{calendar}/events/{id}", self._patch)
        router.add_delete("/calendar/v3/calendars/{calendar}/events/{id}", self._delete)

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != JWT_BEARER:
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        try:
            claims = jwt.decode(
                str(form.get("assertion", "")),
                self.key.public_key(),
                algorithms=["RS256"],
                # google-auth signs for Google's token endpoint, wherever it posts it.
                audience=GOOGLE_TOKEN_AUDIENCE,
            )
        except jwt.PyJWTError:
            return web.json_response(
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
                status=400,
            )
        if claims.get("iss") != CLIENT_EMAIL or "calendar" not in claims.get("scope", ""):
            return web.json_response({"error": "invalid_scope"}, status=400)
        if not self.delegated:
            return web.json_response(
                {
                    "error": "unauthorized_client",
                    "error_description": "Client is unauthorized to retrieve access tokens "
                    "using this method, or client not authorized for any of the scopes "
                    "requested.",
                },
                status=401,
            )
        subject = str(claims.get("sub", "")).lower()
        if not self.exists(subject):
            return web.json_response(
                {"error": "invalid_grant", "error_description": "Invalid email or User ID"},
                status=400,
            )
        token = f"ya29.{secrets.token_urlsafe(16)}"
        self._tokens[token] = subject
        self.subjects.append(subject)
        answer = {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        return web.json_response(answer)

    def _refused(self, request: web.Request, operation: str) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self._tokens:
            return web.json_response(
                {"error": {"code": 401, "message": "Request had invalid authentication."}},
                status=401,
            )
        return self.scripted(operation)

    async def _free_busy(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "freeBusy")
        if refused is not None:
            return refused
        body = await request.json()
        start, end = _parse(body["timeMin"]), _parse(body["timeMax"])
        calendars: dict[str, Any] = {}
        for item in body["items"]:
            address = item["id"]
            if not self.exists(address):
                calendars[address] = {
                    "errors": [{"domain": "global", "reason": "notFound"}],
                    "busy": [],
                }
                continue
            calendars[address] = {
                "busy": [
                    {"start": _rfc3339(s), "end": _rfc3339(e)}
                    for s, e in self.busy.get(address.lower(), [])
                    if s < end and start < e
                ]
            }
        return web.json_response(
            {
                "kind": "calendar#freeBusy",
                "timeMin": body["timeMin"],
                "timeMax": body["timeMax"],
                "calendars": calendars,
            }
        )

    async def _insert(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "insert")
        if refused is not None:
            return refused
        body = await request.json()
        calendar = unquote(request.match_info["calendar"]).lower()
        if not self.exists(calendar):
            return web.json_response(NOT_FOUND, status=404)
        number = self.new_id()
        event: dict[str, Any] = {
            "kind": "calendar#event",
            "id": f"tandemevent{number:06d}",
            "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={number}",
            "iCalUID": f"tandemevent{number:06d}@google.com",
            "organizer": {"email": calendar, "self": True},
            "creator": {"email": calendar},
            **body,
            "attendees": [
                {"responseStatus": "needsAction", **attendee}
                for attendee in body.get("attendees", [])
            ],
            "calendar": calendar,
        }
        wants_meet = (
            request.query.get("conferenceDataVersion") == "1"
            and body.get("conferenceData", {})
            .get("createRequest", {})
            .get("conferenceSolutionKey", {})
            .get("type")
            == "hangoutsMeet"
        )
        if wants_meet:
            uri = f"https://meet.google.com/abc-defg-{number:03d}"
            event["hangoutLink"] = uri
            event["conferenceData"] = {
                "createRequest": {
                    **body["conferenceData"]["createRequest"],
                    "status": {"statusCode": "success"},
                },
                "entryPoints": [{"entryPointType": "video", "uri": uri, "label": uri[8:]}],
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
                "conferenceId": f"abc-defg-{number:03d}",
            }
        self.events[event["id"]] = event
        return web.json_response(event)

    def _event(self, request: web.Request) -> dict[str, Any] | None:
        event = self.events.get(unquote(request.match_info["id"]))
        calendar = unquote(request.match_info["calendar"]).lower()
        if event is None or event["calendar"] != calendar:
            return None
        return event

    async def _get(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "get")
        if refused is not None:
            return refused
        event = self._event(request)
        if event is None:
            return web.json_response(NOT_FOUND, status=404)
        # A deleted event is still answered, with status "cancelled".
        return web.json_response(event)

    def decline(self, event_id: str, address: str) -> None:
        """The attendee declines in their Google Calendar: their responseStatus changes."""
        for attendee in self.events[event_id]["attendees"]:
            if attendee["email"].lower() == address.lower():
                attendee["responseStatus"] = "declined"

    def delete_by_organiser(self, event_id: str) -> None:
        """The organiser deletes the event in their Google Calendar."""
        self.events[event_id]["status"] = "cancelled"

    async def _patch(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "patch")
        if refused is not None:
            return refused
        event = self._event(request)
        if event is None or event["status"] == "cancelled":
            return web.json_response(NOT_FOUND, status=404)
        event.update(await request.json())
        return web.json_response(event)

    async def _delete(self, request: web.Request) -> web.Response:
        refused = self._refused(request, "delete")
        if refused is not None:
            return refused
        event = self._event(request)
        if event is None:
            return web.json_response(NOT_FOUND, status=404)
        if event["status"] == "cancelled":
            return web.json_response(
                {"error": {"code": 410, "message": "Resource has been deleted"}}, status=410
            )
        event["status"] = "cancelled"
        return web.Response(status=204)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
