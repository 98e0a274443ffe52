"""The people page says where the messages owed to each person stand, with the platform's
reason for a refusal, and counts them for the whole program as the digest does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from adapters.console.session import ConsoleSession
from bot.domain import OutboxMessage
from bot.messages import Message
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.dashboard.support import link_for, program_id, seed, serving
from tests.adapters.dashboard.test_dashboard_http import fetch, open_session

CELL = re.compile(r"<tr>\s*<td>([^<]+)</td>(?:\s*<td>[^<]*</td>){5}\s*<td>([^<]*)</td>\s*</tr>")


@pytest.fixture
async def program(make_console, uow_factory: SqlUnitOfWorkFactory) -> ConsoleSession:  # type: ignore[no-untyped-def]
    console = make_console()
    await seed(console)
    return console


async def owe(
    uow_factory: SqlUnitOfWorkFactory, console: ConsoleSession, user: str, key: str, **row: object
) -> None:
    """A message owed to ``user``, in the state ``row`` gives it (as a deliverer records it)."""
    now = console.clock.now()
    async with uow_factory() as uow:
        person = await uow.person_by_identity("console", "console", user)
        assert person is not None and person.id is not None
        await uow.enqueue(
            OutboxMessage(
                key=key,
                purpose="nudge",
                platform="console",
                person_id=person.id,
                payload=Message(text="Hello").to_payload(),
                created_at=now,
                not_before=now,
            )
        )
        await uow.commit()
    async with uow_factory.engine.begin() as connection:
        await connection.execute(
            sa.update(tables.outbox).where(tables.outbox.c.key == key).values(**row)
        )


def messages_by_person(body: str) -> dict[str, str]:
    table = body[body.index('<table id="people">') :]
    return dict(CELL.findall(table[: table.index("</table>")]))


@pytest.mark.parametrize(
    ("locale", "frank", "bob", "figures"),
    [
        (
            "en",
            "1 delivered · 2 failed (blocked the bot, left the workspace)",
            "waiting for working hours",
            "In chat, /tandem reach names the people not reached",
        ),
        (
            "fr",
            "1 remis · 2 en échec (a bloqué le bot, a quitté l&#39;espace de travail)",
            "en attente des heures de travail",
            "Dans la discussion, /tandem portée nomme les personnes non atteintes",
        ),
    ],
)
async def test_each_persons_messages_and_the_programs_counts(
    program: ConsoleSession,
    uow_factory: SqlUnitOfWorkFactory,
    locale: str,
    frank: str,
    bob: str,
    figures: str,
) -> None:
    await program.run_line(f"@hr /tandem language {locale}")
    later = program.clock.now() + timedelta(hours=20)
    await owe(uow_factory, program, "frank", "f1", status="failed", last_error="cannot_dm_bot")
    await owe(uow_factory, program, "frank", "f2", status="failed", last_error="user_not_found")
    await owe(uow_factory, program, "bob", "b1", not_before=later)
    # Tried twice already, its next try later: retrying, not waiting.
    await owe(
        uow_factory, program, "erin", "e1", attempts=2, last_error="ratelimited", not_before=later
    )
    pilot = await program_id(uow_factory, "Pilot")
    token = await link_for(program)
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)
        _, body = await fetch(served, f"/dashboard/programs/{pilot}/people", session)
    shown = messages_by_person(body)
    # frank's invitation went out; then the platform refused two messages, for two reasons.
    assert shown["frank"] == frank
    assert shown["bob"].endswith("· 1 " + bob), shown["bob"]
    assert ("1 retrying" if locale == "en" else "1 en nouvel essai") in shown["erin"]
    assert "failed" not in shown["alice"] and "échec" not in shown["alice"]
    counted = dict(re.findall(r'data-figure="([a-z_]+)">(\d+)<', body))
    assert (counted["failed"], counted["waiting"], counted["retrying"]) == ("2", "1", "1")
    # frank (failed) and erin (retrying) are not reached; bob's message only waits.
    assert counted["not_reached"] == "2" and counted["never_opened"] == "0"
    assert figures in body
