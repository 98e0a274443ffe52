"""Teams with Microsoft Graph (the fake tenant on a free port), through the real messaging
endpoint: a roster's addresses are found in the tenant's directory by user principal name or
mail, Tandem is installed for the newcomers who never opened it and the invitations go into the
chats that creates; the first activity of an invited person makes them the same person; a
missing consent says so in the reach report, never with a traceback."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.graph.teams import teams_graph
from bot.events import EventKind, InboundEvent, Sender, SharedFile
from bot.settings import Settings
from tests.adapters.teams.conftest import graph_settings, teams_settings, teams_world
from tests.adapters.teams.world import HR, NAMES, TeamsWorld, card_actions, play, received, settle
from tests.fakes.bot_connector import TENANT, FakeBotConnector
from tests.fakes.calendar_common import Failure
from tests.fakes.graph_directory import DirectoryUser, FakeGraphTenant
from tests.roster_files import csv_bytes, roster

MANIFEST = "cf1ba4c7-f94e-4d80-ba90-5594b641a8ee"
CATALOG = "0240a368-25e0-4569-8ebe-13601cb55a18"
ZOE = "5b649834-7412-4cce-9e69-176e95a394f5"
MARC = "97a5a533-833d-494b-b543-c0afe026cb96"
OFF = "0d820ecd-def2-4297-adad-78056cde7c78"
# Their ids in Teams, which Teams tells the bot with their first activity.
IN_TEAMS = {ZOE: "29:zoe-roy", MARC: "29:marc-lee"}
ROSTER = (
    "tandem roster import<br>e-mail;name;role<br>"
    "zoe@acme.example;Zoé Roy;mentor<br>"
    # Marc's mail is not his user principal name: found through the mail filter.
    "marc@acme.example;Marc Lee;mentee<br>"
    "gone@acme.example;Gone;mentee<br>"
    "off@acme.example;Disabled;mentee"
)


@pytest.fixture
async def tenant(
    fake_connector: FakeBotConnector, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FakeGraphTenant]:
    # The names Teams shows with their activities.
    monkeypatch.setitem(NAMES, IN_TEAMS[ZOE], "Zoé Roy")
    monkeypatch.setitem(NAMES, IN_TEAMS[MARC], "Marc Lee")
    graph = FakeGraphTenant(
        users=[
            DirectoryUser(ZOE, "zoe@acme.example", "Zoé Roy", "zoe@acme.example", "fr-FR"),
            DirectoryUser(MARC, "marc.lee@acme.onmicrosoft.com", "Marc Lee", "marc@acme.example"),
            DirectoryUser(OFF, "off@acme.example", "Disabled", "off@acme.example", enabled=False),
        ],
        catalog={MANIFEST: CATALOG},
        # Marc opened Tandem once already.
        installed={MARC: {"installation-marc": MANIFEST}},
    )
    graph.chat_of = lambda user_id: fake_connector.personal_conversation(IN_TEAMS[user_id])
    await graph.start()
    yield graph
    await graph.stop()


@pytest.fixture
async def teams(
    migrated_url: str, fake_connector: FakeBotConnector, tenant: FakeGraphTenant
) -> AsyncIterator[TeamsWorld]:
    settings = teams_settings(
        migrated_url,
        fake_connector.url,
        teams_app_manifest_id=MANIFEST,
        # The directory answers for the tenant the activities come from.
        **graph_settings(tenant, TENANT),
    )
    async with teams_world(settings, fake_connector) as world:
        yield world


async def _import(teams: TeamsWorld) -> str:
    await play(teams, [(HR, 'tandem program new "Pilot"')])
    response = await teams.post(teams.activity(HR, "message", text=ROSTER, textFormat="xml"))
    assert response.status == 200
    await settle(teams)
    # The report's card, then its file.
    return "\n".join(received(teams, HR)[-2:])


async def _people(teams: TeamsWorld) -> dict[str, str]:
    async with teams.runtime.uow_factory.engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT user_id, display_name FROM person WHERE platform = 'teams'")
        )
        return {str(row.user_id): str(row.display_name) for row in rows}


def _first_activity(teams: TeamsWorld, user_id: str, **fields: Any) -> dict[str, Any]:
    """What Teams posts from someone a roster found: their Teams id, their directory id."""
    activity = teams.activity(IN_TEAMS[user_id], "message", **fields)
    activity["from"] = {"id": IN_TEAMS[user_id], "name": "Zoé Roy", "aadObjectId": user_id}
    return activity


async def test_newcomers_are_found_installed_for_and_invited_in_their_chat(
    teams: TeamsWorld, tenant: FakeGraphTenant
) -> None:
    report = await _import(teams)
    assert "2 to invite" in report
    assert "2 unknown e-mails" in report
    assert "not reachable until they install Tandem" not in report
    # Twenty lookups a request: the four addresses in one batch, the two not found by
    # principal name asked again by mail.
    assert len(tenant.calls("POST", "$batch")) == 2
    # The dry run changes nothing anywhere.
    assert tenant.calls("POST", "installedApps") == []

    await play(teams, [(HR, "click:Send 2 invitations")])

    # Zoé never opened Tandem: installed for her; Marc had it: nothing installed again.
    assert MANIFEST in tenant.installed_for(ZOE)
    assert [call.path for call in tenant.calls("POST", "installedApps")] == [
        f"/v1.0/users/{ZOE}/teamwork/installedApps"
    ]
    assert tenant.calls("POST", "installedApps")[0].body == {
        "teamsApp@odata.bind": f"{tenant.api_url}/appCatalogs/teamsApps/{CATALOG}"
    }
    # Each invitation went into the chat the installation opened, none created blindly.
    assert teams.fake.calls["create"] == 0
    for user_id in (ZOE, MARC):
        texts = received(teams, IN_TEAMS[user_id])
        assert any("Pilot" in text for text in texts), (user_id, texts)

    # Zoé's first activity: she is the person the roster invited, not a second one.
    response = await teams.post(_first_activity(teams, ZOE, text="status"))
    assert response.status == 200
    await settle(teams)
    people = await _people(teams)
    assert IN_TEAMS[ZOE] in people and ZOE not in people
    assert people[IN_TEAMS[ZOE]] == "Zoé Roy"
    reply_to, card = teams.latest_card(IN_TEAMS[ZOE])
    join = next(a for a in card_actions(card) if "mentor" in a["title"].lower())
    response = await teams.act(IN_TEAMS[ZOE], dict(join["data"]), reply_to)
    assert response.status == 200
    await settle(teams)
    async with teams.runtime.uow_factory.engine.connect() as connection:
        enrolled = await connection.scalar(
            sa.text(
                "SELECT count(*) FROM enrollment JOIN person ON person.id = enrollment.person_id"
                " WHERE person.user_id = :user"
            ),
            {"user": IN_TEAMS[ZOE]},
        )
    assert enrolled == 1
    assert any('Zoé Roy joined "Pilot" as mentor' in text for text in received(teams, HR))

    # The same roster again changes nothing, Zoé now known by her Teams id.
    again = await _import_again(teams)
    assert "1 already enrolled" in again and "1 already invited" in again
    assert "Nobody new to invite" in again
    assert len(tenant.calls("POST", "installedApps")) == 1


async def _import_again(teams: TeamsWorld) -> str:
    response = await teams.post(teams.activity(HR, "message", text=ROSTER, textFormat="xml"))
    assert response.status == 200
    await settle(teams)
    # The report's card, then its file.
    return "\n".join(received(teams, HR)[-2:])


async def test_without_consent_to_install_the_reach_report_says_app_not_installed(
    teams: TeamsWorld, tenant: FakeGraphTenant
) -> None:
    tenant.may_install = False
    await _import(teams)
    await play(teams, [(HR, "click:Send 2 invitations"), (HR, "tandem reach Pilot")])
    reach = received(teams, HR)[-1]
    # Marc had Tandem: reached. Zoé could not get it: failed, and why.
    assert "delivered: 1" in reach
    assert "failed: 1" in reach
    assert "never opened the app: 1 person" in reach
    assert "Zoé Roy: 1 failed (app not installed)" in reach
    assert "Marc Lee" not in reach
    assert received(teams, IN_TEAMS[ZOE]) == []


async def test_a_whole_roster_is_looked_up_twenty_addresses_a_request(
    teams: TeamsWorld, tenant: FakeGraphTenant
) -> None:
    await play(teams, [(HR, 'tandem program new "Pilot"')])
    made = roster(5000)
    invited = [email for email, verdict in made.expected.items() if verdict == "invite"]
    # The tenant knows everyone but the last ten.
    tenant.users += [
        DirectoryUser(str(uuid.UUID(int=number + 1)), email, f"Person {number}", email)
        for number, email in enumerate(invited[:-10])
    ]
    data = csv_bytes(made)
    (reply,) = await teams.runtime.engine.handle(
        InboundEvent(
            kind=EventKind.COMMAND,
            sender=Sender(platform="teams", workspace=TENANT, user_id=HR, display_name="HR"),
            text="tandem roster import",
            files=(SharedFile("people.csv", data, len(data)),),
        )
    )
    to_invite = len(invited) - 10
    assert f"• {to_invite:,} to invite" in reply.text
    # The ten the tenant does not know, and the address nobody has.
    assert "• 11 unknown e-mails" in reply.text
    assert "• 1 duplicate\n" in reply.text
    # Each address asked by principal name, the ones not found asked again by mail: twenty
    # a request.
    batches = [call.body["requests"] for call in tenant.calls("POST", "$batch")]
    by_name = [b for b in batches if "$filter" not in b[0]["url"]]
    by_mail = [b for b in batches if "$filter" in b[0]["url"]]
    asked = sum(len(b) for b in by_name)
    assert asked >= to_invite + 10
    assert len(by_name) == -(-asked // 20) and all(len(b) <= 20 for b in by_name)
    assert [len(b) for b in by_mail] == [11]
    assert tenant.calls("POST", "installedApps") == []


async def test_a_directory_that_refuses_imports_nothing_and_says_what_to_grant(
    teams: TeamsWorld, tenant: FakeGraphTenant
) -> None:
    tenant.may_read_users = False
    answer = await _import(teams)
    assert "User.Read.All" in answer
    assert "Nothing was imported" in answer
    assert await _people(teams) == {HR: "Hélène RH"}


async def test_a_throttled_batch_is_waited_out(teams: TeamsWorld, tenant: FakeGraphTenant) -> None:
    busy = {"error": {"code": "TooManyRequests", "message": "Please retry again later."}}
    tenant.fail("user", Failure(429, busy, {"Retry-After": "0"}))
    report = await _import(teams)
    assert "2 to invite" in report


async def test_an_address_with_a_quote_is_found_by_mail(
    teams: TeamsWorld, tenant: FakeGraphTenant
) -> None:
    irish = "4a1b2c3d-0000-4000-8000-000000000001"
    tenant.users.append(
        DirectoryUser(irish, "sean.obrien@acme.onmicrosoft.com", "Seán", "o'brien@acme.example")
    )
    await play(teams, [(HR, 'tandem program new "Pilot"')])
    pasted = "tandem roster import<br>e-mail;name;role<br>o'brien@acme.example;Seán;mentee"
    response = await teams.post(teams.activity(HR, "message", text=pasted, textFormat="xml"))
    assert response.status == 200
    await settle(teams)
    assert "1 to invite" in "\n".join(received(teams, HR)[-2:])
    # Asked as a principal name (not one), then by mail with the quote doubled, as OData wants.
    (by_mail,) = [
        r["url"]
        for c in tenant.calls("POST", "$batch")
        for r in c.body["requests"]
        if "$filter" in r["url"]
    ]
    assert "o%27%27brien%40acme.example" in by_mail


async def test_an_app_installed_meanwhile_is_written_into_all_the_same(
    tenant: FakeGraphTenant, fake_connector: FakeBotConnector
) -> None:
    """Marc has Tandem, but Graph's list has not caught up yet: the install answers 409
    Conflict, which means done, and the chat is read from the next list."""
    graph = teams_graph(Settings(**graph_settings(tenant, TENANT), teams_app_manifest_id=MANIFEST))
    assert graph is not None
    tenant.lagging_lists = 1
    try:
        chat = await graph.installer.personal_chat(MARC)
    finally:
        await graph.http.close()
    assert chat == fake_connector.personal_conversation(IN_TEAMS[MARC])
    assert tenant.installed[MARC] == {"installation-marc": MANIFEST}
    assert len(tenant.calls("POST", "/teamwork/installedApps")) == 1
