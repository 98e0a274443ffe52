"""Twelve weeks of one program, and the figures its owners get, worked out by hand.

Two pairs in "Pilot" (6 sessions of 1 h every 14 days from Wednesday 18 November 2026, so its
last day is 10 February 2027). alice & bob meet every other week (45 min), dan & erin three
times and then go quiet. Nobody answers a check-in or a self-assessment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.port import Delivery
from tests.console_support import ConsoleFactory, run_script


def posts(deliveries: list[Delivery], prefix: str) -> list[Delivery]:
    return [d for d in deliveries if d.kind == "channel" and (d.key or "").startswith(prefix)]


# Ninety days hour by hour: on SQLite only, to keep CI short. The digest's SQL runs on
# PostgreSQL in test_digest.py and test_outcomes.py, on the same figures.
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_twelve_weeks_of_digests_and_the_closing_report(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    # Week 0, Wednesday 18 November: alice 45 min, dan 1 h (and the digest channel).
    await run_script(console, "digest_week_en.txt")
    transcript: list[Delivery] = []
    for week in range(1, 12):
        # Wednesdays at 16:00 UTC: alice every other week, dan in weeks 1 and 2 only.
        transcript += await console.run_line(":advance 7d")
        if week % 2:
            await console.run_line(f'@alice /session log 45m "Topic {week}"')
        if week <= 2:
            await console.run_line(f'@dan /session log 1h "Topic {week}"')
    # On to Wednesday 17 February 2027, 09:00 in Paris: a week after the program's last day.
    until = datetime(2027, 2, 17, 8, 0, tzinfo=UTC)
    transcript += await console.run_line(
        f":advance {(until - console.clock.now()) // timedelta(hours=1)}h"
    )

    digests = posts(transcript, "digest:")
    # One digest every Monday from 23 November to 15 February: 13 of them, each once.
    assert len(digests) == 13 and len({d.key for d in digests}) == 13
    (last_monday,) = [d for d in digests if d.key == "digest:1:2027-W06"]
    text = last_monday.text
    # 1–7 February: alice's session of Wednesday 3 February (week 11).
    assert 'Weekly digest of "Pilot", Feb 1, 2027 – Feb 7, 2027' in text
    assert "Sessions this week: 1 (45 min)" in text
    # alice in weeks 0, 1, 3, 5, 7, 9 and 11: 7 × 45 min; dan in weeks 0, 1 and 2: 3 × 1 h.
    # 10 sessions, 5 h 15 + 3 h = 8 h 15, of the 12 planned in the charters: 83%.
    since_start = "10 sessions (8 h 15) out of 12 planned in the charters (12 h), 83%"
    assert f"Since the start: {since_start}" in text
    assert "1 of them active (a session in the last 3 weeks)" in text
    assert "Topics covered most: topic 11 (1)" in text
    # dan's last session was on 2 December at 16:00 UTC; Monday 8 February 08:00 UTC is 67
    # days and 16 hours later.
    assert "dan & erin: quiet for 67 days: suggest a date for their next session" in text
    assert "Check-in mood: no check-in answered this week" in text

    (closing,) = posts(transcript, "report:final:")
    assert closing.recipient == "#owners"
    assert closing.text.startswith('Program report of "Pilot", since Nov 18, 2026')
    assert since_start in closing.text
    # Every digest went to the owners' channel, and nowhere else.
    assert {d.recipient for d in digests} == {"#owners"}
