"""The README's promise: a whole program runs end to end in the console, in both languages."""

from __future__ import annotations

from adapters.console.session import ConsoleSession

from .conftest import run_script


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
