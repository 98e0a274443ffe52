"""Teams through real HTTP: activities posted to /api/messages, replies read from the fake
Bot Connector."""

from __future__ import annotations

import logging

import pytest

from bot.settings import Settings
from tests.adapters.teams.world import (
    CHANNEL,
    MENTEE,
    MENTOR,
    TeamsWorld,
    answered_cards,
    card_actions,
    card_texts,
    play,
    received,
    seed_pair,
    settle,
)
from tests.fakes.bot_connector import TENANT


async def _session_logs(world: TeamsWorld, pair_id: int) -> list[tuple[int, str]]:
    async with world.runtime.uow_factory() as uow:
        return [(log.minutes, log.topics) for log in await uow.session_logs(pair_id)]


def told(world: TeamsWorld, user: str) -> list[str]:
    """What ``user`` was told, less the quiz a mentee gets after a logged session."""
    return [text for text in received(world, user) if not text.startswith("A quick quiz")]


async def test_a_command_typed_without_slash_is_answered_in_the_personal_chat(
    teams: TeamsWorld,
) -> None:
    pair_id = await seed_pair(teams)
    response = await teams.say(MENTOR, 'session log 45m "LinkedIn basics"')
    assert response.status in (200, 201)
    await settle(teams)
    assert await _session_logs(teams, pair_id) == [(45, "LinkedIn basics")]
    (confirmation,) = received(teams, MENTOR)
    assert "That's 1 of" in confirmation
    # The mentee never wrote to the bot: a conversation was created for them to be told.
    ((created_id, parameters),) = teams.fake.created
    assert parameters["members"] == [{"id": MENTEE}]
    assert parameters["channelData"] == {"tenant": {"id": TENANT}}
    (notice,) = told(teams, MENTEE)
    assert "logged your session" in notice
    assert created_id == teams.conversation(MENTEE)


async def test_just_the_verb_works_and_the_person_is_known_with_zone_and_locale(
    teams: TeamsWorld,
) -> None:
    await seed_pair(teams)
    teams.locales[MENTEE] = "fr-FR"
    await play(teams, [(MENTEE, "status")])
    (status,) = received(teams, MENTEE)
    assert "Léa Martin" in status
    async with teams.runtime.uow_factory() as uow:
        person = await uow.person_by_identity("teams", TENANT, MENTEE)
        assert person is not None
        assert person.timezone == "Europe/Paris"
        reference = (person.address or {})["reference"]
        assert reference["conversation"]["id"] == teams.conversation(MENTEE)
        assert reference["serviceUrl"] == teams.fake.url


async def test_the_session_form_is_a_card_and_errors_show_on_it(teams: TeamsWorld) -> None:
    pair_id = await seed_pair(teams)
    await play(teams, [(MENTOR, "session log")])
    _, form = teams.latest_card(MENTOR, with_inputs=True)
    assert form["version"] == "1.5"
    submit = card_actions(form)[0]
    assert submit["type"] == "Action.Execute"
    assert submit["fallback"]["type"] == "Action.Submit"
    await play(teams, [(MENTOR, "form:forty|LinkedIn basics|-")])
    (with_errors,) = answered_cards(teams, MENTOR)
    assert "45m" in card_texts(with_errors)  # the error says how to write a duration
    assert await _session_logs(teams, pair_id) == []
    # The form comes back with what was typed, under a new card id.
    inputs = {e["id"]: e.get("value") for e in with_errors["body"] if "Input" in e["type"]}
    assert inputs["field_topics"] == "LinkedIn basics"
    assert card_actions(with_errors)[0]["data"]["card"] != card_actions(form)[0]["data"]["card"]
    await play(teams, [(MENTOR, "form:45m|LinkedIn basics|-")])
    assert await _session_logs(teams, pair_id) == [(45, "LinkedIn basics")]
    assert "✓" in card_texts(answered_cards(teams, MENTOR)[-1])


async def test_a_card_submitted_twice_is_handled_once(teams: TeamsWorld) -> None:
    pair_id = await seed_pair(teams)
    await play(teams, [(MENTOR, "session log")])
    reply_to, form = teams.latest_card(MENTOR, with_inputs=True)
    data = dict(card_actions(form)[0]["data"])
    data.update(field_duration="45m", field_topics="LinkedIn basics", field_next="")
    for execute in (True, False):
        response = await teams.act(MENTOR, data, reply_to, execute=execute)
        assert response.status in (200, 201)
        await settle(teams)
    assert await _session_logs(teams, pair_id) == [(45, "LinkedIn basics")]
    confirmations = [text for text in received(teams, MENTOR) if "That's 1 of" in text]
    assert len(confirmations) == 1
    # The Action.Submit fallback replaced the card in place too.
    updates = [s for s in teams.fake.to(teams.conversation(MENTOR)) if s.how == "update"]
    assert [u.target_id for u in updates] == [reply_to]


async def test_digest_channel_here_stores_the_channel_and_posts_a_new_thread(
    teams: TeamsWorld,
) -> None:
    await play(teams, [(MENTOR, 'tandem program new "Digital Pioneers"')])
    await play(teams, [(MENTOR, "#channel tandem digest channel here")])
    posts = teams.fake.to(CHANNEL)
    assert posts, "nothing was posted in the channel itself"
    async with teams.runtime.uow_factory() as uow:
        owner = await uow.person_by_identity("teams", TENANT, MENTOR)
        assert owner is not None and owner.id is not None
        (program,) = await uow.programs_owned_by(owner.id)
        channel = program.digest_channel
    assert channel is not None
    assert channel["reference"]["conversation"]["id"] == CHANNEL
    assert channel["channel"] == "HR owners"


async def test_with_credentials_a_request_without_a_token_is_refused(
    migrated_url: str, fake_connector: object
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.web import make_app
    from bot.main import build_runtime
    from tests.adapters.teams.world import TeamsWorld as World

    settings = Settings(
        database_url=migrated_url,
        microsoft_app_id="00000000-0000-0000-0000-000000000001",
        microsoft_app_password="secret",  # type: ignore[arg-type]
    )
    runtime = await build_runtime(settings, migrate=False)
    try:
        async with TestClient(TestServer(make_app(None, runtime.teams))) as http:
            world = World(http, fake_connector, runtime)  # type: ignore[arg-type]
            response = await world.say(MENTOR, "status")
            assert response.status == 401
            forged = await world.post(
                world.activity(MENTOR, "message", text="status"), Authorization="Bearer forged"
            )
            assert forged.status == 401
    finally:
        await runtime.close()
    async with runtime.uow_factory() as uow:
        assert await uow.person_by_identity("teams", TENANT, MENTOR) is None


async def test_without_credentials_the_endpoint_says_it_is_unauthenticated(
    migrated_url: str, fake_connector: object, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.main import build_runtime

    caplog.set_level(logging.WARNING, logger="tandem.teams")
    settings = Settings(database_url=migrated_url, teams_enabled=True)
    runtime = await build_runtime(settings, migrate=False)
    await runtime.close()
    assert runtime.teams is not None and not runtime.teams.authenticated
    assert any("NOT authenticated" in record.getMessage() for record in caplog.records)


async def test_a_slack_only_deployment_opens_no_teams_endpoint(migrated_url: str) -> None:
    from bot.main import build_runtime

    settings = Settings(
        database_url=migrated_url,
        slack_bot_token="xoxb-1",  # type: ignore[arg-type]
        slack_signing_secret="s",  # type: ignore[arg-type]
    )
    runtime = await build_runtime(settings, migrate=False)
    try:
        assert runtime.teams is None and "teams" not in runtime.ports
    finally:
        await runtime.close()


async def test_messages_are_acknowledged_at_once_and_handled_in_order(teams: TeamsWorld) -> None:
    pair_id = await seed_pair(teams)
    topics = [f"topic {n}" for n in range(6)]
    for topic in topics:
        response = await teams.say(MENTOR, f'session log 30m "{topic}"')
        assert response.status == 200
    await settle(teams)
    assert [topic for _, topic in await _session_logs(teams, pair_id)] == topics
    confirmations = [text for text in received(teams, MENTOR) if "Session logged" in text]
    assert [topic for c in confirmations for topic in topics if topic in c] == topics
