"""``/session move`` and ``/session cancel`` in the console: the same calendar event for both,
its SEQUENCE bumped on a move, METHOD:CANCEL on a cancellation; the reminder follows the new
time; bad input answered in English and French with nothing changed."""

from __future__ import annotations

from icalendar import Calendar

from adapters.console.session import Delivery
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.tables import dump

from .conftest import ConsoleFactory, run_script, said


def invitation(deliveries: list[Delivery], name: str) -> Calendar:
    (file,) = [
        d.message.attachment for d in deliveries if d.recipient == name and d.message.attachment
    ]
    assert file is not None
    return Calendar.from_ical(file.content)


async def test_move_then_cancel_keep_one_event_for_both(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@bob /tandem language fr")
    planned = await console.run_line("@alice /session plan 2026-11-24 10:00")
    first = invitation(planned, "alice")
    (event,) = first.walk("VEVENT")
    uid = event["UID"]

    moved = await console.run_line("@alice /session move 2026-11-26 15:30")
    answer = "\n".join(d.text for d in moved if d.recipient == "alice")
    assert "Moved: your session of Nov 24, 2026, 10:00" in answer
    assert "is now on Thursday, November 26, 2026, 3:30" in answer
    (told,) = [d for d in moved if d.recipient == "bob" and d.key and "session_moved" in d.key]
    assert "alice a déplacé votre session du 24 nov. 2026" in told.text
    for name in ("alice", "bob"):
        calendar = invitation(moved, name)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == uid and event["SEQUENCE"] == 1
        assert event.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == "2026-11-26 15:30"

    # The reminder the day before comes for the new time, not the old one.
    reminders = [
        d
        for d in await console.run_line(":advance 8d")
        if d.recipient == "bob" and d.key and d.key.startswith("session_reminder")
    ]
    assert len(reminders) == 2 and all("15:30" in d.text for d in reminders)
    assert [d.at.day for d in reminders if d.at is not None] == [25, 26]


async def test_cancel_sends_method_cancel_to_both(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@alice /session plan 2026-11-24 10:00")
    cancelled = await console.run_line("@bob /session cancel")
    assert any("Cancelled: your session of Tuesday, November 24" in d.text for d in cancelled)
    for name in ("alice", "bob"):
        calendar = invitation(cancelled, name)
        assert calendar["METHOD"] == "CANCEL"
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == "tandem-session-1@tandem.invalid" and event["SEQUENCE"] == 1
        assert event["STATUS"] == "CANCELLED"
    listed = await said(console, "@alice /session list")
    assert "Planned:" not in listed
    # Nothing planned any more: said so.
    assert "No session is planned for your tandem" in await said(console, "@alice /session cancel")


BAD = [
    ("/session move", "Give the new date and time", "Indiquez la nouvelle date"),
    ("/session move 2026-11-21 10:00", "not one of your working days", "pas un jour travaillé"),
    ("/session move 2026-11-10 10:00", "is already past", "est déjà passé"),
    ("/session move 2026-11-24 10:00", "nothing to move", "rien à déplacer"),
    ("/session move 2026-11-25 zz", "is not a time", "n'est pas une heure"),
    ("/session cancel now please", "takes nothing more", "ne prend rien d'autre"),
]


async def test_bad_moves_and_cancels_change_nothing_in_both_languages(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    nothing = await said(console, "@alice /session move 2026-11-24 10:00")
    assert "No session is planned for your tandem" in nothing
    await console.run_line("@alice /session plan 2026-11-24 10:00")
    for locale, column in (("en", 0), ("fr", 1)):
        await console.run_line(f"@alice /tandem language {locale}")
        for typed, *expected in BAD:
            before = await dump(uow_factory)
            answer = await said(console, f"@alice {typed}")
            assert expected[column] in answer, (locale, typed, answer)
            assert await dump(uow_factory) == before
