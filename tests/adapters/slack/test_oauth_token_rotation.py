"""Token rotation: a workspace's expiring bot token is refreshed before use, on a request
(Bolt's authorize) and on the outbox's way out alike, and the new tokens are saved."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from storage import tables
from tests.adapters.slack.oauth_world import OAuthWorld, team
from tests.adapters.slack.world import play, received, settle

HR, MENTOR = "UHROWNER1", "UMENTOR1"


def _refreshes(world: OAuthWorld) -> list[dict[str, object]]:
    return [
        arguments
        for arguments in world.fake.calls_to("oauth.v2.access")
        if arguments.get("grant_type") == "refresh_token"
    ]


async def _tokens_now(world: OAuthWorld) -> tuple[str, str]:
    assert world.runtime.slack is not None and world.runtime.slack.oauth is not None
    store = world.runtime.slack.oauth.installations
    found = await store.async_find_installation(enterprise_id=None, team_id="TACME")
    assert found is not None and found.bot_token and found.bot_refresh_token
    return found.bot_token, found.bot_refresh_token


async def test_an_expiring_token_is_refreshed_before_a_request_is_answered(
    oauth_slack: OAuthWorld,
) -> None:
    fake = oauth_slack.fake.oauth
    fake.rotation, fake.expires_in = True, 300  # expires within the 2 hours Tandem allows
    assert (await oauth_slack.install(team("TACME", "Acme"))).status == 200
    first_token, first_refresh = await _tokens_now(oauth_slack)
    fake.expires_in = 43200
    oauth_slack.lives_in(HR, "TACME")

    await play(oauth_slack, [(HR, "/tandem help")])

    (refresh,) = _refreshes(oauth_slack)
    assert refresh["refresh_token"] == first_refresh
    token, refresh_token = await _tokens_now(oauth_slack)
    assert token != first_token and refresh_token != first_refresh
    assert token.startswith("xoxe.xoxb-")
    replies = [t for method, t, _ in oauth_slack.fake.sent_with if method == "chat.postMessage"]
    assert replies and set(replies) == {token}
    assert received(oauth_slack, HR)
    # The refreshed token lasts: the next request refreshes nothing.
    await play(oauth_slack, [(HR, "/tandem help")])
    assert len(_refreshes(oauth_slack)) == 1


async def test_the_outbox_refreshes_a_token_that_expired_while_it_waited(
    oauth_slack: OAuthWorld,
) -> None:
    fake = oauth_slack.fake.oauth
    fake.rotation = True
    assert (await oauth_slack.install(team("TACME", "Acme"))).status == 200
    oauth_slack.lives_in(HR, "TACME")
    oauth_slack.lives_in(MENTOR, "TACME")
    await play(oauth_slack, [(HR, '/tandem program new "Pionniers" sessions: 6')])
    assert _refreshes(oauth_slack) == []
    # The invitation waits in the outbox while the token comes close to its end.
    await oauth_slack.command(HR, "/tandem", f"invite <@{MENTOR}|lea>", "trig-rotation")
    assert oauth_slack.runtime.slack is not None
    await oauth_slack.runtime.slack.settled()
    _, old_refresh = await _tokens_now(oauth_slack)
    async with oauth_slack.runtime.uow_factory.engine.begin() as connection:
        await connection.execute(
            sa.update(tables.slack_installation).values(
                bot_token_expires_at=datetime.now(UTC) + timedelta(minutes=10)
            )
        )
    # …and the few seconds an installation is kept in memory have long passed.
    assert oauth_slack.runtime.slack.oauth is not None
    oauth_slack.runtime.slack.oauth.workspaces.forget()

    await settle(oauth_slack)

    (refresh,) = _refreshes(oauth_slack)
    assert refresh["refresh_token"] == old_refresh
    token, _ = await _tokens_now(oauth_slack)
    invitation = [
        t
        for method, t, arguments in oauth_slack.fake.sent_with
        if method == "chat.postMessage" and arguments.get("channel") == f"D-{MENTOR}"
    ]
    assert invitation == [token]
    assert any("invites you" in text for text in received(oauth_slack, MENTOR))


async def test_sends_racing_for_an_expiring_token_refresh_it_once(oauth_slack: OAuthWorld) -> None:
    fake = oauth_slack.fake.oauth
    fake.rotation, fake.expires_in = True, 300
    assert (await oauth_slack.install(team("TACME", "Acme"))).status == 200
    fake.expires_in = 43200
    assert oauth_slack.runtime.slack is not None and oauth_slack.runtime.slack.oauth is not None
    workspaces = oauth_slack.runtime.slack.oauth.workspaces

    clients = await asyncio.gather(*(workspaces.client_for("TACME") for _ in range(5)))

    # A refresh token is good once: a second refresh would have been refused.
    assert len(_refreshes(oauth_slack)) == 1
    token, _ = await _tokens_now(oauth_slack)
    assert {client.token for client in clients} == {token}
