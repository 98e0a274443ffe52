"""Google Workspace through the Calendar API, with a service account and domain-wide delegation.

Each call acts as one user of the domain (the organiser; for free/busy, the first mailbox
asked): ``google-auth`` signs the service account's assertion with that subject and trades it
for a token at the key's token URI (overridable, for tests). Free/busy is ``freeBusy`` with up
to 50 calendars per request; each session is an event with a Google Meet conference, patched to
move and deleted to cancel, every change e-mailed to the attendees (``sendUpdates=all``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from google.auth import exceptions as google_exceptions
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from adapters.calendar.http import GONE, CalendarHttp
from bot.calendar.mailbox import Answers, CalendarRefused, MailboxEvent, Refusal, Written
from bot.calendar.slots import Interval

logger = logging.getLogger("tandem.calendar")
NAME = "google"
API_URL = "https://www.googleapis.com/calendar/v3"
SCOPES = ["https://www.googleapis.com/auth/calendar"]
# Calendars asked per freeBusy request (calendarExpansionMax's maximum).
CALENDARS_PER_REQUEST = 50


class GoogleCalendar:
    name = NAME

    def __init__(
        self,
        *,
        key: Mapping[str, Any],
        http: CalendarHttp,
        api_url: str = API_URL,
        token_url: str | None = None,
    ) -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self._key = {**key, **({"token_uri": token_url} if token_url else {})}
        self._credentials: dict[str, service_account.Credentials] = {}
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self.http.close()

    async def _token(self, subject: str) -> str:
        async with self._lock:
            credentials = self._credentials.get(subject)
            if credentials is None:
                try:
                    credentials = service_account.Credentials.from_service_account_info(
                        self._key, scopes=SCOPES, subject=subject
                    )
                except (ValueError, KeyError) as error:
                    logger.warning("the Google service account key is not usable")
                    raise CalendarRefused(Refusal.CONSENT, "key") from error
                self._credentials[subject] = credentials
            if not credentials.valid:
                try:
                    await asyncio.to_thread(credentials.refresh, Request())
                except google_exceptions.RefreshError as error:
                    # unauthorized_client: no delegation for this scope; invalid_grant: no such
                    # user in the domain. Its first word only: the message can quote the key.
                    reason = str(error.args[0] if error.args else "").split(":")[0]
                    logger.warning("Google refused the token: %s", reason)
                    refusal = Refusal.NOT_FOUND if "invalid_grant" in reason else Refusal.CONSENT
                    raise CalendarRefused(refusal, reason) from error
                except google_exceptions.TransportError as error:
                    raise CalendarRefused(Refusal.DOWN, "token") from error
            return str(credentials.token)

    async def busy(
        self, mailboxes: Sequence[str], window: Interval
    ) -> dict[str, tuple[Interval, ...] | Refusal]:
        chunks = [
            list(mailboxes[i : i + CALENDARS_PER_REQUEST])
            for i in range(0, len(mailboxes), CALENDARS_PER_REQUEST)
        ]
        answers = await asyncio.gather(*(self._free_busy(c, window) for c in chunks))
        return {mailbox: busy for answer in answers for mailbox, busy in answer.items()}

    async def _free_busy(
        self, mailboxes: list[str], window: Interval
    ) -> dict[str, tuple[Interval, ...] | Refusal]:
        try:
            answer = await self.http.call(
                "POST",
                f"{self.api_url}/freeBusy",
                token=await self._token(mailboxes[0]),
                json={
                    "timeMin": _rfc3339(window.start),
                    "timeMax": _rfc3339(window.end),
                    "timeZone": "UTC",
                    "calendarExpansionMax": CALENDARS_PER_REQUEST,
                    "items": [{"id": mailbox} for mailbox in mailboxes],
                },
            )
        except CalendarRefused as refused:
            return dict.fromkeys(mailboxes, refused.refusal)
        calendars = {str(k).lower(): v for k, v in ((answer or {}).get("calendars") or {}).items()}
        found: dict[str, tuple[Interval, ...] | Refusal] = {}
        for mailbox in mailboxes:
            calendar = calendars.get(mailbox)
            if calendar is None:
                found[mailbox] = Refusal.DOWN
            elif calendar.get("errors"):
                reasons = {str(e.get("reason", "")) for e in calendar["errors"]}
                found[mailbox] = Refusal.NOT_FOUND if "notFound" in reasons else Refusal.DOWN
            else:
                found[mailbox] = tuple(
                    Interval(_parse(b["start"]), _parse(b["end"])) for b in calendar.get("busy", [])
                )
        return found

    async def create(self, event: MailboxEvent) -> Written:
        body = {
            **_event_body(event),
            "attendees": [{"email": address} for address in event.attendees],
            "conferenceData": {
                "createRequest": {
                    # The same request id for the same session: a retry makes no second Meet.
                    "requestId": hashlib.sha256(event.uid.encode()).hexdigest()[:32],
                    "conferenceSolutionKey": {"type": "hangoutsMeet"},
                }
            },
        }
        answer = await self.http.call(
            "POST",
            f"{self.api_url}/calendars/{quote(event.organiser)}/events",
            token=await self._token(event.organiser),
            params={"conferenceDataVersion": "1", "sendUpdates": "all"},
            json=body,
        )
        return _written(answer)

    async def update(self, event_id: str, event: MailboxEvent) -> Written:
        answer = await self.http.call(
            "PATCH",
            f"{self.api_url}/calendars/{quote(event.organiser)}/events/{quote(event_id)}",
            token=await self._token(event.organiser),
            params={"conferenceDataVersion": "1", "sendUpdates": "all"},
            json=_event_body(event),
        )
        return _written(answer)

    async def cancel(self, event_id: str, event: MailboxEvent) -> None:
        await self.http.call(
            "DELETE",
            f"{self.api_url}/calendars/{quote(event.organiser)}/events/{quote(event_id)}",
            token=await self._token(event.organiser),
            params={"sendUpdates": "all"},
            already_done=GONE,
        )

    async def answers(self, organiser: str, event_id: str) -> Answers:
        answer = await self.http.call(
            "GET",
            f"{self.api_url}/calendars/{quote(organiser)}/events/{quote(event_id)}",
            token=await self._token(organiser),
            # 404/410: the organiser deleted it.
            already_done=GONE,
        )
        if not isinstance(answer, dict) or answer.get("status") == "cancelled":
            return Answers(gone=True)
        return Answers(
            declined=frozenset(
                str(attendee.get("email", "")).lower()
                for attendee in answer.get("attendees") or []
                if attendee.get("responseStatus") == "declined"
            )
        )


def _event_body(event: MailboxEvent) -> dict[str, Any]:
    zone = ZoneInfo(event.zone)
    return {
        "summary": event.title,
        "description": event.description,
        "start": {"dateTime": _rfc3339(event.when.start.astimezone(zone)), "timeZone": event.zone},
        "end": {"dateTime": _rfc3339(event.when.end.astimezone(zone)), "timeZone": event.zone},
    }


def _written(answer: Any) -> Written:
    if not isinstance(answer, dict) or not answer.get("id"):
        raise CalendarRefused(Refusal.DOWN, "no event id")
    link = answer.get("hangoutLink")
    for entry in (answer.get("conferenceData") or {}).get("entryPoints", []):
        if entry.get("entryPointType") == "video" and not link:
            link = entry.get("uri")
    return Written(event_id=str(answer["id"]), meeting_link=link)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
