"""A workspace that uninstalls Tandem or revokes its token: the installation and its tokens go,
the people Tandem can no longer reach are marked so, and the owners are told in their language."""

from __future__ import annotations

import itertools
import json
import logging
import time
from typing import Any

import pytest
import sqlalchemy as sa

from storage import tables
from tests.adapters.slack.oauth_world import OAuthWorld, team
from tests.adapters.slack.payloads import signed_headers
from tests.adapters.slack.world import SlackWorld, play, received, settle
from tests.fakes.slack_oauth import APP_ID, CLIENT_ID, CLIENT_SECRET, Grant

HR, MENTOR, MENTEE = "UHROWNER1", "UMENTOR1", "UMENTEE1"
_ids = itertools.count(1)


def _grid_team(team_id: str) -> Grant:
    """A workspace-level install in one team of the Enterprise Grid organisation EMEGA."""
    return Grant(team={"id": team_id, "name": team_id}, enterprise={"id": "EMEGA", "name": "Mega"})


async def _slack_says(
    world: OAuthWorld,
    event: dict[str, Any],
    team_id: str,
    enterprise: str | None = None,
    event_id: str | None = None,
) -> None:
    """An Events API delivery; a retry carries the same ``event_id``."""
    body = json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "enterprise_id": enterprise,
            "api_app_id": APP_ID,
            "event": {**event, "event_ts": f"{time.time():.6f}"},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):06}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": enterprise,
                    "team_id": team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
    )
    headers = signed_headers(body, "application/json")
    response = await world.http.post("/slack/events", data=body.encode(), headers=headers)
    assert response.status == 200
    await settle(world)


async def _teams_installed(world: OAuthWorld) -> list[str]:
    async with world.runtime.uow_factory() as uow:
        rows = await uow.session.execute(  # type: ignore[attr-defined]
            sa.select(tables.slack_installation.c.team_id).order_by(tables.slack_installation.c.id)
        )
        return [row.team_id for row in rows]


async def _unreachable(world: OAuthWorld) -> dict[str, bool]:
    async with world.runtime.uow_factory() as uow:
        return {
            person.user_id: person.unreachable
            for workspace in ("EMEGA", "TACME", "TGLOBEX")
            for person in await uow.people_in_workspace("slack", workspace)
        }


async def _program_with_three_people(world: OAuthWorld) -> None:
    world.fake.users[HR] = {"real_name": "Inès Roche", "locale": "fr-FR", "tz": "Europe/Paris"}
    world.fake.users[MENTEE] = {"real_name": "Marc Dubois", "locale": "en-GB"}
    await play(
        world,
        [
            (HR, '/tandem program new "Pionniers" sessions: 6 every: 2w length: 1h'),
            (HR, f"/tandem invite <@{MENTOR}|lea> <@{MENTEE}|marc>"),
            (MENTOR, "click:mentor"),
            (MENTEE, "click:mentee"),
        ],
    )


async def test_a_team_that_uninstalls_loses_its_people_and_the_owner_is_told(
    oauth_slack: OAuthWorld,
) -> None:
    for team_id in ("TMEGAPARIS", "TMEGANYC"):
        assert (await oauth_slack.install(_grid_team(team_id))).status == 200
    oauth_slack.lives_in(HR, "TMEGAPARIS", "EMEGA")
    oauth_slack.lives_in(MENTOR, "TMEGAPARIS", "EMEGA")
    oauth_slack.lives_in(MENTEE, "TMEGANYC", "EMEGA")
    await _program_with_three_people(oauth_slack)
    assert await _unreachable(oauth_slack) == {HR: False, MENTOR: False, MENTEE: False}
    told_before = len(received(oauth_slack, HR))

    # The New York team removes the app: Slack revokes its token and says so.
    oauth_slack.fake.oauth.revoke_all(team="TMEGANYC")
    await _slack_says(oauth_slack, {"type": "app_uninstalled"}, "TMEGANYC", "EMEGA", "EvGONE")

    assert await _teams_installed(oauth_slack) == ["TMEGAPARIS"]
    assert await _unreachable(oauth_slack) == {HR: False, MENTOR: False, MENTEE: True}
    # The owner is told once, in French (her Slack language), who can no longer be reached.
    (notice,) = received(oauth_slack, HR)[told_before:]
    assert notice.startswith("Tandem a été retiré d'un espace de travail Slack")
    assert "Marc Dubois" in notice and "Pionniers" in notice
    # Slack sends the same event again (a retry): nothing more happens.
    await _slack_says(oauth_slack, {"type": "app_uninstalled"}, "TMEGANYC", "EMEGA", "EvGONE")
    assert len(received(oauth_slack, HR)) == told_before + 1


async def test_a_revoked_bot_token_removes_the_installation_of_that_workspace_only(
    oauth_slack: OAuthWorld,
) -> None:
    for grant in (team("TACME", "Acme"), team("TGLOBEX", "Globex")):
        assert (await oauth_slack.install(grant)).status == 200
    oauth_slack.lives_in(HR, "TACME")
    oauth_slack.lives_in(MENTOR, "TACME")
    oauth_slack.lives_in(MENTEE, "TGLOBEX")
    await play(oauth_slack, [(HR, "/tandem help"), (MENTOR, "/tandem help"), (MENTEE, "hello")])

    # Only a person's own user token revoked: the bot still speaks there.
    await _slack_says(oauth_slack, {"type": "tokens_revoked", "tokens": {"oauth": [HR]}}, "TACME")
    assert await _teams_installed(oauth_slack) == ["TACME", "TGLOBEX"]

    oauth_slack.fake.oauth.revoke_all(team="TACME")
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}}
    await _slack_says(oauth_slack, revoked, "TACME")

    assert await _teams_installed(oauth_slack) == ["TGLOBEX"]
    assert await _unreachable(oauth_slack) == {HR: True, MENTOR: True, MENTEE: False}
    # Globex goes on as before.
    before = len(received(oauth_slack, MENTEE))
    await play(oauth_slack, [(MENTEE, "/tandem help")])
    assert len(received(oauth_slack, MENTEE)) > before


async def test_a_token_revoked_without_a_word_makes_the_people_unreachable_on_first_send(
    oauth_slack: OAuthWorld,
) -> None:
    assert (await oauth_slack.install(team("TACME", "Acme"))).status == 200
    for user in (HR, MENTOR, MENTEE):
        oauth_slack.lives_in(user, "TACME")
    await play(oauth_slack, [(HR, '/tandem program new "Pionniers" sessions: 6')])
    # The invitation is queued in the outbox; the workspace's token is revoked before it goes.
    await oauth_slack.command(HR, "/tandem", f"invite <@{MENTOR}|lea>", "trig-revoked")
    assert oauth_slack.runtime.slack is not None
    await oauth_slack.runtime.slack.settled()
    oauth_slack.fake.oauth.revoke_all(team="TACME")
    posted = len(oauth_slack.fake.posted)

    await settle(oauth_slack)

    assert len(oauth_slack.fake.posted) == posted
    tried = [token for method, token, _ in oauth_slack.fake.sent_with if method != "auth.test"]
    assert oauth_slack.fake.oauth.refusal(tried[-1]) == "token_revoked"
    assert (await _unreachable(oauth_slack))[MENTOR] is True


async def test_a_token_replaced_by_another_replica_is_looked_up_again_not_given_up(
    oauth_slack: OAuthWorld,
) -> None:
    assert (await oauth_slack.install(team("TACME", "Acme"))).status == 200
    for user in (HR, MENTOR):
        oauth_slack.lives_in(user, "TACME")
    await play(oauth_slack, [(HR, '/tandem program new "Pionniers" sessions: 6')])
    await oauth_slack.command(HR, "/tandem", f"invite <@{MENTOR}|lea>", "trig-reinstalled")
    assert oauth_slack.runtime.slack is not None and oauth_slack.runtime.slack.oauth is not None
    await oauth_slack.runtime.slack.settled()
    # Meanwhile the workspace installed Tandem again through another replica: a new token
    # in the database, the one this process read a moment ago revoked.
    fake = oauth_slack.fake.oauth
    old_tokens = set(fake.tokens)
    fake.revoke_all(team="TACME")
    answer = fake.access(
        "",
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "code": fake.consent(team("TACME", "Acme")),
        },
    )
    store = oauth_slack.runtime.slack.oauth.installations
    found = await store.async_find_installation(enterprise_id=None, team_id="TACME")
    assert found is not None
    found.bot_token = answer["access_token"]
    await store.async_save(found)

    await settle(oauth_slack)

    assert any("invites you" in text for text in received(oauth_slack, MENTOR))
    sent = [t for method, t, _ in oauth_slack.fake.sent_with if method == "chat.postMessage"]
    assert sent[-1] not in old_tokens
    assert (await _unreachable(oauth_slack))[MENTOR] is False


async def test_with_one_token_an_uninstall_is_acknowledged_and_logged(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="tandem.slack"):
        response = await slack.event({"type": "app_uninstalled"}, "EvUNINSTALLED")
    assert response.status == 200
    assert "slack app uninstalled or its token revoked" in caplog.text
