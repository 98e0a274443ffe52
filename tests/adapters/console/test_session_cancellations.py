"""Cancellations and reschedules, counted: the weekly digest says how many planned sessions
were cancelled, how many of those the pair rebooked and how many were moved; two cancellations
in a row put the pair on the owners' attention list, until a session is held."""

from __future__ import annotations

from .conftest import ConsoleFactory, run_script, said


async def test_counts_in_the_digest_and_two_in_a_row_flag_the_pair(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@alice /session plan 2026-11-19 9:00")
    await console.run_line("@alice /session cancel")
    await console.run_line("@bob /session plan 2026-11-20 9:00")
    # A week on (Wednesday 25 November), the digest of the 7 days before says what happened.
    await console.run_line(":advance 7d")
    once = await said(console, "@hr /tandem digest now")
    assert "1 session planned and cancelled, 1 of them rebooked" in once
    assert "cancelled in a row" not in once

    # The session of the 20th went unanswered; bob plans another, moves it, then cancels it.
    await console.run_line("@bob /session plan 2026-11-27 9:00")
    await console.run_line("@bob /session move 2026-11-27 10:00")
    await console.run_line("@bob /session cancel")
    await console.run_line(":advance 7d")
    twice = await said(console, "@hr /tandem digest now")
    assert "1 session planned and cancelled · 1 session moved" in twice
    assert (
        "alice & bob: 2 sessions cancelled in a row: ask what gets in the way "
        "(agendas, the slot, the format)" in twice
    )

    # A session held ends the run: the pair is no longer flagged for it.
    await console.run_line('@alice /session log 1h "Privacy settings"')
    after = await said(console, "@hr /tandem digest now")
    assert "cancelled in a row" not in after


async def test_in_french_and_the_did_it_happen_answer_counts_too(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@hr /tandem language fr")
    await console.run_line("@alice /session plan 2026-11-19 9:00")
    await console.run_line("@alice /session cancel")
    await console.run_line("@alice /session plan 2026-11-19 11:00")
    # The day after, both are asked whether it took place; bob says it did not.
    deliveries = await console.run_line(":advance 1d")
    asked = [d for d in deliveries if d.recipient == "bob" and d.message.choices]
    cancelled = next(
        c.value for d in asked for c in d.message.choices if c.value.endswith(":cancelled")
    )
    await console.choose("bob", cancelled)
    text = await said(console, "@hr /tandem digest now")
    assert "2 sessions annulées d'affilée : demandez ce qui bloque" in text
