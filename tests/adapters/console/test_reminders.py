"""A session reminder is worded for when it is read, and never arrives once the session began."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from .conftest import ConsoleFactory, run_script

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("locale", "today", "tomorrow"),
    [
        ("en", "is today at 8:00\u202fPM (Paris Time).", "tomorrow"),
        ("fr", "a lieu aujourd'hui à 20:00 (heure : Paris).", "demain"),
    ],
)
async def test_an_evening_reminder_held_until_the_morning_says_today(
    make_console: ConsoleFactory, locale: str, today: str, tomorrow: str
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line(f"@alice /tandem language {locale}")
    # Friday 20:00 in Paris: the day-before reminder falls due on Thursday at 20:00, after
    # working hours, and waits for Friday 09:00, the day of the session itself.
    await console.run_line("@bob /session plan 2026-11-20 20:00 anyway")
    deliveries = await console.run_line(":advance 3d")
    (reminder,) = [
        d
        for d in deliveries
        if d.recipient == "alice" and d.key and d.key.startswith("session_reminder")
    ]
    assert reminder.at is not None
    shown = reminder.at.astimezone(PARIS)
    assert (shown.weekday(), shown.hour) == (4, 9)
    assert today in reminder.text
    assert tomorrow not in reminder.text
    assert ":00:00" not in reminder.text and "Standard Time" not in reminder.text


async def test_a_reminder_that_would_arrive_after_the_session_is_not_sent(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    # Sunday noon: both reminders fall on the weekend, and the next working moment (Monday
    # 09:00) is after the session; a reminder then would only tell of something past.
    await console.run_line("@bob /session plan 2026-11-22 12:00 anyway")
    deliveries = await console.run_line(":advance 6d")
    assert not [d for d in deliveries if d.key and d.key.startswith("session_reminder")]
    # Its "did it happen?" question still comes, on Monday morning.
    assert [d for d in deliveries if d.key and d.key.startswith("planned_outcome")]
