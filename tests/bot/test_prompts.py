"""Buttons and forms answer only a prompt the bot showed that person, once, in time: through the
console's engine on both databases, each refusal compared against a dump of every table."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from adapters.console.port import PLATFORM, WORKSPACE
from adapters.console.session import ConsoleSession
from bot.domain import Person
from bot.events import EventKind, InboundEvent, Sender
from bot.messages import Message
from bot.prompts import CONFIRMATION_LIFETIME, Prompt
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests import pairs
from tests.console_support import ConsoleFactory
from tests.tables import dump

STALE = "That button is no longer valid"


async def send(console: ConsoleSession, name: str, kind: EventKind, **fields: Any) -> list[Message]:
    """An event as the console would hand it to the engine, whatever the value carried."""
    sender = Sender(platform=PLATFORM, workspace=WORKSPACE, user_id=name, display_name=name)
    return await console.engine.handle(InboundEvent(kind=kind, sender=sender, **fields))


async def paired(console: ConsoleSession, uow_factory: SqlUnitOfWorkFactory) -> int:
    runtime = SimpleNamespace(clock=console.clock, uow_factory=uow_factory)
    return await pairs.seed_pair(
        runtime,  # type: ignore[arg-type]
        platform=PLATFORM,
        workspace=WORKSPACE,
        mentor=("alice", "alice"),
        mentee=("bob", "bob"),
    )


def shown_values(console: ConsoleSession, name: str) -> list[str]:
    """The values of the buttons last shown to ``name``."""
    for delivery in reversed(console.transcript):
        if delivery.recipient == name and delivery.message.choices:
            return [choice.value for choice in delivery.message.choices]
    raise AssertionError(f"no buttons shown to {name}")


async def answer(console: ConsoleSession, line: str) -> Message:
    """The one reply the speaker of ``line`` got (others may be told something too)."""
    name = line.split()[0].lstrip("@")
    (reply,) = [d.message for d in await console.run_line(line) if d.recipient == name]
    return reply


def refused(replies: list[Message]) -> bool:
    return len(replies) == 1 and replies[0].refused and STALE in replies[0].text


async def test_a_forged_forget_me_button_erases_nothing(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await paired(console, uow_factory)
    before = await dump(uow_factory)
    for value in ("forget:yes", "AAAAAAAAAAAAAAAA|forget:yes", "|forget:yes", "forget:yes|"):
        assert refused(await send(console, "alice", EventKind.CHOICE, value=value)), value
    assert await dump(uow_factory) == before

    # The confirmation the bot shows is honoured.
    await console.run_line("@alice /tandem forget-me")
    (yes, _) = shown_values(console, "alice")
    assert yes.endswith("|forget:yes") and len(yes) > len("|forget:yes") + 12
    farewell = await answer(console, "@alice 1")
    assert "everything about you is erased" in farewell.text
    async with uow_factory() as uow:
        assert await uow.person_by_identity(PLATFORM, WORKSPACE, "alice") is None


async def test_a_forged_leave_and_another_persons_confirmation_change_nothing(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await paired(console, uow_factory)
    async with uow_factory() as uow:
        bob = await uow.person_by_identity(PLATFORM, WORKSPACE, "bob")
        assert bob is not None and bob.id is not None
        (enrollment,) = await uow.enrollments_of_person(bob.id)
        enrollment_id = enrollment.id
    await console.run_line("@alice /tandem forget-me")
    alice_yes = shown_values(console, "alice")[0]
    before = await dump(uow_factory)
    forged = (f"leave:{enrollment_id}:yes", f"{alice_yes.split('|')[0]}|leave:{enrollment_id}:yes")
    for value in forged:
        assert refused(await send(console, "bob", EventKind.CHOICE, value=value)), value
    # Alice's own button, clicked by bob, erases neither of them.
    assert refused(await send(console, "bob", EventKind.CHOICE, value=alice_yes))
    assert await dump(uow_factory) == before
    # ...and is still alice's to answer: bob's attempt did not use it up.
    farewell = await answer(console, "@alice 1")
    assert "everything about you is erased" in farewell.text and not farewell.refused


async def test_an_answered_prompt_cannot_be_answered_again(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await paired(console, uow_factory)
    await console.run_line("@bob /tandem leave")
    stay_yes, stay_no = shown_values(console, "bob")
    kept = await answer(console, "@bob 2")
    assert not kept.refused
    before = await dump(uow_factory)
    assert refused(await send(console, "bob", EventKind.CHOICE, value=stay_yes))
    assert refused(await send(console, "bob", EventKind.CHOICE, value=stay_no))
    assert await dump(uow_factory) == before


async def test_a_destructive_confirmation_expires_within_minutes(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await paired(console, uow_factory)
    await console.run_line("@bob /tandem leave")
    leave_yes = shown_values(console, "bob")[0]
    await console.run_line("@alice /tandem forget-me")
    forget_yes = shown_values(console, "alice")[0]
    console.clock.set(console.clock.now() + CONFIRMATION_LIFETIME + timedelta(seconds=1))
    before = await dump(uow_factory)
    for name, value in (("bob", leave_yes), ("alice", forget_yes)):
        (reply,) = await send(console, name, EventKind.CHOICE, value=value)
        # Refused, saying that it expired and how to ask again.
        assert reply.refused and "That confirmation has expired" in reply.text
    assert await dump(uow_factory) == before
    # Asked again, it works again.
    await console.run_line("@bob /tandem leave")
    left = await answer(console, "@bob 1")
    assert "You have left" in left.text and not left.refused


async def test_a_session_form_never_opened_or_forged_logs_nothing(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    pair_id = await paired(console, uow_factory)
    await console.run_line("@bob /tandem forget-me")
    bob_token = shown_values(console, "bob")[0].split("|")[0]
    await console.run_line("@alice /tandem leave")
    alice_choice_token = shown_values(console, "alice")[0].split("|")[0]
    # alice then does something else, which ends her confirmation (its row stays a while).
    await console.run_line("@alice /tandem help")
    values = {"duration": "45m", "topics": "LinkedIn", "next": "", "date": ""}
    before = await dump(uow_factory)
    for form_id in (
        "session_log",
        "AAAAAAAAAAAAAAAA|session_log",
        # A real prompt of alice's, but a choice, not this form.
        f"{alice_choice_token}|session_log",
        # A real prompt, but bob's.
        f"{bob_token}|session_log",
    ):
        replies = await send(console, "alice", EventKind.FORM, form_id=form_id, values=values)
        assert refused(replies), form_id
        assert refused(await send(console, "alice", EventKind.FORM_CANCELLED, form_id=form_id))
        checked = await send(
            console, "alice", EventKind.FORM, form_id=form_id, values=values, checking=True
        )
        assert refused(checked), form_id
    assert await dump(uow_factory) == before

    # The form the bot opens is answerable, also after being sent back with errors, and once;
    # checking its fields one by one (as the console does) keeps it answerable.
    opened = await answer(console, "@alice /session log")
    assert opened.form is not None
    check = {"duration": "45m"}
    assert (
        await send(
            console,
            "alice",
            EventKind.FORM,
            form_id=opened.form.form_id,
            values=check,
            checking=True,
        )
        == []
    )
    wrong = {**values, "duration": "forever"}
    (errors,) = await send(
        console, "alice", EventKind.FORM, form_id=opened.form.form_id, values=wrong
    )
    assert errors.form is not None and "duration" in errors.form.errors
    form_id = errors.form.form_id
    (logged,) = await send(console, "alice", EventKind.FORM, form_id=form_id, values=values)
    assert "Session logged" in logged.text
    async with uow_factory() as uow:
        assert [log.minutes for log in await uow.session_logs(pair_id)] == [45]
    after = await dump(uow_factory)
    replies = await send(console, "alice", EventKind.FORM, form_id=form_id, values=values)
    assert refused(replies)
    assert await dump(uow_factory) == after


async def test_buttons_sent_later_through_the_outbox_are_bound_to_their_recipient(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await console.run_line('@hr /tandem program new "Pilot"')
    (_, invitation) = await console.run_line("@hr /tandem invite @carol")
    assert invitation.recipient == "carol" and invitation.key == "invitation:1"
    join_mentor = invitation.message.choices[0].value
    async with uow_factory() as uow:
        (row,) = (await uow.session.execute(sa.select(tables.prompt))).all()
        (outbox,) = (await uow.session.execute(sa.select(tables.outbox))).all()
        assert row.token == join_mentor.split("|")[0]
        assert f"choice:{join_mentor.split('|', 1)[1]}" in row.offers
        assert outbox.payload["choices"][0]["value"] == join_mentor
    before = await dump(uow_factory)
    assert refused(await send(console, "hr", EventKind.CHOICE, value=join_mentor))
    assert refused(await send(console, "carol", EventKind.CHOICE, value="invite:1:mentor"))
    assert await dump(uow_factory) == before
    (welcome, *_) = [
        d.message for d in await console.run_line("@carol 1") if d.recipient == "carol"
    ]
    assert "Pilot" in welcome.text and not welcome.refused


async def test_two_clicks_racing_for_one_prompt_are_answered_once(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await paired(console, uow_factory)
    await console.run_line("@bob /tandem leave")
    leave_yes = shown_values(console, "bob")[0]
    outcomes = await asyncio.gather(
        *(send(console, "bob", EventKind.CHOICE, value=leave_yes) for _ in range(4))
    )
    assert sorted(replies[0].refused for replies in outcomes) == [False, True, True, True]
    async with uow_factory() as uow:
        rows = (await uow.session.execute(sa.select(tables.audit_entry.c.action))).all()
        assert [row.action for row in rows] == ["enrollment.left"]


async def test_the_tick_forgets_expired_and_long_unanswered_prompts(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    async with uow_factory() as uow:
        person = Person("console", "local", "zoe", "zoe", now)
        uow.add(person)
        await uow.flush()
        assert person.id is not None
        await uow.add_prompts(
            [
                Prompt("expired", person.id, ("choice:leave:yes",), now, now - timedelta(1)),
                Prompt("ancient", person.id, ("choice:x",), now - timedelta(days=200), None),
                Prompt("recent", person.id, ("choice:x",), now - timedelta(days=3), None),
            ]
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.purge_prompts(now, now - timedelta(days=180)) == 2
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.take_prompt("recent") is not None
        assert await uow.take_prompt("ancient") is None
