"""A Google Workspace domain connected through the Calendar API with a service account, in the
console: free/busy for both in one freeBusy request, a Google Meet event in the organiser's
calendar (``conferenceDataVersion=1``, ``sendUpdates=all``), the link in the reminder, a move
patching it and a cancellation deleting it; no delegation: .ics, and the owners told once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from adapters.calendar.google import GoogleCalendar
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.calendar_support import give_emails, to
from tests.fakes.google_calendar import FakeGoogleCalendar

from .conftest import ConsoleFactory, run_script
from .test_session_proposals import parsed_invitation, proposal, slot_starts

PARIS = ZoneInfo("Europe/Paris")
MEET = "https://meet.google.com/"


async def test_proposal_booking_reminder_move_and_cancel_go_through_google(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    google: FakeGoogleCalendar,
    google_calendar: GoogleCalendar,
) -> None:
    console = make_console(calendar=google_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@example.org", bob="bob@example.org")
    google.busy["alice@example.org"].append(
        (datetime(2026, 11, 20, 8, 0, tzinfo=UTC), datetime(2026, 11, 20, 10, 30, tzinfo=UTC))
    )

    shown = proposal(await console.run_line("@alice /session plan"), "alice")
    starts = slot_starts(shown)
    (friday,) = [i for i, s in enumerate(starts) if s.day == 20]
    assert starts[friday].astimezone(PARIS).strftime("%H:%M") == "11:30"
    (asked,) = google.calls("POST", "/freeBusy")
    assert sorted(i["id"] for i in asked.body["items"]) == ["alice@example.org", "bob@example.org"]

    booked = await console.choose("alice", shown.message.choices[friday].value)
    (inserted,) = google.calls("POST", "/events")
    assert inserted.path == "/calendar/v3/calendars/alice@example.org/events"
    assert inserted.query == {"conferenceDataVersion": "1", "sendUpdates": "all"}
    assert inserted.body["attendees"] == [{"email": "bob@example.org"}]
    request = inserted.body["conferenceData"]["createRequest"]
    assert request["conferenceSolutionKey"] == {"type": "hangoutsMeet"} and request["requestId"]
    assert inserted.body["start"] == {
        "dateTime": "2026-11-20T11:30:00+01:00",
        "timeZone": "Europe/Paris",
    }
    # The token was asked as alice, the organiser (domain-wide delegation).
    assert google.subjects == ["alice@example.org"]
    for name, words in (("alice", "Next session planned"), ("bob", "planned your next session")):
        (delivery,) = [d for d in to(booked, name) if words in d.text]
        assert MEET in delivery.text and delivery.message.attachment is None

    reminders = [
        d
        for d in await console.run_line(":advance 1d")
        if d.key and d.key.startswith("session_reminder")
    ]
    assert {d.recipient for d in reminders} == {"alice", "bob"}
    assert all(MEET in d.text for d in reminders)

    await console.run_line("@alice /session move 2026-11-24 10:00")
    (patch,) = google.calls("PATCH")
    event_id = next(iter(google.events))
    assert patch.path == f"/calendar/v3/calendars/alice@example.org/events/{event_id}"
    assert patch.query["sendUpdates"] == "all"
    assert patch.body["start"]["dateTime"] == "2026-11-24T10:00:00+01:00"

    await console.run_line("@bob /session cancel")
    (delete,) = google.calls("DELETE")
    assert delete.path == f"/calendar/v3/calendars/alice@example.org/events/{event_id}"
    assert delete.query == {"sendUpdates": "all"}
    assert google.events[event_id]["status"] == "cancelled"


async def test_no_delegation_books_with_ics_and_tells_the_owners_once(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    google: FakeGoogleCalendar,
    google_calendar: GoogleCalendar,
) -> None:
    console = make_console(calendar=google_calendar, locale="fr")
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@example.org")
    google.delegated = False
    await console.run_line("@hr /tandem language fr")

    booked = await console.run_line("@alice /session plan 2026-11-24 10:00")
    (answer,) = [d for d in to(booked, "alice") if "Next session planned" in d.text]
    (event,) = parsed_invitation(answer).walk("VEVENT")
    assert event["UID"] == "tandem-session-1@tandem.invalid"
    await console.run_line("@alice /session move 2026-11-25 10:00")

    (notice,) = [d for d in console.transcript if d.recipient == "hr" and "agenda" in d.text]
    assert "L'agenda Google de alice n'a pas pu être lu" in notice.text
    assert "Délégation au niveau du domaine" in notice.text
    assert not google.events
