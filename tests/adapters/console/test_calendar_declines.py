"""Declines and deletions in people's calendars, found by polling on the real engine in the
console: the partner declines the invitation (or the organiser deletes the event) in Outlook or
Google Calendar; the next tick reads the event, the session is called off and counted, both are
told in their own language with three new slots, and one click books again in both calendars.
A calendar that cannot be read is skipped quietly and read again later."""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa

from adapters.calendar.google import GoogleCalendar
from adapters.calendar.graph import GraphCalendar
from adapters.console.session import ConsoleSession, Delivery
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.calendar_support import give_emails, to
from tests.fakes.calendar_common import Failure, FakeCalendarServer
from tests.fakes.google_calendar import FakeGoogleCalendar
from tests.fakes.graph_calendar import FakeGraph

from .conftest import ConsoleFactory, run_script


class Answering(Protocol):
    def decline(self, event_id: str, address: str) -> None: ...

    def delete_by_organiser(self, event_id: str) -> None: ...


async def _booked(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    calendar: GraphCalendar | GoogleCalendar,
    domain: str,
) -> ConsoleSession:
    console = make_console(calendar=calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice=f"alice@{domain}", bob=f"bob@{domain}")
    # bob reads French: what he is told of the decline is in French.
    await console.run_line("@bob /tandem language fr")
    await console.run_line("@alice /session plan 2026-11-24 10:00")
    return console


async def _told(console: ConsoleSession, hours: int = 2) -> list[Delivery]:
    """What the next hours bring, the tick reading the calendar again every half hour."""
    return [d for d in await console.run_line(f":advance {hours}h") if d.key]


async def _cancelled_rows(uow_factory: SqlUnitOfWorkFactory) -> list[tuple[bool, str | None]]:
    async with uow_factory.engine.connect() as connection:
        columns = tables.planned_session.c
        rows = await connection.execute(
            sa.select(columns.cancelled, columns.outcome).order_by(columns.id)
        )
        return [(bool(row.cancelled), row.outcome) for row in rows]


async def _cancelled_in_a_row(uow_factory: SqlUnitOfWorkFactory) -> int:
    async with uow_factory.engine.connect() as connection:
        found = await connection.execute(sa.select(sa.func.max(tables.pair.c.cancelled_in_a_row)))
        return int(found.scalar_one())


async def _scenario(
    console: ConsoleSession,
    uow_factory: SqlUnitOfWorkFactory,
    server: FakeCalendarServer,
    answering: Answering,
    *,
    declined: bool,
    domain: str,
) -> None:
    (event_id,) = list(server.events)
    # Nothing changed in the calendar yet: the tick reads the event and says nothing (till
    # the next morning, when people are told things).
    assert not [d for d in await _told(console, 20) if "declined" in (d.key or "")]
    assert server.calls("GET", f"/events/{event_id}")
    if declined:
        answering.decline(event_id, f"bob@{domain}")
    else:
        answering.delete_by_organiser(event_id)

    told = await _told(console)
    (alice,) = [d for d in to(told, "alice") if d.key and d.key.startswith("session_declined")]
    (bob,) = [d for d in to(told, "bob") if d.key and d.key.startswith("session_declined")]
    if declined:
        assert alice.text.startswith("bob declined the session of Tuesday, November 24, 2026")
        assert "it is cancelled and removed from the calendars" in alice.text
        assert bob.text.startswith("Vous avez refusé la session du mardi 24 novembre 2026")
        # The organiser's event goes too: alice's calendar keeps no session that is off.
        assert server.calls("DELETE", f"/events/{event_id}")
    else:
        assert alice.text.startswith("Your session of Tuesday, November 24, 2026, 10:00")
        assert "(Paris Time) was deleted from your calendar: it is cancelled." in alice.text
        assert bob.text.startswith("Votre session du mardi 24 novembre 2026")
        assert "supprimée de l'agenda de alice : elle est annulée." in bob.text
        assert not server.calls("DELETE")
    assert "Times when you are both free" in alice.text
    assert "Créneaux où vous êtes tous deux libres" in bob.text
    assert len(alice.message.choices) == len(bob.message.choices) == 3
    # The same slots for both, each labelled on their own clock and in their language.
    assert [c.value.split("|")[1] for c in alice.message.choices] == [
        c.value.split("|")[1] for c in bob.message.choices
    ]
    assert await _cancelled_rows(uow_factory) == [(True, "cancelled")]
    assert await _cancelled_in_a_row(uow_factory) == 1
    # Told once: the next ticks read nothing more of that session.
    again = await _told(console)
    assert not [d for d in again if (d.key or "").startswith("session_declined")]

    created_before = len(server.calls("POST", "/events"))
    # The first slot passed meanwhile (that afternoon): bob takes the next day's.
    booked = await console.choose("bob", bob.message.choices[1].value)
    assert len(server.calls("POST", "/events")) == created_before + 1
    assert [d for d in to(booked, "bob") if "Prochaine session planifiée" in d.text]
    assert [d for d in to(booked, "alice") if "planned your next session" in d.text]
    assert [row[0] for row in await _cancelled_rows(uow_factory)] == [True, False]
    # alice clicks one of hers too late: told what was booked, nothing twice.
    late = await console.choose("alice", alice.message.choices[2].value)
    assert any(d.text.startswith("Already booked") for d in to(late, "alice"))
    assert len(server.calls("POST", "/events")) == created_before + 1


async def test_the_partner_declines_in_outlook(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = await _booked(make_console, uow_factory, graph_calendar, "contoso.com")
    await _scenario(console, uow_factory, graph, graph, declined=True, domain="contoso.com")
    (read, *_) = graph.calls("GET", "/events/")
    assert read.path.startswith("/v1.0/users/alice@contoso.com/events/")
    assert read.query == {"$select": "attendees,isCancelled"}


async def test_the_organiser_deletes_it_in_outlook(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = await _booked(make_console, uow_factory, graph_calendar, "contoso.com")
    await _scenario(console, uow_factory, graph, graph, declined=False, domain="contoso.com")


async def test_the_partner_declines_in_google_calendar(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    google: FakeGoogleCalendar,
    google_calendar: GoogleCalendar,
) -> None:
    console = await _booked(make_console, uow_factory, google_calendar, "example.org")
    await _scenario(console, uow_factory, google, google, declined=True, domain="example.org")
    (read, *_) = google.calls("GET", "/events/")
    assert read.path.startswith("/calendar/v3/calendars/alice@example.org/events/")


async def test_the_organiser_deletes_it_in_google_calendar(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    google: FakeGoogleCalendar,
    google_calendar: GoogleCalendar,
) -> None:
    console = await _booked(make_console, uow_factory, google_calendar, "example.org")
    await _scenario(console, uow_factory, google, google, declined=False, domain="example.org")


async def test_a_calendar_that_cannot_be_read_is_read_again_later(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = await _booked(make_console, uow_factory, graph_calendar, "contoso.com")
    (event_id,) = list(graph.events)
    graph.decline(event_id, "bob@contoso.com")
    down = Failure(500, {"error": {"code": "generalException", "message": "x"}})
    graph.fail("get", *[down] * 100)
    quiet = await _told(console, 20)
    assert len(graph.calls("GET", "/events/")) >= 19  # read at every tick, in vain
    # Nobody told anything (the owners neither), nothing called off.
    assert not [d for d in quiet if d.recipient in ("alice", "bob", "hr") and d.key]
    assert await _cancelled_rows(uow_factory) == [(False, None)]
    graph.failures["get"].clear()
    told = await console.run_line(":advance 3h")
    assert {d.recipient for d in told if (d.key or "").startswith("session_declined")} == {
        "alice",
        "bob",
    }


async def test_a_session_declined_gets_no_reminder(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    """Declined just before its reminder falls due: the tick that finds the decline sends no
    reminder for it, and the ones after see it called off."""
    console = make_console(calendar=graph_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@contoso.com", bob="bob@contoso.com")
    # Tomorrow 16:00 in Paris: its reminder a day ahead falls due at the next hour's tick.
    await console.run_line("@alice /session plan 2026-11-19 16:00")
    (event_id,) = list(graph.events)
    graph.decline(event_id, "bob@contoso.com")
    lived = await console.run_line(":advance 3h")
    assert {d.recipient for d in lived if (d.key or "").startswith("session_declined")} == {
        "alice",
        "bob",
    }
    assert not [d for d in lived if (d.key or "").startswith("session_reminder")]
