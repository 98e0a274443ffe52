"""What a connected calendar (Microsoft Graph, Google Calendar) is asked, mailbox by mailbox.

People are matched to their calendar by ``Person.email``. A connector answers in mailboxes
and its own event ids; ``bot.calendar.connected`` turns that into the ``CalendarPort`` the
engine uses, with the ``.ics`` fallback for whoever the calendar cannot serve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.calendar.slots import Interval


class Refusal(StrEnum):
    """Why a calendar could not be read or written for someone: what the owners are told."""

    # 401/403: the admin consent (Graph application permission, Google domain-wide
    # delegation) is missing or was withdrawn.
    CONSENT = "consent"
    # 404: no mailbox or calendar for that address in the tenant or domain.
    NOT_FOUND = "not_found"
    # 429 still answered after the short retry budget.
    THROTTLED = "throttled"
    # 5xx, a timeout, a connection refused, an answer that makes no sense.
    DOWN = "down"


class CalendarRefused(Exception):
    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class MailboxEvent:
    """A planned session as written into the organiser's calendar."""

    # Tandem's own id of the event (the .ics UID), kept by the calendar for reference.
    uid: str
    when: Interval
    title: str
    description: str
    # The IANA zone the event is shown in (the organiser's).
    zone: str
    organiser: str
    attendees: tuple[str, ...]


@dataclass(frozen=True)
class Written:
    """The calendar's answer to an event written: its id there and the meeting it made."""

    event_id: str
    meeting_link: str | None = None


@dataclass(frozen=True)
class Answers:
    """What the organiser's calendar says of an event now: gone (deleted, cancelled), and the
    attendees (addresses, lower case) who declined it."""

    gone: bool = False
    declined: frozenset[str] = frozenset()


class MailboxCalendar(Protocol):
    # Names the connector in stored event ids ("graph", "google") and in the owners' notice.
    name: str

    async def busy(
        self, mailboxes: Sequence[str], window: Interval
    ) -> dict[str, tuple[Interval, ...] | Refusal]:
        """Each mailbox's busy times within ``window``, or why it could not be read. Raises
        ``CalendarRefused`` when nothing at all could be read."""
        ...

    async def create(self, event: MailboxEvent) -> Written: ...

    async def update(self, event_id: str, event: MailboxEvent) -> Written: ...

    async def cancel(self, event_id: str, event: MailboxEvent) -> None: ...

    async def answers(self, organiser: str, event_id: str) -> Answers:
        """The event as the organiser's calendar has it now; raises ``CalendarRefused`` when
        it cannot be read."""
        ...

    async def close(self) -> None: ...
