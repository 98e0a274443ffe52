"""``/session plan`` with no date, in the console on the real engine: three free slots inside
both people's working hours, one click (or its number) books it for both with an .ics
invitation, a second or forged click changes nothing; a date and time given is checked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from adapters.console.session import ConsoleSession, Delivery
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.tables import dump

from .conftest import ConsoleFactory, run_script, said

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def proposal(deliveries: list[Delivery], name: str) -> Delivery:
    (shown,) = [d for d in deliveries if d.recipient == name and d.message.choices]
    return shown


def slot_starts(shown: Delivery) -> list[datetime]:
    """The instants the buttons offer (``<token>|slot:<pair>:<unix seconds>``)."""
    return [
        datetime.fromtimestamp(int(c.value.split(":")[2]), PARIS) for c in shown.message.choices
    ]


def parsed_invitation(delivery: Delivery) -> Calendar:
    attachment = delivery.message.attachment
    assert attachment is not None and attachment.media_type == "text/calendar"
    return Calendar.from_ical(attachment.content)


async def paired(make_console: ConsoleFactory) -> ConsoleSession:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    return console


async def test_three_free_slots_on_different_days_and_one_click_books_it_for_both(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await paired(make_console)
    # Alice already has a session tomorrow at 9:00: no proposal overlaps it.
    await console.run_line("@alice /session plan 2026-11-19 9:00")
    deliveries = await console.run_line("@alice /session plan")
    shown = proposal(deliveries, "alice")
    assert "both free, within both your working hours (1 h)" in shown.text
    starts = slot_starts(shown)
    assert len(starts) == 3 and len({s.date() for s in starts}) == 3
    for start in starts:
        assert start.weekday() < 5 and start.hour >= 9 and start.hour + 1 <= 18
        assert start > console.clock.now()
    assert all(not (s.date().day == 19 and s.hour == 9) for s in starts)
    assert next(c.label for c in shown.message.choices).count(":") == 1

    # One click books the second slot for both, each with the invitation for their calendar.
    booked = await console.choose("alice", shown.message.choices[1].value)
    (answer,) = [d for d in booked if d.recipient == "alice" and d.kind == "reply"][:1]
    assert "Next session planned for" in answer.text
    (told,) = [d for d in booked if d.recipient == "bob" and d.key and "session_planned" in d.key]
    assert "alice planned your next session" in told.text
    for delivery in (answer, told):
        calendar = parsed_invitation(delivery)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == "tandem-session-2@tandem.invalid"
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == starts[1]
        assert str(event["DTSTART"].params["TZID"]) == "Europe/Paris"
        assert (event.decoded("DTEND") - event.decoded("DTSTART")).total_seconds() == 3600
        (zone,) = calendar.walk("VTIMEZONE")
        assert zone["TZID"] == "Europe/Paris"

    # The same proposal clicked again (another button of it, another device): refused with
    # what was booked, and nothing changes.
    before = await dump(uow_factory)
    (again,) = await console.choose("alice", shown.message.choices[2].value)
    assert again.message.refused and "Already booked: your next session is on" in again.text
    assert await dump(uow_factory) == before


async def test_a_number_books_too_and_a_forged_click_changes_nothing(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await paired(make_console)
    await console.run_line("@bob /tandem language fr")
    deliveries = await console.run_line("@bob /session plan")
    shown = proposal(deliveries, "bob")
    assert "Créneaux où alice et vous êtes tous deux libres" in shown.text
    # A value made up (no token, or another pair's): refused, nothing planned.
    before = await dump(uow_factory)
    pair_and_time = shown.message.choices[0].value.split("|", 1)[1]
    seconds = pair_and_time.split(":")[2]
    for forged in (pair_and_time, f"slot:2:{seconds}:0", "slot:x:y"):
        (refusal,) = await console.choose("bob", forged)
        assert refusal.message.refused and "Ce bouton n'est plus valable" in refusal.text
    assert await dump(uow_factory) == before

    answer = await said(console, "@bob 1")
    assert "Prochaine session planifiée le" in answer
    assert str(slot_starts(shown)[0].day) in answer


async def test_proposals_fall_in_both_working_days_across_paris_and_new_york(
    make_console: ConsoleFactory,
) -> None:
    console = await paired(make_console)
    await console.run_line("@bob /tandem timezone America/New_York")
    shown = proposal(await console.run_line("@alice /session plan"), "alice")
    for start in slot_starts(shown):
        there = start.astimezone(NEW_YORK)
        assert there.hour >= 9 and there.hour + 1 <= 18 and there.weekday() < 5
        assert start.hour >= 9 and start.hour + 1 <= 18
    # Each time is also given on bob's clock.
    assert "for bob (New York Time)" in shown.text


async def test_a_slot_that_has_passed_is_refused_and_nothing_is_planned(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await paired(make_console)
    shown = proposal(await console.run_line("@alice /session plan"), "alice")
    await console.run_line(":advance 4d")
    before = await dump(uow_factory)
    (refusal,) = await console.choose("alice", shown.message.choices[0].value)
    assert refusal.message.refused and "That time has passed" in refusal.text
    assert await dump(uow_factory) == before


async def test_a_slot_taken_meanwhile_is_refused(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await paired(make_console)
    shown = proposal(await console.run_line("@alice /session plan"), "alice")
    first = slot_starts(shown)[0]
    # Bob plans a session at that very time by hand before alice clicks.
    await console.run_line(f"@bob /session plan {first.date().isoformat()} {first:%H:%M}")
    before = await dump(uow_factory)
    (refusal,) = await console.choose("alice", shown.message.choices[0].value)
    assert refusal.message.refused and "Already booked" in refusal.text
    assert await dump(uow_factory) == before


BAD_PLANS = [
    # A Saturday, an evening, a clash with the session planned below, a past day, nonsense.
    ("2026-11-21 10:00", "that day is not one of your working days", "n'est pas un jour travaillé"),
    (
        "2026-11-20 20:00",
        "outside your working hours (9:00\u202fAM–6:00\u202fPM",
        "heures de travail (09:00–18:00",
    ),
    ("2026-11-23 10:30", "another session or a workshop then", "déjà une session ou un atelier"),
    ("2026-11-10 10:00", "is already past", "est déjà passé"),
    ("2026-11-24 banana", "is not a time", "n'est pas une heure"),
]


async def test_a_bad_date_and_time_is_answered_in_both_languages_and_nothing_changes(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await paired(make_console)
    await console.run_line("@bob /session plan 2026-11-23 10:00")
    for locale, column in (("en", 1), ("fr", 2)):
        await console.run_line(f"@alice /tandem language {locale}")
        for typed, *expected in BAD_PLANS:
            before = await dump(uow_factory)
            answer = await said(console, f"@alice /session plan {typed}")
            assert expected[column - 1] in answer, (locale, typed, answer)
            assert await dump(uow_factory) == before
    # A refusal names the times that would suit both, on the reader's clock.
    offered = await said(console, "@alice /session plan 2026-11-21 10:00")
    assert "Libres pour vous deux : 18 nov. 2026, 17:00 (heure : Paris)" in offered
    assert "/session plan 2026-11-21 10:00 quand-même" in offered
    # Outside working hours on purpose: said so, it is planned.
    answer = await said(console, "@alice /session plan 2026-11-20 20:00 quand-même")
    assert "Prochaine session planifiée le" in answer


async def test_the_programs_closures_are_not_proposed_nor_accepted(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await paired(make_console)
    await console.run_line("@hr /tandem program set closed: 2026-11-19..2026-11-20")
    shown = proposal(await console.run_line("@alice /session plan"), "alice")
    assert [s.date().day for s in slot_starts(shown)] == [18, 23, 24]
    before = await dump(uow_factory)
    answer = await said(console, "@alice /session plan 2026-11-19 10:00")
    assert "that day is not one of your working days" in answer
    assert await dump(uow_factory) == before
