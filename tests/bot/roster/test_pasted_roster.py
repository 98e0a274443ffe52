"""A small roster pasted on the lines after the command, at the engine's entry point, by a Teams
owner: the same dry run. Without Microsoft Graph, people who never opened Tandem are reported
not reachable until they install it; those who already talked to the bot are found by the
e-mail Tandem knows. (Through Teams' HTTP endpoint: tests/adapters/teams/
test_teams_pasted_roster.py.)"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.teams.people import TeamsDirectory
from bot.clock import VirtualClock
from bot.engine import Engine
from bot.events import EventKind, InboundEvent, Sender
from bot.turn import EngineConfig
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.console_support import START, shared_renderer

TENANT = "tenant-1"


def _sender(user_id: str) -> Sender:
    return Sender(platform="teams", workspace=TENANT, user_id=user_id, display_name=user_id)


async def test_a_pasted_roster_on_teams(uow_factory: SqlUnitOfWorkFactory) -> None:
    engine = Engine(
        uow_factory, VirtualClock(START), shared_renderer("en"), EngineConfig(default_locale="en")
    )
    engine.directories["teams"] = TeamsDirectory()

    async def say(user_id: str, text: str) -> str:
        replies = await engine.handle(
            InboundEvent(kind=EventKind.COMMAND, sender=_sender(user_id), text=text)
        )
        return "\n".join(reply.text for reply in replies)

    await say("aad-hr", '/tandem program new "Pilot"')
    # Léa already talked to the bot; Tandem knows her work e-mail.
    await say("aad-lea", "/tandem help")
    async with uow_factory.engine.begin() as connection:
        await connection.execute(
            sa.update(tables.person)
            .where(tables.person.c.user_id == "aad-lea")
            .values(email="lea@acme.example")
        )

    answer = await say(
        "aad-hr",
        "/tandem roster import\n"
        "e-mail;nom;rôle\n"
        "lea@acme.example;Léa;mentor\n"
        "marc@acme.example;Marc;mentoré\n"
        "zoe@acme.example;Zoé;Mentor\n",
    )
    assert "• 1 to invite" in answer
    assert "• 2 not reachable until they install Tandem" in answer
    assert "line 3 (marc@acme.example): not reachable until they install Tandem" in answer

    nothing = await say("aad-hr", "/tandem roster import")
    assert "attach the CSV or Excel file" in nothing
