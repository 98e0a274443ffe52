"""A Microsoft 365 tenant connected through Graph, in the console on the real engine: proposals
avoid what the calendars say is busy, one click books a Teams meeting in the organiser's
calendar with the partner invited, the reminder carries the link, a move PATCHes the event and a
cancellation DELETEs it; a refused calendar falls back to .ics and the owners are told once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.calendar.graph import GraphCalendar
from bot.clock import VirtualClock
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.calendar_support import give_emails, to
from tests.fakes.calendar_common import Failure
from tests.fakes.graph_calendar import FakeGraph
from tests.tables import dump

from .conftest import ConsoleFactory, run_script, said
from .test_session_proposals import parsed_invitation, proposal, slot_starts

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
JOIN = "https://teams.microsoft.com/l/meetup-join/"


async def test_proposal_booking_reminder_move_and_cancel_go_through_graph(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = make_console(calendar=graph_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@contoso.com", bob="Bob@Contoso.com")
    # Bob's Outlook calendar has a meeting on Thursday morning that Tandem knows nothing of.
    graph.busy["bob@contoso.com"].append(
        (datetime(2026, 11, 19, 8, 0, tzinfo=UTC), datetime(2026, 11, 19, 12, 0, tzinfo=UTC))
    )

    shown = proposal(await console.run_line("@alice /session plan"), "alice")
    starts = slot_starts(shown)
    (thursday,) = [s for s in starts if s.day == 19]
    assert thursday.astimezone(PARIS).hour == 13  # the first hour after bob's meeting
    # Both mailboxes in one getSchedule request.
    (asked,) = graph.calls("POST", "/calendar/getSchedule")
    assert sorted(asked.body["schedules"]) == ["alice@contoso.com", "bob@contoso.com"]

    friday = next(i for i, s in enumerate(starts) if s.day == 20)
    booked = await console.choose("alice", shown.message.choices[friday].value)
    (created,) = graph.calls("POST", "/events")
    assert created.path == "/v1.0/users/alice@contoso.com/events"
    assert created.body["attendees"] == [
        {"emailAddress": {"address": "bob@contoso.com"}, "type": "required"}
    ]
    assert created.body["isOnlineMeeting"] is True
    assert created.body["onlineMeetingProvider"] == "teamsForBusiness"
    assert created.body["start"] == {
        "dateTime": starts[friday].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "timeZone": "UTC",
    }
    (answer,) = [d for d in to(booked, "alice") if "Next session planned" in d.text]
    (told,) = [d for d in to(booked, "bob") if "planned your next session" in d.text]
    for delivery in (answer, told):
        assert JOIN in delivery.text
        # The event is in both calendars already: no .ics to open.
        assert delivery.message.attachment is None

    # The reminder the day before carries the meeting link.
    reminders = [
        d
        for d in await console.run_line(":advance 20h")
        if d.key and d.key.startswith("session_reminder")
    ]
    assert {d.recipient for d in reminders} == {"alice", "bob"}
    assert all(JOIN in d.text for d in reminders)

    moved = await console.run_line("@alice /session move 2026-11-24 10:00")
    (patch,) = graph.calls("PATCH")
    event_id = next(iter(graph.events))
    assert patch.path == f"/v1.0/users/alice@contoso.com/events/{event_id}"
    assert patch.body["start"] == {"dateTime": "2026-11-24T09:00:00", "timeZone": "UTC"}
    (says,) = [d for d in to(moved, "alice") if "Moved:" in d.text]
    assert JOIN in says.text and "the event is moved in your calendars" in says.text
    (told,) = [d for d in to(moved, "bob") if "moved your session" in d.text]
    assert "Your calendar is updated." in told.text and "attached" not in told.text
    assert all(d.message.attachment is None for d in moved)

    cancelled = await console.run_line("@bob /session cancel")
    (delete,) = graph.calls("DELETE")
    assert delete.path == f"/v1.0/users/alice@contoso.com/events/{event_id}"
    assert graph.events[event_id]["deleted"] is True
    (says,) = [d for d in to(cancelled, "bob") if "Cancelled:" in d.text]
    assert "it is removed from your calendar" in says.text
    (told,) = [d for d in to(cancelled, "alice") if "cancelled your session" in d.text]
    assert "It is removed from your calendar." in told.text
    assert all(d.message.attachment is None for d in cancelled)
    # One token for the whole scenario: msal kept it until it expires.
    assert graph.tokens_issued == 1


async def test_a_partner_without_e_mail_gets_the_ics_and_the_organiser_the_event(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = make_console(calendar=graph_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@contoso.com")
    booked = await console.run_line("@alice /session plan 2026-11-24 10:00")
    (created,) = graph.calls("POST", "/events")
    assert created.body["attendees"] == []
    (answer,) = [d for d in to(booked, "alice") if "Next session planned" in d.text]
    assert JOIN in answer.text and answer.message.attachment is None
    (told,) = [d for d in to(booked, "bob") if "planned your next session" in d.text]
    (event,) = parsed_invitation(told).walk("VEVENT")
    assert event["UID"] == "tandem-session-1@tandem.invalid"
    # Only alice's mailbox was asked for free/busy: bob has no address.
    assert all(
        r.body["schedules"] == ["alice@contoso.com"]
        for r in graph.calls("POST", "/calendar/getSchedule")
    )


async def test_missing_consent_books_with_ics_and_tells_the_owners_once(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = make_console(calendar=graph_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@contoso.com", bob="bob@contoso.com")
    graph.consented = False

    deliveries = await console.run_line("@alice /session plan")
    shown = proposal(deliveries, "alice")
    assert len(slot_starts(shown)) == 3  # from what Tandem knows
    booked = await console.choose("alice", shown.message.choices[0].value)
    for name, words in (("alice", "Next session planned"), ("bob", "planned your next session")):
        (delivery,) = [d for d in to(booked, name) if words in d.text]
        (event,) = parsed_invitation(delivery).walk("VEVENT")
        assert event["UID"] == "tandem-session-1@tandem.invalid"
    await console.run_line("@alice /session plan")
    await console.run_line("@bob /session move 2026-11-24 10:00")

    told = [d for d in console.transcript if d.recipient == "hr" and "calendar" in d.text]
    assert sorted(d.text.split("'s")[0] for d in told) == ["alice", "bob"]
    for notice in told:
        assert "Microsoft 365 calendar could not be read" in notice.text
        assert "Grant admin consent" in notice.text and "Calendars.ReadWrite" in notice.text
        assert ".ics invitation" in notice.text
    assert not graph.calls("DELETE") and not graph.events


async def test_paris_and_new_york_proposals_keep_both_working_hours_across_the_clock_changes(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    """Europe leaves summer time on Oct 25, the United States on Nov 1: for one week New York
    is five hours behind Paris instead of six, and the earliest common hour moves with it."""
    # Wednesday Oct 21, 2026, 15:00 in Paris, 09:00 in New York.
    clock = VirtualClock(datetime(2026, 10, 21, 13, 0, tzinfo=UTC))
    console = make_console(calendar=graph_calendar, clock=clock)
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@bob /tandem timezone America/New_York")
    await give_emails(uow_factory, alice="alice@contoso.com", bob="bob@contoso.com")
    # Alice's Outlook is full on these days (UTC midnights).
    for first, last in ((21, 21), (23, 23), (26, 27), (29, 30)):
        graph.busy["alice@contoso.com"].append(
            (
                datetime(2026, 10, first, 0, 0, tzinfo=UTC),
                datetime(2026, 10, last, 0, 0, tzinfo=UTC) + timedelta(days=1),
            )
        )

    shown = proposal(await console.run_line("@alice /session plan"), "alice")
    starts = slot_starts(shown)
    assert [s.astimezone(PARIS).strftime("%b %d %H:%M") for s in starts] == [
        "Oct 22 15:00",  # both on summer time: six hours apart
        "Oct 28 14:00",  # Paris on winter time, New York not yet: five hours
        "Nov 02 15:00",  # both on winter time: six hours again
    ]
    for start in starts:
        assert start.astimezone(NEW_YORK).strftime("%H:%M") == "09:00"
    # Each slot shown on bob's clock too.
    assert "for bob (New York Time)" in shown.text


async def test_a_typed_time_when_the_partner_is_busy_in_outlook_is_refused_with_free_times(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = make_console(calendar=graph_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@contoso.com", bob="bob@contoso.com")
    graph.busy["bob@contoso.com"].append(
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    )
    before = await dump(uow_factory)
    answer = await said(console, "@alice /session plan 2026-11-24 10:30")
    assert "does not suit bob: bob is busy then (a meeting in their calendar" in answer
    assert "Free for you both:" in answer and "Nothing was planned." in answer
    assert await dump(uow_factory) == before and not graph.events
    await console.run_line("@alice /tandem language fr")
    answer = await said(console, "@alice /session plan 2026-11-24 10:30")
    assert "bob n'est pas libre à ce moment-là (une réunion dans son agenda" in answer


async def test_graph_down_when_booking_falls_back_to_ics_and_says_so_to_the_owners(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = make_console(calendar=graph_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@contoso.com", bob="bob@contoso.com")
    graph.fail("create", Failure(500, {"error": {"code": "generalException", "message": "x"}}))
    booked = await console.run_line("@alice /session plan 2026-11-24 10:00")
    for name, words in (("alice", "Next session planned"), ("bob", "planned your next session")):
        (delivery,) = [d for d in to(booked, name) if words in d.text]
        assert parsed_invitation(delivery)["METHOD"] == "REQUEST"
        assert JOIN not in delivery.text
    (notice,) = [d for d in to(booked, "hr") if "calendar" in d.text]
    assert notice.text.startswith("alice's Microsoft 365 calendar could not be reached")
    assert "the calendar service did not answer" in notice.text
    # The .ics booking is moved with an .ics too, and Graph is not asked to move what it lacks.
    moved = await console.run_line("@alice /session move 2026-11-25 10:00")
    assert all(d.message.attachment is not None for d in moved if "oved" in d.text)
    assert not graph.calls("PATCH")
