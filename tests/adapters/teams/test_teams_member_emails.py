"""Teams people found in their calendars by the e-mail Teams gives (the Bot Connector's "get
member"), with no roster: through the real messaging endpoint, with Microsoft Graph (the fake)
connected. Proposals avoid both Outlook calendars' busy times and the booking lands in the
organiser's calendar with the partner invited. A failing or slow lookup never stops a turn, is
not repeated for the same person within its time to live, and without a calendar connected the
Bot Connector is never asked."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.teams.activities import member_scope
from adapters.teams.member_emails import MemberEmails, email_in
from storage import tables
from tests.adapters.teams.world import (
    HR,
    MENTEE,
    MENTOR,
    NAMES,
    TeamsWorld,
    card_actions,
    play,
    received,
    seed_pair,
    settle,
)
from tests.console_support import START
from tests.fakes.graph_calendar import FakeGraph

LEA, MARC = "lea.martin@contoso.com", "marc.dubois@contoso.com"


def slot_starts(card: dict[str, object]) -> list[datetime]:
    """The instants a proposal card's buttons offer (``<token>|slot:<pair>:<unix seconds>``)."""
    return [
        datetime.fromtimestamp(int(str(action["data"]["value"]).split(":")[2]), UTC)
        for action in card_actions(card)  # type: ignore[arg-type]
    ]


def ics_files(teams: TeamsWorld, user: str) -> list[dict[str, object]]:
    return [
        file
        for sent in teams.fake.to(teams.conversation(user))
        for file in sent.activity.get("attachments") or ()
        if file.get("contentType") == "text/calendar"
    ]


def emails_of(world: TeamsWorld) -> MemberEmails:
    assert world.runtime.teams is not None and world.runtime.teams.bot.emails is not None
    return world.runtime.teams.bot.emails


async def stored_emails(teams: TeamsWorld) -> dict[str, str | None]:
    async with teams.runtime.uow_factory.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(tables.person.c.user_id, tables.person.c.email).where(
                tables.person.c.user_id.in_([MENTOR, MENTEE])
            )
        )
        return {row.user_id: row.email for row in rows}


def seed_directory(teams: TeamsWorld) -> None:
    # Léa's mail address is given (in its own case); Marc, like many tenants' people, has only
    # a user principal name.
    teams.fake.add_member(
        MENTOR,
        NAMES[MENTOR],
        email="Lea.Martin@Contoso.com",
        user_principal_name="lmartin@contoso.com",
    )
    teams.fake.add_member(MENTEE, NAMES[MENTEE], user_principal_name="Marc.Dubois@contoso.com")


async def test_a_pair_without_roster_is_planned_and_booked_in_graph_by_their_teams_emails(
    teams_with_graph: TeamsWorld, graph: FakeGraph
) -> None:
    teams = teams_with_graph
    await seed_pair(teams)
    seed_directory(teams)
    # Marc's Outlook is full until Friday, Léa's all Friday: neither knows Tandem of it.
    friday = datetime(2026, 11, 20, tzinfo=UTC)
    graph.busy[MARC].append((START, friday))
    graph.busy[LEA].append((friday, friday + timedelta(days=1)))

    await play(teams, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "session plan")])
    (asked,) = graph.calls("POST", "/calendar/getSchedule")
    assert sorted(asked.body["schedules"]) == [LEA, MARC]
    reply_to, card = teams.latest_card(MENTOR)
    starts = slot_starts(card)
    assert len(starts) == 3
    # Nothing on Wednesday or Thursday (Marc is busy) nor on Friday (Léa is): next week.
    assert all(start >= friday + timedelta(days=3) for start in starts), starts

    response = await teams.act(MENTOR, dict(card_actions(card)[0]["data"]), reply_to)
    assert response.status == 200
    await settle(teams)
    (created,) = graph.calls("POST", "/events")
    assert created.path == f"/v1.0/users/{LEA}/events"
    assert created.body["attendees"] == [{"emailAddress": {"address": MARC}, "type": "required"}]
    assert any("Next session planned for" in t for t in received(teams, MENTOR))
    assert any("planned your next session" in t for t in received(teams, MENTEE))
    # In both Outlook calendars: no invitation file for either.
    assert not ics_files(teams, MENTOR) and not ics_files(teams, MENTEE)
    # Each person asked for once, in their own chat, for all their turns (the click included).
    assert sorted(teams.fake.member_lookups) == sorted(
        [(teams.conversation(MENTOR), MENTOR), (teams.conversation(MENTEE), MENTEE)]
    )
    assert not teams.fake.violations


async def test_a_failed_or_slow_lookup_never_stops_a_turn_and_is_not_repeated_at_once(
    teams_with_graph: TeamsWorld, graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    teams = teams_with_graph
    await seed_pair(teams)
    seed_directory(teams)
    emails = emails_of(teams)
    moments = [1_000.0]
    emails.now = lambda: moments[0]
    # Marc's lookup fails with a 503; Léa's would answer long after the lookup gave up.
    teams.fake.fail_next(503, call="member", conversation_id=teams.conversation(MENTEE))
    emails.timeout = 0.2
    teams.fake.member_delays[MENTOR] = 2.5

    caplog.set_level(logging.DEBUG, logger="tandem.teams")
    await play(teams, [(MENTEE, "help")])
    started = time.monotonic()
    await play(teams, [(MENTOR, "help")])
    assert time.monotonic() - started < 2.0
    await play(teams, [(MENTOR, "session plan")])
    assert received(teams, MENTEE) and received(teams, MENTOR)
    assert teams.fake.rejected[503] == 1
    failures = [r for r in caplog.records if "get member" in r.getMessage()]
    assert len(failures) == 2
    # Said without whom: no user id, name or address in the log.
    for record in failures:
        said = repr(record.__dict__)
        assert not any(who in said for who in ("mentor-lea", "mentee-marc", "contoso", "Léa"))
    reply_to, card = teams.latest_card(MENTOR)
    assert len(card_actions(card)) == 3
    # Nobody's address known: no calendar asked, and the booking goes out as .ics files.
    assert not graph.calls("POST")
    await teams.act(MENTOR, dict(card_actions(card)[0]["data"]), reply_to)
    await settle(teams)
    assert not graph.calls("POST", "/events")
    assert ics_files(teams, MENTOR) and ics_files(teams, MENTEE)
    # One call each, though each of them had turns after it failed.
    assert teams.fake.calls["member"] == 2

    assert await stored_emails(teams) == {MENTOR: None, MENTEE: None}

    # Ten minutes on, the lookups are tried again, and this time the service answers.
    teams.fake.member_delays.clear()
    moments[0] += 601
    await play(teams, [(MENTEE, "help"), (MENTOR, "help")])
    assert teams.fake.calls["member"] == 4
    assert await stored_emails(teams) == {MENTOR: LEA, MENTEE: MARC}
    assert not teams.fake.violations


async def test_without_a_calendar_the_bot_connector_is_never_asked(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    seed_directory(teams)
    await play(teams, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "session plan")])
    reply_to, card = teams.latest_card(MENTOR)
    await teams.act(MENTOR, dict(card_actions(card)[0]["data"]), reply_to)
    await settle(teams)
    assert ics_files(teams, MENTOR) and ics_files(teams, MENTEE)
    assert teams.fake.calls["member"] == 0
    assert teams.runtime.teams is not None and teams.runtime.teams.bot.emails is None


async def test_a_partner_who_only_installed_tandem_is_found_by_their_email(
    teams_with_graph: TeamsWorld, graph: FakeGraph
) -> None:
    teams = teams_with_graph
    await seed_pair(teams)
    seed_directory(teams)
    # Marc installs Tandem and never writes; his mailbox is learnt at the installation.
    assert (await teams.post(teams.activity(MENTEE, "installationUpdate", action="add"))).status
    await settle(teams)
    await play(teams, [(MENTOR, "help"), (MENTOR, "session plan")])
    (asked,) = graph.calls("POST", "/calendar/getSchedule")
    assert sorted(asked.body["schedules"]) == [LEA, MARC]


async def test_a_command_in_a_channel_looks_the_speaker_up_in_the_team(
    teams_with_graph: TeamsWorld,
) -> None:
    teams = teams_with_graph
    await play(teams, [(HR, "#channel help")])
    assert teams.fake.member_lookups == [("19:team@thread.tacv2", HR)]


def test_the_address_is_the_email_else_the_user_principal_name_lower_cased() -> None:
    assert email_in({"email": "Larry.Brown@Fabrikam.com", "userPrincipalName": "lb@f.com"}) == (
        "larry.brown@fabrikam.com"
    )
    assert email_in({"userPrincipalName": "LaBrown@fabrikam.com"}) == "labrown@fabrikam.com"
    # An anonymous guest (Teams gives neither), or values that are no address.
    assert email_in({"id": "29:x", "name": "Anon1 (Guest)", "userRole": "anonymous"}) is None
    assert email_in({"email": "", "userPrincipalName": ["a@b.c"]}) is None
    assert email_in({"email": "not an address"}) is None


def test_members_are_looked_up_in_the_team_or_the_chat() -> None:
    channel = {
        "conversation": {"id": "19:general@thread.tacv2;messageid=1700000000000"},
        "channelData": {"team": {"id": "19:team@thread.tacv2"}},
    }
    assert member_scope(channel) == "19:team@thread.tacv2"
    del channel["channelData"]
    assert member_scope(channel) == "19:general@thread.tacv2"
    assert member_scope({"conversation": {"id": "a:personal-1"}}) == "a:personal-1"
