"""Forms and conversations check each answer as it comes, and skip words are never kept."""

from __future__ import annotations

import pytest

from adapters.console.session import ConsoleSession

from .conftest import ConsoleFactory, said

# What people read, and that nothing changes, are the engine's: SQLite is enough here, the
# storage under it being tested on both databases (tests/storage, the lifecycle tests).
pytestmark = pytest.mark.sqlite_only

PAIR_EN = [
    "@hr /tandem language en",
    '@hr /tandem program new "Pilot" sessions: 6',
    "@hr /tandem invite @alice @bob",
    "@alice /tandem language en",
    "@alice 1",
    "@alice 1:4 9:5",
    "@alice skip",
    "@alice Explain simply",
    "@alice en",
    "@alice Marketing",
    "@alice Mornings",
    "@alice ok",
    "@alice skip",
    "@bob /tandem language en",
    "@bob 2",
    "@bob skip",
    "@bob 1:5",
    "@bob Post on LinkedIn",
    "@bob en",
    "@bob Finance",
    "@bob Afternoons",
    "@bob ok",
    "@bob 1:2",
    "@hr /tandem pair @alice @bob",
]
PAIR_FR = [
    '@rh /tandem program new "Pilote" sessions: 6',
    "@rh /tandem invite @lea @marc",
    "@lea 1",
    "@lea 1:4 9:5",
    "@lea passer",
    "@lea Expliquer simplement",
    "@lea fr",
    "@lea Marketing",
    "@lea Le matin",
    "@lea ok",
    "@lea passer",
    "@marc 2",
    "@marc rien",
    "@marc 1:5",
    "@marc Publier sur LinkedIn",
    "@marc fr",
    "@marc Finance",
    "@marc L'après-midi",
    "@marc ok",
    "@marc 1:2",
    "@rh /tandem pair @lea @marc",
]


async def run(console: ConsoleSession, lines: list[str]) -> None:
    for line in lines:
        await console.run_line(line)


@pytest.fixture
async def english(console: ConsoleSession) -> ConsoleSession:
    await run(console, PAIR_EN)
    return console


@pytest.fixture
async def french(make_console: ConsoleFactory) -> ConsoleSession:
    console = make_console("fr")
    await run(console, PAIR_FR)
    return console


async def test_a_wrong_form_field_is_asked_again_at_once_in_english(
    english: ConsoleSession,
) -> None:
    await said(english, "@bob /session log")
    assert english.current_field_prompt("bob").startswith("How long did it last?")
    answer = await said(english, "@bob an hour or so")
    assert '"an hour or so" is not a duration I understand' in answer
    # The same field is asked again: the next line is the duration, not the topics.
    assert english.current_field_prompt("bob").startswith("How long did it last?")
    assert await said(english, "@bob 1h") == ""
    assert english.current_field_prompt("bob").startswith("What did you talk about?")
    answer = await said(english, "@bob none")
    assert "Say what you talked about" in answer
    assert english.current_field_prompt("bob").startswith("What did you talk about?")
    await said(english, "@bob Company page and SEO")
    next_prompt = english.current_field_prompt("bob")
    assert (
        next_prompt is not None and 'type "skip" (or "none", "-") to leave it empty' in next_prompt
    )
    await said(english, "@bob nothing")
    await said(english, "@bob 2026-12-24")
    assert english.current_field_prompt("bob").startswith("Date")
    logged = await said(english, "@bob skip")
    assert "That's 1 of 6 sessions" in logged
    listed = await said(english, "@bob /session list")
    assert "Company page and SEO" in listed
    assert "nothing" not in listed and "skip" not in listed and "Next step" not in listed


async def test_a_wrong_form_field_is_asked_again_at_once_in_french(french: ConsoleSession) -> None:
    await said(french, "@marc /session log")
    answer = await said(french, "@marc une heure")
    assert "n'est pas une durée que je comprends" in answer
    assert french.current_field_prompt("marc").startswith("Combien de temps")
    await said(french, "@marc 1h")
    assert "Dites de quoi vous avez parlé" in await said(french, "@marc rien")
    await said(french, "@marc Page entreprise")
    next_prompt = french.current_field_prompt("marc")
    assert (
        next_prompt is not None
        and 'tapez "passer" (ou "rien", "-") pour laisser vide' in next_prompt
    )
    await said(french, "@marc rien")
    logged = await said(french, "@marc passer")
    assert "Session enregistrée : 1 h" in logged
    # The same words on one command line.
    await said(french, '@lea /session log 30m "Tableaux de bord" prochain: rien')
    assert "Dites de quoi vous avez parlé" in await said(french, "@lea /session log 30m aucun")
    listed = await said(french, "@marc /session list")
    assert "Page entreprise" in listed and "Tableaux de bord" in listed
    assert "rien" not in listed and "passer" not in listed and "aucun" not in listed


async def test_skip_words_are_never_kept_in_conversations(english: ConsoleSession) -> None:
    # bob's charter: "none" for the equipment leaves it empty.
    await run(english, ["@alice 1", "@bob 1", "@bob ok", "@bob ok", "@bob 1"])
    proposal = await said(english, "@bob nothing")
    assert "Here is the charter" in proposal and "with nothing" not in proposal
    # A required answer refuses a skip word and asks the same question again.
    await said(english, "@bob /tandem profile")
    await run(english, ["@bob skip", "@bob 1:5"])
    assert "cannot be skipped" in await said(english, "@bob none")
    answer = await said(english, "@bob Post on LinkedIn")
    assert "Question 4/7" in answer


async def test_french_skip_words_in_the_checkin(french: ConsoleSession) -> None:
    await french.run_line(":advance 15d")
    asked = [d for d in french.transcript if d.recipient == "marc" and "de 1" in d.text]
    assert asked, "a check-in was sent"
    blocker = await said(french, "@marc 4")
    assert 'tapez "passer" (ou "rien", "-") pour laisser vide' in blocker
    await said(french, "@marc rien")
    thanks = await said(french, "@marc -")
    assert "Merci pour ce point d'étape" in thanks
    data = await said(french, "@marc /tandem my-data")
    assert '"blocker": "rien"' not in data and '"learned": "-"' not in data
