"""The README's promise: a whole program runs end to end in the console, in both languages."""

from __future__ import annotations

from adapters.console.session import ConsoleSession

from .conftest import ConsoleFactory, run_script


async def test_whole_program_in_english(console: ConsoleSession) -> None:
    await run_script(console, "walkthrough_en.txt")

    bob = console.received_by("bob")
    alice = console.received_by("alice")
    # Bob opted in through the invitation, answered 7 intake questions and got his kickoff.
    assert sum("Question" in text for text in bob) == 5
    assert any(text.startswith("Meet your mentor: alice (Digital marketing)") for text in bob)
    # Each of the three logs reached the partner exactly once.
    assert sum(text.startswith("alice logged your session") for text in bob) == 2
    assert sum(text.startswith("bob logged your session") for text in alice) == 1
    # Carol said no: she received the invitation and the acknowledgement, nothing else.
    assert len(console.received_by("carol")) == 2
    # Nobody received anything twice.
    for name in ("alice", "bob", "carol", "hr"):
        texts = [t for t in console.received_by(name) if not t.startswith(("Question", "That"))]
        duplicated = {t for t in texts if texts.count(t) > 1 and "status" not in t}
        assert not duplicated, (name, duplicated)


async def test_whole_program_in_french(make_console: ConsoleFactory) -> None:
    console = make_console(locale="fr")
    await run_script(console, "walkthrough_fr.txt")
    marc = console.received_by("marc")
    assert any(text.startswith("Je vous présente votre mentor : lea") for text in marc)
    assert sum("Session enregistrée" in text for text in console.received_by("lea")) == 2
    # The data export happened before the erasure, and the erasure reached the partner once.
    assert sum("Votre binôme a quitté le programme" in t for t in console.received_by("lea")) == 1
