"""The self-assessment asks about the topics each person chose, in their own numbers."""

from __future__ import annotations

from adapters.console.session import ConsoleSession

from .conftest import ConsoleFactory, said

SOCIAL = "Social networks and personal branding (LinkedIn, X, Instagram)"
AI = "Artificial intelligence and chat assistants"


async def intake(console: ConsoleSession, who: str, answers: list[str]) -> str:
    for line in answers[:-1]:
        await console.run_line(f"@{who} {line}")
    deliveries = await console.run_line(f"@{who} {answers[-1]}")
    return "\n".join(d.text for d in deliveries if d.recipient == who)


async def test_the_baseline_lists_the_chosen_topics_with_their_numbers(
    console: ConsoleSession,
) -> None:
    await console.run_line('@hr /tandem program new "Pilot"')
    await console.run_line("@hr /tandem invite @zoe @yann")
    await console.run_line("@zoe /tandem language en")
    said_last = await intake(
        console, "zoe", ["2", "skip", "9:5 1:3", "Use AI", "en", "Legal", "Mornings", "ok"]
    )
    assert f"1. {SOCIAL}" in said_last and f"9. {AI}" in said_last
    assert "2. Company website and SEO" not in said_last
    assert "Only you and the program's averages use it" in said_last
    # The numbers are those shown; in-order levels follow the list.
    assert "pick among 1, 9" in await said(console, "@zoe 2:4")
    assert "2 topics rated" in await said(console, "@zoe 3 1")
    data = await said(console, "@zoe /tandem my-data")
    assert f'"{SOCIAL}": 3' in data or f'"topic": "{SOCIAL}"' in data

    # Someone who chose nothing rates the whole list; "none" is accepted, as the error says.
    await console.run_line("@yann /tandem language en")
    said_last = await intake(
        console, "yann", ["1", "1:4", "none", "Curious", "en", "Sales", "Fridays", "ok"]
    )
    assert "cannot be skipped" not in said_last
    assert "1. Public speaking" in said_last and "6. Career advice" in said_last
    refused = await said(console, "@yann 3 2")
    assert 'or "skip" to leave it for now' in refused
    assert "Noted: no levels this time." in await said(console, "@yann none")
    assert "Waiting for your answer" not in await said(console, "@yann /tandem status")


async def test_the_baseline_in_french_takes_passer(make_console: ConsoleFactory) -> None:
    console = make_console("fr")
    await console.run_line('@rh /tandem program new "Pilote"')
    await console.run_line("@rh /tandem invite @lea")
    said_last = await intake(
        console,
        "lea",
        ["2", "passer", "9:5 4:2", "Utiliser l'IA", "fr", "Juridique", "Le matin", "ok"],
    )
    assert "4. " in said_last and "9. " in said_last and "1. " not in said_last
    assert 'ou "passer"' in said_last
    assert "C'est noté : pas de niveaux cette fois." in await said(console, "@lea aucun")
    assert "En attente de votre réponse" not in await said(console, "@lea /tandem status")
