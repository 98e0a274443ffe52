"""Ten weeks of the inactivity policy on the virtual clock (tests/scripts/inactivity_en.txt):
the silent are asked once whether they are still in, then paused a week later; an idle pair is
warned after 45 days and closed a week later; the owners read it in the weekly digest."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.console.port import Delivery
from bot.clock import VirtualClock

from .conftest import ConsoleFactory, run_script

PARIS = ZoneInfo("Europe/Paris")


def sent(transcript: list[Delivery], purpose: str) -> list[tuple[str, str]]:
    """(recipient, local day and time) of each message of ``purpose``, in order."""
    return [
        (d.recipient, d.at.astimezone(PARIS).strftime("%m-%d %H:%M"))
        for d in transcript
        if d.key and d.key.split(":")[0] == purpose and d.at is not None
    ]


# Ten weeks hour by hour: on SQLite only, like the twelve-week scenario; the tick's queries
# run on PostgreSQL in the shorter scenarios.
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_ten_weeks_of_silence_and_idle_pairs(make_console: ConsoleFactory) -> None:
    console = make_console(clock=VirtualClock(datetime(2026, 10, 5, 13, 0, tzinfo=UTC)))
    await run_script(console, "inactivity_en.txt")
    transcript = console.transcript

    # Three check-ins in a row unanswered: asked once, the morning the third one expired;
    # bob, who answered, never.
    assert sent(transcript, "silence") == [
        ("alice", "11-20 10:00"),
        ("carol", "11-20 10:00"),
        ("dan", "11-20 10:00"),
    ]
    question = next(d for d in transcript if d.key == "silence:1:2026-11-20")
    assert [choice.label for choice in question.message.choices] == [
        "I'm still in",
        "Pause until…",
        "Leave the program",
    ]
    # carol and dan said they are still in; alice stayed silent: paused a week later, to the
    # hour, and bob told.
    assert sent(transcript, "auto_paused") == [("alice", "11-27 10:00")]
    assert sent(transcript, "partner_auto_paused") == [("bob", "11-27 10:00")]
    # Nothing more reaches alice during her pause; the others' check-ins go on.
    after = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert not [d for d in transcript if d.recipient == "alice" and d.at and d.at > after]
    assert [who for who, when in sent(transcript, "checkin") if when == "11-30 10:00"] == [
        "bob",
        "carol",
        "dan",
    ]
    # Their answers a week apart start a new count: no second question in the ten weeks.
    assert len(sent(transcript, "silence")) == 3

    # carol and dan logged one session on the first day: warned after 45 days, closed after 52;
    # alice and bob logged one on 2 November and are neither warned nor closed.
    assert sent(transcript, "idle_warning") == [("carol", "11-19 14:00"), ("dan", "11-19 14:00")]
    assert sent(transcript, "idle_closed") == [("carol", "11-26 14:00"), ("dan", "11-26 14:00")]

    # The owners read both in the digest of the week they happened in.
    digests = {d.key: d.text for d in transcript if d.kind == "channel" and d.key}
    week = digests["digest:1:2026-W49"]
    assert "Comings and goings" in week, week
    assert "carol & dan: tandem closed after 52 days without activity" in week
    assert "alice paused: no answer to 3 messages, then 7 days of silence" in week
    told_weeks = [key for key, text in digests.items() if "Comings and goings" in text]
    assert told_weeks == ["digest:1:2026-W49"]

    # Nobody received anything twice.
    keys = [d.key for d in transcript if d.key]
    assert len(keys) == len(set(keys))
