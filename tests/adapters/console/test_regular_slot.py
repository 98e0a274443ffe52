"""A regular slot on the virtual clock, in the console with Microsoft 365 connected through
Graph: ``/session plan every 2 weeks tuesday 09:30`` books each occurrence a week ahead in both
calendars; one that clashes with a meeting in Outlook is not booked and both are offered three
other times; ``/session plan stop`` ends it; bad input changes nothing, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.calendar.graph import GraphCalendar
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.calendar_support import give_emails, to
from tests.fakes.graph_calendar import FakeGraph
from tests.tables import dump

from .conftest import ConsoleFactory, run_script, said

JOIN = "https://teams.microsoft.com/l/meetup-join/"


def _keyed(deliveries: list, prefix: str) -> list:  # type: ignore[type-arg]
    return [d for d in deliveries if (d.key or "").startswith(prefix)]


# Scheduling logic, the same on both databases (their queries are tested elsewhere).
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_every_other_tuesday_is_booked_ahead_checked_and_stopped(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    graph: FakeGraph,
    graph_calendar: GraphCalendar,
) -> None:
    console = make_console(calendar=graph_calendar)
    await run_script(console, "two_pairs_en.txt")
    await give_emails(uow_factory, alice="alice@contoso.com", bob="bob@contoso.com")
    await console.run_line("@bob /tandem language fr")
    # Bob has a meeting in Outlook on the morning of the second occurrence (Dec 8).
    graph.busy["bob@contoso.com"].append(
        (datetime(2026, 12, 8, 8, 0, tzinfo=UTC), datetime(2026, 12, 8, 10, 0, tzinfo=UTC))
    )

    set_up = await console.run_line("@alice /session plan every 2 weeks tuesday 09:30")
    (answer,) = [d for d in to(set_up, "alice") if d.text.startswith("Regular slot set")]
    assert "every 2 weeks, on Tuesday, November 24, 2026, 9:30" in answer.text
    # Within a week: the first one is booked at once, in alice's Outlook with bob invited.
    (created,) = graph.calls("POST", "/events")
    assert created.body["start"] == {"dateTime": "2026-11-24T08:30:00", "timeZone": "UTC"}
    booked = _keyed(await console.run_line(":advance 20h"), "regular_booked") + _keyed(
        set_up, "regular_booked"
    )
    (to_alice,) = to(booked, "alice")
    (to_bob,) = to(booked, "bob")
    assert to_alice.text.startswith("Your regular session is booked for Tuesday, November 24")
    assert to_bob.text.startswith("Votre session régulière est réservée pour le mardi 24 novembre")
    assert JOIN in to_alice.text and JOIN in to_bob.text

    # A week before Dec 8: bob is busy then, nothing booked, both offered three other times.
    lived = await console.run_line(":advance 12d")
    assert len(graph.calls("POST", "/events")) == 1
    offered = _keyed(lived, "regular_conflict")
    (to_alice,) = to(offered, "alice")
    (to_bob,) = to(offered, "bob")
    assert to_alice.text.startswith("Your regular session of Tuesday, December 8, 2026")
    assert "does not suit bob (busy then): nothing was booked." in to_alice.text
    assert "ne vous convient pas (pas libre à ce moment-là)" in to_bob.text
    assert len(to_alice.message.choices) == len(to_bob.message.choices) == 3
    rebooked = await console.choose("bob", to_bob.message.choices[-1].value)
    assert len(graph.calls("POST", "/events")) == 2
    assert [d for d in to(rebooked, "alice") if "planned your next session" in d.text]

    # Stopped: nothing more is booked on its own.
    assert (await said(console, "@alice /session plan stop")).startswith("Regular slot stopped")
    lived = await console.run_line(":advance 14d")
    assert not _keyed(lived, "regular_")
    assert len(graph.calls("POST", "/events")) == 2


async def test_bad_regular_slots_change_nothing_in_either_language(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    before = await dump(uow_factory)
    answer = await said(console, "@alice /session plan every 2 weeks funday 08:30")
    assert answer.startswith('"funday" is not a day of the week')
    answer = await said(console, "@alice /session plan every 12 weeks tuesday 09:30")
    assert answer.startswith('"12" is not a number of weeks from 1 to 8')
    answer = await said(console, "@alice /session plan stop")
    assert answer.startswith("There is no regular slot to stop")
    # Before the working day (9:00 by default): every occurrence would be refused.
    answer = await said(console, "@alice /session plan every week monday 07:00")
    assert answer.startswith("Monday 7:00\u202fAM does not suit you: outside your working hours")
    assert await dump(uow_factory) == before
    await console.run_line("@bob /tandem language fr")
    before = await dump(uow_factory)
    answer = await said(console, "@bob /session planifier toutes les 2 semaines mardi 25:00")
    assert "25:00" in answer
    answer = await said(console, "@bob /session planifier chaque semaine dimanche 10:00")
    assert answer.startswith("dimanche 10:00 ne vous convient pas : ce n'est pas l'un de vos")
    assert await dump(uow_factory) == before
    answer = await said(console, "@bob /session planifier toutes les 2 semaines mardi 09:30")
    assert answer.startswith("Créneau régulier choisi : toutes les 2 semaines")
