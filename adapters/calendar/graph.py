"""Microsoft 365 through Microsoft Graph, with application permissions an admin granted once.

The token comes from ``msal`` (client credentials, cached by msal until it expires); free/busy
from ``getSchedule``, many mailboxes per request; each session is an event in the organiser's
calendar with the partner as attendee and a Teams meeting, moved with PATCH and removed with
DELETE (Exchange sends the attendees the update or the cancellation).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from adapters.calendar.http import GONE, CalendarHttp
from adapters.graph.token import LOGIN_URL, GraphToken, GraphTokenRefused
from bot.calendar.mailbox import Answers, CalendarRefused, MailboxEvent, Refusal, Written
from bot.calendar.slots import Interval

logger = logging.getLogger("tandem.calendar")
NAME = "graph"
API_URL = "https://graph.microsoft.com/v1.0"
# Mailboxes asked per getSchedule request (Graph's limit for one request).
SCHEDULES_PER_REQUEST = 20
# Statuses of a schedule item that leave the person free.
_FREE = {"free", "workingelsewhere", "unknown"}


class GraphCalendar:
    name = NAME

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        http: CalendarHttp,
        api_url: str = API_URL,
        login_url: str = LOGIN_URL,
    ) -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self._token_source = GraphToken(
            tenant_id=tenant_id,
            client_id=client_id,
            client_secret=client_secret,
            login_url=login_url,
        )

    async def close(self) -> None:
        await self.http.close()

    async def _token(self) -> str:
        try:
            return await self._token_source.get()
        except GraphTokenRefused as refused:
            raise CalendarRefused(
                Refusal.DOWN if refused.temporary else Refusal.CONSENT, refused.error
            ) from refused

    async def busy(
        self, mailboxes: Sequence[str], window: Interval
    ) -> dict[str, tuple[Interval, ...] | Refusal]:
        token = await self._token()
        chunks = [
            list(mailboxes[i : i + SCHEDULES_PER_REQUEST])
            for i in range(0, len(mailboxes), SCHEDULES_PER_REQUEST)
        ]
        answers = await asyncio.gather(*(self._schedule(token, c, window) for c in chunks))
        return {mailbox: busy for answer in answers for mailbox, busy in answer.items()}

    async def _schedule(
        self, token: str, mailboxes: list[str], window: Interval
    ) -> dict[str, tuple[Interval, ...] | Refusal]:
        try:
            answer = await self.http.call(
                "POST",
                f"{self.api_url}/users/{quote(mailboxes[0])}/calendar/getSchedule",
                token=token,
                headers={"Prefer": 'outlook.timezone="UTC"'},
                json={
                    "schedules": mailboxes,
                    "startTime": _graph_time(window.start),
                    "endTime": _graph_time(window.end),
                    "availabilityViewInterval": 30,
                },
            )
        except CalendarRefused as refused:
            return dict.fromkeys(mailboxes, refused.refusal)
        found: dict[str, tuple[Interval, ...] | Refusal] = dict.fromkeys(mailboxes, Refusal.DOWN)
        for schedule in (answer or {}).get("value", []):
            mailbox = str(schedule.get("scheduleId", "")).lower()
            if mailbox not in found:
                continue
            if schedule.get("error"):
                found[mailbox] = _schedule_refusal(schedule["error"])
                continue
            found[mailbox] = tuple(
                Interval(_parse_graph_time(item["start"]), _parse_graph_time(item["end"]))
                for item in schedule.get("scheduleItems", [])
                if str(item.get("status", "busy")).lower() not in _FREE
            )
        return found

    async def create(self, event: MailboxEvent) -> Written:
        body = {
            **_event_body(event),
            "attendees": [
                {"emailAddress": {"address": address}, "type": "required"}
                for address in event.attendees
            ],
            "isOnlineMeeting": True,
            "onlineMeetingProvider": "teamsForBusiness",
            # Graph keeps one event per transactionId: a retried create makes no duplicate.
            "transactionId": event.uid,
        }
        answer = await self.http.call(
            "POST",
            f"{self.api_url}/users/{quote(event.organiser)}/events",
            token=await self._token(),
            json=body,
        )
        return _written(answer)

    async def update(self, event_id: str, event: MailboxEvent) -> Written:
        answer = await self.http.call(
            "PATCH",
            f"{self.api_url}/users/{quote(event.organiser)}/events/{quote(event_id)}",
            token=await self._token(),
            json=_event_body(event),
        )
        return _written(answer)

    async def cancel(self, event_id: str, event: MailboxEvent) -> None:
        await self.http.call(
            "DELETE",
            f"{self.api_url}/users/{quote(event.organiser)}/events/{quote(event_id)}",
            token=await self._token(),
            already_done=GONE,
        )

    async def answers(self, organiser: str, event_id: str) -> Answers:
        answer = await self.http.call(
            "GET",
            f"{self.api_url}/users/{quote(organiser)}/events/{quote(event_id)}",
            token=await self._token(),
            params={"$select": "attendees,isCancelled"},
            # 404: the organiser deleted it.
            already_done=GONE,
        )
        if not isinstance(answer, dict) or answer.get("isCancelled"):
            return Answers(gone=True)
        return Answers(
            declined=frozenset(
                str((attendee.get("emailAddress") or {}).get("address", "")).lower()
                for attendee in answer.get("attendees") or []
                if (attendee.get("status") or {}).get("response") == "declined"
            )
        )


def _event_body(event: MailboxEvent) -> dict[str, Any]:
    return {
        "subject": event.title,
        "body": {"contentType": "text", "content": event.description},
        "start": _graph_time(event.when.start),
        "end": _graph_time(event.when.end),
        "allowNewTimeProposals": False,
    }


def _written(answer: Any) -> Written:
    if not isinstance(answer, dict) or not answer.get("id"):
        raise CalendarRefused(Refusal.DOWN, "no event id")
    meeting = answer.get("onlineMeeting") or {}
    return Written(event_id=str(answer["id"]), meeting_link=meeting.get("joinUrl"))


def _graph_time(moment: datetime) -> dict[str, str]:
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return {"dateTime": utc.isoformat(timespec="seconds"), "timeZone": "UTC"}


def _parse_graph_time(value: dict[str, str]) -> datetime:
    # Asked in UTC (Prefer: outlook.timezone): "2026-11-24T09:00:00.0000000".
    text = value["dateTime"].split(".")[0].rstrip("Z")
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _schedule_refusal(error: dict[str, Any]) -> Refusal:
    code = str(error.get("responseCode", "")).lower()
    if "notfound" in code or "invalidsmtp" in code:
        return Refusal.NOT_FOUND
    if "access" in code or "permission" in code or "denied" in code:
        return Refusal.CONSENT
    return Refusal.DOWN
