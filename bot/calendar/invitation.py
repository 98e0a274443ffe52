"""A planned session as an iTIP invitation (RFC 5545 / RFC 5546) in an ``.ics`` file.

METHOD:REQUEST puts it in the reader's calendar; the same UID with a higher SEQUENCE moves it
there; METHOD:CANCEL with that UID removes it. Times are written in the organiser's zone with its
VTIMEZONE, so a calendar in another zone shows the right local time on either side of a
daylight-saving change.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from bot.calendar.port import SessionEvent
from bot.domain import Person

MEDIA_TYPE = "text/calendar"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
# People whose work e-mail is unknown (no roster, no calendar): a reserved domain (RFC 2606)
# keeps the required ORGANIZER and ATTENDEE well formed without ever reaching anyone's mailbox.
NO_MAILBOX = "tandem.invalid"
_NOT_IN_ADDRESS = re.compile(r"[^a-z0-9._-]+")


def session_uid(planned_id: int) -> str:
    return f"tandem-session-{planned_id}@{NO_MAILBOX}"


def ics(event: SessionEvent, method: str, now: datetime) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Tandem//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    zone = ZoneInfo(event.zone)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now)
    vevent.add("dtstart", event.when.start.astimezone(zone))
    vevent.add("dtend", event.when.end.astimezone(zone))
    vevent.add("summary", event.title)
    vevent.add("description", event.description)
    vevent.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    vevent.add("organizer", _address(event.organiser, organiser=True))
    for person in event.attendees:
        vevent.add("attendee", _address(person, organiser=False))
    calendar.add_component(vevent)
    # The VTIMEZONE of every TZID used, from the zoneinfo rules themselves.
    calendar.add_missing_timezones()
    written: bytes = calendar.to_ical()
    return written.decode("utf-8")


def _address(person: Person, *, organiser: bool) -> vCalAddress:
    """The person's work e-mail when known, so that their calendar recognises them (and an
    acceptance reaches the organiser); else a placeholder nobody receives mail at."""
    if person.email:
        address = vCalAddress(f"mailto:{person.email}")
    else:
        local = _NOT_IN_ADDRESS.sub("-", f"{person.platform}-{person.user_id}".lower())
        address = vCalAddress(f"mailto:{local}@{NO_MAILBOX}")
    address.params["cn"] = vText(person.display_name)
    if not organiser:
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
    return address
