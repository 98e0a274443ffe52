"""The .ics of a planned session read back with the icalendar package: one UID for its whole
life, SEQUENCE, METHOD, the organiser's zone with its VTIMEZONE, attendees well formed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.calendar.invitation import CANCEL, REQUEST, ics, session_uid
from bot.calendar.port import SessionEvent
from bot.calendar.slots import Interval
from bot.domain import Person

NOW = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)


def person(user_id: str, name: str) -> Person:
    return Person("teams", "tenant", user_id, name, NOW)


def event(sequence: int = 0) -> SessionEvent:
    # Tuesday 3 November 2026, 9:00 in New York: after the US change back to standard time.
    start = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    return SessionEvent(
        uid=session_uid(42),
        sequence=sequence,
        when=Interval(start, start + timedelta(minutes=45)),
        title="Tandem session: Claire & Léa",
        description="Reverse-mentoring session",
        organiser=person("29:1aBc-Claire", "Claire"),
        attendees=(person("29:1aBc-Claire", "Claire"), person("29:9xYz", "Léa Martin")),
        zone="America/New_York",
    )


def test_a_request_reads_back_with_its_zone_and_times() -> None:
    calendar = Calendar.from_ical(ics(event(), REQUEST, NOW))
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["UID"] == "tandem-session-42@tandem.invalid" and vevent["SEQUENCE"] == 0
    start = vevent.decoded("DTSTART")
    assert start.tzinfo is not None and str(vevent["DTSTART"].params["TZID"]) == "America/New_York"
    assert start.astimezone(ZoneInfo("America/New_York")).hour == 9
    assert start == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") - start == timedelta(minutes=45)
    assert vevent["SUMMARY"] == "Tandem session: Claire & Léa"
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "America/New_York"
    # Both offsets are described, so the time is right on either side of a change.
    assert {c.name for c in zone.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    attendees = [str(a) for a in vevent["ATTENDEE"]]
    assert attendees == [
        "mailto:teams-29-1abc-claire@tandem.invalid",
        "mailto:teams-29-9xyz@tandem.invalid",
    ]
    assert vevent["ATTENDEE"][1].params["CN"] == "Léa Martin"
    assert str(vevent["ORGANIZER"]) == "mailto:teams-29-1abc-claire@tandem.invalid"


def test_a_change_bumps_the_sequence_and_a_cancel_keeps_the_uid() -> None:
    moved = Calendar.from_ical(ics(event(sequence=1), REQUEST, NOW)).walk("VEVENT")[0]
    cancelled = Calendar.from_ical(ics(event(sequence=2), CANCEL, NOW))
    (gone,) = cancelled.walk("VEVENT")
    assert moved["SEQUENCE"] == 1 and moved["STATUS"] == "CONFIRMED"
    assert cancelled["METHOD"] == "CANCEL"
    assert gone["UID"] == moved["UID"] and gone["SEQUENCE"] == 2 and gone["STATUS"] == "CANCELLED"


def test_known_work_addresses_are_used_and_the_others_stay_placeholders() -> None:
    claire = person("29:1aBc-Claire", "Claire")
    claire.email = "claire.dubois@example.com"
    lea = person("29:9xYz", "Léa Martin")
    known = dataclasses.replace(event(), organiser=claire, attendees=(claire, lea))
    (vevent,) = Calendar.from_ical(ics(known, REQUEST, NOW)).walk("VEVENT")
    assert str(vevent["ORGANIZER"]) == "mailto:claire.dubois@example.com"
    assert [str(a) for a in vevent["ATTENDEE"]] == [
        "mailto:claire.dubois@example.com",
        "mailto:teams-29-9xyz@tandem.invalid",
    ]
