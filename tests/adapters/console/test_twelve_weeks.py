"""Twelve weeks of a program on the virtual clock: every check-in, reminder and nudge arrives
once, at the right local time, in working hours, never during a pause."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from adapters.console.port import Delivery
from bot.clock import VirtualClock

from .conftest import ConsoleFactory, run_script

PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")
ZONES = {"alice": PARIS, "bob": PARIS, "hr": PARIS, "dan": NEW_YORK, "erin": NEW_YORK}


def scheduled(console_transcript: list[Delivery], purpose: str) -> list[Delivery]:
    return [d for d in console_transcript if d.key and d.key.split(":")[0] == purpose]


def local(delivery: Delivery) -> datetime:
    assert delivery.at is not None
    return delivery.at.astimezone(ZONES[delivery.recipient])


# Twelve weeks hour by hour: on SQLite only, to keep CI short. The tick's SQL runs on PostgreSQL
# in tests/bot/scheduling (the round, the due index against the full scan) and in the shorter
# console scenarios, which run on both.
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_twelve_weeks_in_paris_and_new_york(make_console: ConsoleFactory) -> None:
    console = make_console(clock=VirtualClock(datetime(2026, 10, 5, 13, 0, tzinfo=UTC)))
    await run_script(console, "twelve_weeks_en.txt")
    transcript = console.transcript

    checkins = scheduled(transcript, "checkin")
    by_person: dict[str, list[date]] = {}
    for delivery in checkins:
        moment = local(delivery)
        # 10:00 sharp in the person's own zone, on a working day, DST or not.
        assert moment.time() == time(10, 0), (delivery.recipient, moment)
        assert moment.weekday() < 5
        by_person.setdefault(delivery.recipient, []).append(moment.date())
    # Paris anchors on Saturday 10 October: every other Saturday moves to the Monday after.
    paris = [
        date(2026, 10, 26),
        date(2026, 11, 9),
        date(2026, 11, 23),
        date(2026, 12, 7),
        date(2026, 12, 21),
    ]
    assert by_person["alice"] == paris
    assert by_person["bob"] == paris
    # New York anchors on Wednesday 7 October; erin is paused from 29 October to 20 November.
    new_york = [
        date(2026, 10, 21),
        date(2026, 11, 4),
        date(2026, 11, 18),
        date(2026, 12, 2),
        date(2026, 12, 16),
    ]
    assert by_person["dan"] == new_york
    assert by_person["erin"] == [date(2026, 10, 21), date(2026, 12, 2), date(2026, 12, 16)]
    # The same 10:00 is 14:00 UTC in October and 15:00 UTC once New York left summer time.
    dan = [d.at.hour for d in checkins if d.recipient == "dan" and d.at]
    assert dan == [14, 15, 15, 15, 15]

    # alice never answers her check-ins: each gets one reminder two days later, none twice.
    reminders = scheduled(transcript, "checkin_reminder")
    assert Counter(d.recipient for d in reminders)["alice"] == 5
    assert all(local(d).time() == time(10, 0) for d in reminders if d.recipient == "alice")

    # The charter nudge fell on Saturday 10 October and waited for Monday 9:00 in New York.
    charter = scheduled(transcript, "charter_nudge")
    assert sorted(d.recipient for d in charter) == ["dan", "erin"]
    assert {local(d) for d in charter} == {datetime(2026, 10, 12, 9, 0, tzinfo=NEW_YORK)}

    # The session planned for 5 November 15:00 Paris: reminders the day before and an hour before.
    session = scheduled(transcript, "session_reminder")
    assert sorted((d.recipient, local(d).strftime("%m-%d %H:%M")) for d in session) == [
        ("alice", "11-04 15:00"),
        ("alice", "11-05 14:00"),
        ("bob", "11-04 15:00"),
        ("bob", "11-05 14:00"),
    ]

    # The other side of the logged session is asked for feedback an hour later.
    feedback = scheduled(transcript, "feedback")
    assert [(d.recipient, local(d).strftime("%m-%d %H:%M")) for d in feedback] == [
        ("alice", "10-20 16:00")
    ]

    # Nobody received anything outside their working hours, nor anything twice.
    for delivery in transcript:
        if delivery.kind != "push":
            continue
        moment = local(delivery)
        assert moment.weekday() < 5 and time(9) <= moment.time() < time(18), delivery
    keys = [d.key for d in transcript if d.key]
    assert len(keys) == len(set(keys))

    # Nothing reached erin during her pause (4 to 20 November); her return came on the 20th.
    during_pause = [
        d
        for d in transcript
        if d.recipient == "erin"
        and d.kind == "push"
        and d.at
        and datetime(2026, 11, 4, 13, tzinfo=UTC) <= d.at < datetime(2026, 11, 20, tzinfo=UTC)
    ]
    assert during_pause == []
    (back,) = scheduled(transcript, "pause_over")
    assert back.recipient == "erin" and local(back) == datetime(2026, 11, 20, 9, 0, tzinfo=NEW_YORK)

    # Quiet pairs: both sides nudged after 21 days without a logged session, owners after 28.
    quiet = sorted(
        (d.recipient, local(d).strftime("%m-%d %H:%M")) for d in scheduled(transcript, "quiet")
    )
    assert quiet == [
        ("alice", "11-10 14:00"),
        ("bob", "11-10 14:00"),
        ("dan", "10-26 09:00"),
        ("erin", "10-26 09:00"),
    ]
    owners = sorted(local(d).strftime("%m-%d %H:%M") for d in scheduled(transcript, "quiet_owner"))
    assert owners == ["11-02 14:00", "11-17 14:00"]
