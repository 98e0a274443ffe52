"""A connected calendar (Graph, Google) as the engine's ``CalendarPort``, never in its way.

Free/busy merges what the calendar says with what Tandem knows; anyone the calendar cannot
read is taken from Tandem's knowledge alone. An event goes into the organiser's calendar (or,
when the organiser has no e-mail, the first attendee who has one) with the others invited by
address; whoever it cannot reach gets the ``.ics`` file instead. Every refusal is reported to
``on_refused`` (the owners are told) and the turn goes on with the fallback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.calendar.ics import IcsCalendar
from bot.calendar.mailbox import CalendarRefused, MailboxCalendar, MailboxEvent, Refusal
from bot.calendar.port import Booking, SessionEvent
from bot.calendar.slots import Interval
from bot.domain import Person

logger = logging.getLogger("tandem.calendar")
OnRefused = Callable[[Person, Refusal], Awaitable[None]]
# Event ids a connector wrote are stored as "<connector>|<mailbox>|<its id>"; an id of any
# other shape was an .ics UID (booked while no calendar, or the calendar, could serve).
_SEPARATOR = "|"


@dataclass(frozen=True)
class StoredEventId:
    connector: str
    mailbox: str
    event_id: str

    def __str__(self) -> str:
        return _SEPARATOR.join((self.connector, self.mailbox, self.event_id))

    @classmethod
    def parse(cls, text: str) -> StoredEventId | None:
        parts = text.split(_SEPARATOR, 2)
        return cls(*parts) if len(parts) == 3 else None


class ConnectedCalendar:
    """``CalendarPort`` over a ``MailboxCalendar``, with ``IcsCalendar`` as the fallback."""

    def __init__(
        self, mailboxes: MailboxCalendar, fallback: IcsCalendar, on_refused: OnRefused
    ) -> None:
        self.mailboxes = mailboxes
        self.fallback = fallback
        self.on_refused = on_refused

    async def free_busy(
        self, people: Sequence[Person], window: Interval
    ) -> dict[int, tuple[Interval, ...]]:
        known = await self.fallback.free_busy(people, window)
        by_mailbox = {p.email.lower(): p for p in people if p.email and p.id is not None}
        if not by_mailbox:
            return known
        try:
            answered = await self.mailboxes.busy(sorted(by_mailbox), window)
        except CalendarRefused as refused:
            answered = dict.fromkeys(by_mailbox, refused.refusal)
        merged = dict(known)
        for mailbox, person in by_mailbox.items():
            assert person.id is not None
            busy = answered.get(mailbox, Refusal.DOWN)
            if isinstance(busy, Refusal):
                await self._refused(person, busy, "free/busy")
                continue
            merged[person.id] = tuple(
                sorted(set(known.get(person.id, ())) | set(busy), key=lambda i: (i.start, i.end))
            )
        return merged

    async def create_event(self, event: SessionEvent) -> Booking:
        host = _host(event)
        if host is None:
            return await self.fallback.create_event(event)
        assert host.email is not None
        try:
            written = await self.mailboxes.create(_as_mailbox_event(event, host))
        except CalendarRefused as refused:
            await self._refused(host, refused.refusal, "create")
            return await self.fallback.create_event(event)
        stored = StoredEventId(self.mailboxes.name, host.email.lower(), written.event_id)
        return await self._booked(event, str(stored), written.meeting_link)

    async def update_event(self, event_id: str, event: SessionEvent) -> Booking:
        stored = StoredEventId.parse(event_id)
        if stored is None or stored.connector != self.mailboxes.name:
            return await self.fallback.update_event(event_id, event)
        host = _person_of(event, stored.mailbox)
        try:
            written = await self.mailboxes.update(
                stored.event_id, _as_mailbox_event(event, host, stored.mailbox)
            )
        except CalendarRefused as refused:
            await self._refused(host, refused.refusal, "update")
            fallback = await self.fallback.update_event(event_id, event)
            return Booking(event_id=event_id, invitation=fallback.invitation)
        return await self._booked(event, event_id, written.meeting_link)

    async def cancel_event(self, event_id: str, event: SessionEvent) -> Booking:
        stored = StoredEventId.parse(event_id)
        if stored is None or stored.connector != self.mailboxes.name:
            return await self.fallback.cancel_event(event_id, event)
        host = _person_of(event, stored.mailbox)
        try:
            await self.mailboxes.cancel(
                stored.event_id, _as_mailbox_event(event, host, stored.mailbox)
            )
        except CalendarRefused as refused:
            await self._refused(host, refused.refusal, "cancel")
            fallback = await self.fallback.cancel_event(event_id, event)
            return Booking(event_id=event_id, invitation=fallback.invitation)
        unreached = _without_mailbox(event)
        if not unreached:
            return Booking(event_id=event_id)
        fallback = await self.fallback.cancel_event(event_id, event)
        return Booking(event_id=event_id, invitation=fallback.invitation, by_file=unreached)

    async def _booked(self, event: SessionEvent, event_id: str, link: str | None) -> Booking:
        unreached = _without_mailbox(event)
        if not unreached:
            return Booking(event_id=event_id, meeting_link=link)
        # The .ics for those without an address carries the meeting link in its description.
        fallback = await self.fallback.create_event(event)
        return Booking(
            event_id=event_id,
            meeting_link=link,
            invitation=fallback.invitation,
            by_file=unreached,
        )

    async def _refused(self, person: Person, refusal: Refusal, doing: str) -> None:
        # The person's id only: an e-mail address is personal data and stays out of the logs.
        logger.warning(
            "calendar %s refused %s for person %s: %s",
            self.mailboxes.name,
            doing,
            person.id,
            refusal.value,
        )
        await self.on_refused(person, refusal)


def _host(event: SessionEvent) -> Person | None:
    """Whose calendar the event is written in: the organiser's, or the first attendee's with
    an e-mail address."""
    return next((p for p in (event.organiser, *event.attendees) if p.email), None)


def _person_of(event: SessionEvent, mailbox: str) -> Person:
    people = (event.organiser, *event.attendees)
    return next((p for p in people if (p.email or "").lower() == mailbox), event.organiser)


def _as_mailbox_event(
    event: SessionEvent, host: Person, mailbox: str | None = None
) -> MailboxEvent:
    organiser = mailbox or (host.email or "").lower()
    others = tuple(
        p.email.lower()
        for p in (event.organiser, *event.attendees)
        if p.email and p.email.lower() != organiser
    )
    return MailboxEvent(
        uid=event.uid,
        when=event.when,
        title=event.title,
        description=event.description,
        zone=event.zone,
        organiser=organiser,
        attendees=tuple(dict.fromkeys(others)),
    )


def _without_mailbox(event: SessionEvent) -> frozenset[int]:
    return frozenset(
        p.id for p in (event.organiser, *event.attendees) if not p.email and p.id is not None
    )
