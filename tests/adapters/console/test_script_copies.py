"""A script's copy put back in a fresh console (tests/console_support.py) is the script played
for real: the same rows, the same transcript and questions waiting, and what people say next
gets the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.console.session import ConsoleSession
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests import db_snapshots
from tests.console_support import ScriptCopies
from tests.tables import dump

from .conftest import ConsoleFactory, run_script

SCRIPT = "two_pairs_en.txt"
# dan and erin have a charter question waiting; alice and bob go on with theirs.
THEN = (
    "@dan 1",
    "@erin 2",
    "@alice /tandem status",
    '@bob /session log 1h "LinkedIn"',
    ":advance 1d",
    "@alice 4",
)


async def next_answers(console: ConsoleSession) -> list[tuple[str, str, str | None, str]]:
    answers = []
    for line in THEN:
        for delivery in await console.run_line(line):
            answers.append((delivery.recipient, delivery.kind, delivery.key, delivery.text))
    return answers


@pytest.fixture
def script_copies(tmp_path: Path) -> ScriptCopies:
    """A store of this test's own, so that the first console plays the script for real."""
    return ScriptCopies(tmp_path)


async def test_a_copy_put_back_is_the_script_played_for_real(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    script_copies: ScriptCopies,
) -> None:
    engine = uow_factory.engine
    empty = await db_snapshots.take(engine, script_copies.folder)

    played = make_console()
    await run_script(played, SCRIPT)
    assert len(script_copies.taken) == 1
    rows = await dump(uow_factory)
    transcript, speaker = list(played.transcript), played.speaker
    answers = await next_answers(played)
    # The lines went on where the script left: dan's charter form, bob's feedback request.
    assert ("alice", "push", "feedback:1") in [answer[:3] for answer in answers]

    await db_snapshots.put_back(engine, empty)
    assert await db_snapshots.is_empty(engine)
    copied = make_console()
    await run_script(copied, SCRIPT)
    assert await dump(uow_factory) == rows
    assert copied.transcript == transcript
    assert copied.speaker == speaker
    assert await next_answers(copied) == answers


async def test_a_console_that_already_spoke_plays_the_script_for_real(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, script_copies: ScriptCopies
) -> None:
    first = make_console()
    await run_script(first, SCRIPT)
    second = make_console()
    # Its database is no longer empty: the copy must not be put back over it.
    await run_script(second, "digest_week_en.txt")
    assert len(script_copies.taken) == 1
    # Played for real on top of the first script's program: the feedback forms were answered.
    assert "Thank you" in "\n".join(second.received_by("erin"))
