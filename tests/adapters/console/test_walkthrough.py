"""The README's promise: a whole program runs end to end in the console, in both languages."""

from __future__ import annotations

from adapters.console.session import ConsoleSession
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, run_script


async def test_whole_program_in_english(console: ConsoleSession) -> None:
    await run_script(console, "walkthrough_en.txt")

    # (His data export, which quotes every message he was sent, is left out of the counts.)
    bob = [text for text in console.received_by("bob") if "📎" not in text]
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
        # (A question left waiting, like the quiz after a session, is listed by each status.)
        repeatable = ("Question", "That", "Waiting for your answer")
        texts = [t for t in console.received_by(name) if not t.startswith(repeatable)]
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


async def test_forget_me_erases_the_person_and_their_words(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "walkthrough_en.txt")
    async with uow_factory() as uow:
        assert await uow.person_by_identity("console", "console", "bob") is None
        alice = await uow.person_by_identity("console", "console", "alice")
        assert alice is not None and alice.id is not None
        enrollment = (await uow.enrollments_of_person(alice.id))[0]
        assert enrollment.id is not None
        assert await uow.active_pair_of(enrollment.id) is None
        (pair,) = await uow.pairs_of_enrollment(enrollment.id)
        assert pair.id is not None and pair.mentee_enrollment_id is None
        logs = await uow.session_logs(pair.id)
        # Counts stay (three sessions), bob's own words are gone, alice's are hers to keep.
        assert len(logs) == 3
        assert [log.topics for log in logs if log.logged_by is None] == [""]
        assert {log.topics for log in logs if log.logged_by == alice.id} == {
            "LinkedIn basics, privacy settings",
            "ChatGPT for meeting notes",
        }
