"""The answers to "are you still in?": still in, a pause until a day, or leaving (confirmed
like /tandem leave); and the policy's settings, refused clearly when wrong, in both languages."""

from __future__ import annotations

import pytest

from .conftest import ConsoleFactory, run_script, said


# Scheduling logic, the same on both databases (their queries are tested elsewhere).
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_each_answer_to_are_you_still_in(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    assert "after 1 check-ins unanswered" in await said(
        console, "@hr /tandem program set silence: 1"
    )
    # The first check-in (2 December) expires unanswered: each of them is asked, once.
    deliveries = await console.run_line(":advance 20d")
    asked = sorted(d.recipient for d in deliveries if d.key and d.key.startswith("silence:"))
    assert asked == ["alice", "bob", "dan", "erin"]

    # Still in: nothing changes, and the old check-in no longer counts.
    assert "Glad to hear it" in await said(console, "@erin 1")

    # Pause until a day: asked for the day, then paused; the partner is told.
    assert "Until which day" in await said(console, "@alice 2")
    paused = await console.run_line("@alice 2027-01-15")
    texts = {d.recipient: d.text for d in paused}
    assert "You're on a break until January 15, 2027" in texts["alice"]
    assert "alice is taking a break until January 15, 2027" in texts["bob"]

    # Leave: the same confirmation as /tandem leave, then the partner and owners are told.
    assert "Do you really want to leave" in await said(console, "@dan 3")
    left = await console.run_line("@dan 1")
    texts = {d.recipient: d.text for d in left}
    assert "dan has left the program" in texts["erin"]

    # A week later only bob, who never answered, is paused for his silence (told on Monday
    # morning); alice's partner is not told twice that she is away.
    later = await console.run_line(":advance 8d")
    assert [d.recipient for d in later if d.key and d.key.startswith("auto_paused:")] == ["bob"]
    assert not [d for d in later if d.key and d.key.startswith("partner_auto_paused:")]


async def test_policy_settings_and_their_mistakes(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    answer = await said(console, "@hr /tandem program set inactivity: off retention: 30")
    assert "Inactivity policy off" in answer
    assert "erased 30 days after they left" in answer
    answer = await said(console, "@hr /tandem program set inactivity: on silence: 4 idle: 60")
    assert "after 4 check-ins unanswered in a row" in answer
    assert "without a session for 60 days is warned" in answer

    for wrong, told in (
        ("inactivity: maybe", '"maybe" is neither on nor off'),
        ("silence: 0", "0"),
        ("idle: 4000", "4000"),
        ("retention: soon", "soon"),
    ):
        refused = await said(console, f"@hr /tandem program set {wrong}")
        assert told in refused, (wrong, refused)
    # Nothing was changed by the refused lines.
    answer = await said(console, "@hr /tandem program set quotes: 3")
    assert "after 4 check-ins unanswered in a row" in answer
    assert "erased 30 days after they left" in answer


async def test_policy_settings_in_french(make_console: ConsoleFactory) -> None:
    console = make_console("fr")
    await run_script(console, "two_pairs_en.txt")
    await said(console, "@hr /tandem language fr")
    answer = await said(console, "@hr /tandem programme modifier inactivité: non conservation: 45")
    assert "Politique d'inactivité désactivée" in answer, answer
    assert "effacées 45 jours après leur départ" in answer
    refused = await said(console, "@hr /tandem program set inactivité: peut-être")
    assert "n'est ni on ni off" in refused
