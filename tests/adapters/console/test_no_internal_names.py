"""What people read never shows the engine's internal names (flows, statuses, keys, fields)."""

from __future__ import annotations

import re

import pytest

from adapters.console.port import Delivery
from adapters.console.session import ConsoleSession

from .conftest import ConsoleFactory, run_script

# What people read, and that nothing changes, are the engine's: SQLite is enough here, the
# storage under it being tested on both databases (tests/storage, the lifecycle tests).
pytestmark = pytest.mark.sqlite_only

# snake_case names (mentee_goal, feedback_request), outbox keys (pair:12), and the flows'
# names that are not words people write ("checkin": they read "check-in").
INTERNAL = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z_]+:\d+\b|\bcheckin\b")


def leaks(deliveries: list[Delivery]) -> dict[str, str]:
    # A data export's attachment is JSON for machines; the message around it is scanned.
    return {
        match: delivery.message.text
        for delivery in deliveries
        for match in INTERNAL.findall(delivery.message.text)
    }


@pytest.mark.parametrize(
    ("locale", "checkin", "feedback"),
    [
        ("en", "• your check-in (how your tandem", "• your feedback on the last session"),
        ("fr", "• votre point d'étape (comment va", "• votre avis sur la dernière session"),
    ],
)
async def test_status_names_what_is_still_open_in_words(
    make_console: ConsoleFactory, locale: str, checkin: str, feedback: str
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line(f"@bob /tandem language {locale}")
    # A feedback form half answered: its first question (the rating) is answered.
    await console.run_line('@alice /session log 45m "LinkedIn basics"')
    await console.run_line(":advance 2h")
    await console.run_line("@bob 4")
    status = await console.run_line("@bob /tandem status")
    assert feedback in "\n".join(d.text for d in status)
    assert not leaks(status)
    # The first check-in arrives two weeks after the pairing, and stays open unanswered.
    deliveries = await console.run_line(":advance 15d")
    assert [d for d in deliveries if d.recipient == "bob" and d.key and "checkin" in d.key]
    status = await console.run_line("@bob /tandem status")
    assert checkin in "\n".join(d.text for d in status)
    assert not leaks(status)


@pytest.mark.parametrize(
    ("script", "locale"), [("walkthrough_en.txt", "en"), ("walkthrough_fr.txt", "fr")]
)
async def test_a_whole_program_shows_no_internal_name(
    make_console: ConsoleFactory, script: str, locale: str
) -> None:
    console: ConsoleSession = make_console(locale=locale)
    await run_script(console, script)
    assert len(console.transcript) > 50
    assert not leaks(console.transcript)
