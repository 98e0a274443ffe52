"""A workshop as an iCalendar file (RFC 5545), for people to put it in their own calendar.

There is no calendar port yet (booking straight into Microsoft Graph or Google Calendar): the
seat's confirmation carries this file instead, which every calendar application opens.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from bot.messages import Attachment
from bot.workshops.model import Workshop

MEDIA_TYPE = "text/calendar"


def ics(workshop: Workshop, now: datetime) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Tandem//Workshops//EN")
    calendar.add("version", "2.0")
    event = Event()
    # The same uid for the same workshop: opening the file twice updates, never duplicates.
    event.add("uid", f"tandem-workshop-{workshop.id}")
    event.add("dtstamp", now)
    event.add("dtstart", workshop.starts_at)
    event.add("dtend", workshop.ends_at)
    event.add("summary", workshop.title)
    event.add("location", workshop.place)
    event.add("description", workshop.topic)
    calendar.add_component(event)
    written: bytes = calendar.to_ical()
    return written.decode("utf-8")


def attachment(workshop: Workshop, now: datetime, title: str) -> Attachment:
    return Attachment(
        filename=f"workshop-{workshop.id}.ics",
        content=ics(workshop, now),
        media_type=MEDIA_TYPE,
        title=title,
    )
