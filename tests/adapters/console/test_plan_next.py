"""The "Plan the next session" button, in the console on the real engine: under a logged
session and in the kickoff, one click shows the free slots that ``/session plan`` shows; once a
session is planned, the other button says what is planned and how to change it."""

from __future__ import annotations

from adapters.console.session import ConsoleSession, Delivery
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.tables import dump

from .conftest import ConsoleFactory, run_script


def button(deliveries: list[Delivery], name: str, label: str) -> str:
    (value,) = [
        choice.value
        for delivery in deliveries
        if delivery.recipient == name
        for choice in delivery.message.choices
        if choice.label == label
    ]
    return value


async def paired(make_console: ConsoleFactory) -> ConsoleSession:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    return console


async def test_the_button_under_a_logged_session_proposes_free_slots_and_books_one(
    make_console: ConsoleFactory,
) -> None:
    console = await paired(make_console)
    logged = await console.run_line('@alice /session log 1h "LinkedIn basics"')
    click = button(logged, "alice", "Plan the next session")
    shown = await console.choose("alice", click)
    (proposals,) = [d for d in shown if d.recipient == "alice" and d.message.choices]
    assert "both free, within both your working hours (1 h)" in proposals.text
    assert len(proposals.message.choices) == 3
    booked = await console.choose("alice", proposals.message.choices[0].value)
    assert any("Next session planned for" in d.text for d in booked if d.recipient == "alice")


async def test_the_confirmed_charter_carries_the_button_to_both_and_it_says_what_was_planned(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    """The kickoff ends with the charter confirmed by both: each is offered to plan the first
    session, dan in English and erin in French; erin clicks after dan booked."""
    console = await paired(make_console)
    await console.run_line("@erin /tandem language fr")
    # dan and erin's charter, answered as alice and bob answered theirs in the script.
    for line in ("@dan 1", "@erin 1", "@erin ok", "@erin ok", "@erin 1", "@erin aucun", "@dan 1"):
        await console.run_line(line)
    confirmed = await console.run_line("@erin 1")
    assert any("confirmée par vous deux" in d.text for d in confirmed if d.recipient == "erin")
    dan_click = button(confirmed, "dan", "Plan the next session")
    erin_click = button(confirmed, "erin", "Planifier la prochaine session")
    shown = await console.choose("dan", dan_click)
    (proposals,) = [d for d in shown if d.recipient == "dan" and d.message.choices]
    await console.choose("dan", proposals.message.choices[0].value)
    before = await dump(uow_factory)
    (answer,) = await console.choose("erin", erin_click)
    assert answer.message.refused
    assert "Votre prochaine session est déjà prévue, le" in answer.text
    assert "/session déplacer DATE HEURE" in answer.text
    assert await dump(uow_factory) == before


async def test_the_label_and_refusal_in_french_and_a_click_for_another_pair_refused(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = await paired(make_console)
    await console.run_line("@bob /tandem language fr")
    logged = await console.run_line('@bob /session log 45m "Publier sur LinkedIn"')
    click = button(logged, "bob", "Planifier la prochaine session")
    await console.run_line("@bob /session plan 2026-11-19 14:00")
    (answer,) = await console.choose("bob", click)
    assert "Votre prochaine session est déjà prévue, le" in answer.text
    assert "/session décommander" in answer.text
    # erin cannot use bob's button (its token was shown to bob only), nor a made-up value.
    before = await dump(uow_factory)
    for forged in (click, "plan_next:1", f"plan_next:{click.rsplit(':', 1)[1]}x"):
        (refusal,) = await console.choose("erin", forged)
        assert refusal.message.refused
    assert await dump(uow_factory) == before
