"""What the engine asks of a calendar: who is busy when, and an event per planned session.

The engine never imports a calendar SDK. A connector (Microsoft Graph, Google Calendar) is an
adapter outside ``bot/`` implementing ``CalendarPort``; with none connected, ``bot.calendar.ics``
answers from what Tandem itself knows and invites with ``.ics`` files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.calendar.slots import Interval
from bot.domain import Person


@dataclass(frozen=True)
class SessionEvent:
    """A planned session as a calendar event, the same for every calendar."""

    # Stable for the life of the planned session: the event id of an .ics (its UID), the key
    # a connector files it under.
    uid: str
    # Bumped at every change (RFC 5545 SEQUENCE): a calendar keeps the highest it has seen.
    sequence: int
    when: Interval
    title: str
    description: str
    organiser: Person
    attendees: tuple[Person, ...]
    # The IANA zone the event is written in (the organiser's): its VTIMEZONE.
    zone: str


@dataclass(frozen=True)
class Booking:
    """What a calendar answered for an event."""

    event_id: str
    # The online meeting (Teams, Meet) the calendar made for it, when it made one.
    meeting_link: str | None = None
    # The iCalendar text to hand to the people the calendar could not reach itself (all of
    # them without a connected calendar); None when the event is already in their agendas.
    invitation: str | None = None
    # Who gets ``invitation`` (person ids): None for everyone, else only the people the
    # calendar could not reach (no e-mail, or a mailbox it refused).
    by_file: frozenset[int] | None = None

    def invitation_for(self, person: Person) -> str | None:
        if self.by_file is not None and person.id not in self.by_file:
            return None
        return self.invitation


class CalendarPort(Protocol):
    async def free_busy(
        self, people: Sequence[Person], window: Interval
    ) -> dict[int, tuple[Interval, ...]]:
        """The busy times of each person (by person id) that overlap ``window``."""
        ...

    async def create_event(self, event: SessionEvent) -> Booking: ...

    async def update_event(self, event_id: str, event: SessionEvent) -> Booking:
        """The same event moved or changed (``event.sequence`` already bumped)."""
        ...

    async def cancel_event(self, event_id: str, event: SessionEvent) -> Booking: ...
