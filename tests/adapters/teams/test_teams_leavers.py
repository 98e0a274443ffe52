"""Someone leaves on Teams (removed from the team, or Tandem removed from their chat): their
pair ends kindly, the partner is told and offered a new partner, the owners are told, nothing
more goes to them; Tandem installed again, they are back."""

from __future__ import annotations

from tests.adapters.teams.world import (
    BOT,
    CHANNEL,
    HR,
    MENTEE,
    MENTOR,
    TeamsWorld,
    play,
    received,
    seed_pair,
    settle,
)
from tests.fakes.bot_connector import TENANT
from tests.leavers import add_owner_and_candidate, person, queue_to, seen

NEWCOMER = "29:mentor-nina"


def removed_from_team(world: TeamsWorld, user: str) -> dict[str, object]:
    """The ``conversationUpdate`` a team's conversation gets when a member is removed."""
    return world.activity(
        HR,
        "conversationUpdate",
        membersRemoved=[{"id": user, "aadObjectId": f"aad-{user}"}],
        conversation={
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
            "id": CHANNEL,
        },
        channelData={
            "tenant": {"id": TENANT},
            "team": {"id": "19:team@thread.tacv2", "name": "Company"},
            "eventType": "teamMemberRemoved",
        },
    )


async def test_removed_from_the_team_ends_the_pair_kindly(teams: TeamsWorld) -> None:
    runtime = teams.runtime
    pair_id = await seed_pair(teams)
    await add_owner_and_candidate(
        runtime, pair_id, owner=(HR, "Hélène RH"), candidate=(NEWCOMER, "Nina")
    )
    marc = await person(runtime, "teams", TENANT, MENTEE)
    await queue_to(runtime, marc, "nudge:marc", "Time for your next session?")

    activity = removed_from_team(teams, MENTEE)
    assert (await teams.post(activity)).status in (200, 201)
    # The Bot Connector delivers it again: the same departure, once.
    assert (await teams.post(activity)).status in (200, 201)
    await settle(teams)

    after = await seen(runtime, marc, pair_id)
    assert after.left and after.pair_status == "ended"
    assert after.enrollment_statuses == ("left",) and after.outbox_statuses == ("skipped",)
    assert not received(teams, MENTEE)
    (told,) = received(teams, MENTOR)
    assert "Marc Dubois has left the company" in told and "Would you like a new partner?" in told
    (owner_told,) = received(teams, HR)
    assert 'Marc Dubois left "Pilot": they were removed from the team' in owner_told

    # The partner would rather pause: no second round for her until she resumes.
    await play(teams, [(MENTOR, "click:No, pause for now")])
    assert "/tandem resume" in received(teams, MENTOR)[-1]
    lea = await seen(runtime, await person(runtime, "teams", TENANT, MENTOR), pair_id)
    assert lea.enrollment_statuses == ("paused",)


async def test_tandem_removed_from_their_chat_then_installed_again(teams: TeamsWorld) -> None:
    runtime = teams.runtime
    pair_id = await seed_pair(teams)
    await add_owner_and_candidate(
        runtime, pair_id, owner=(HR, "Hélène RH"), candidate=(NEWCOMER, "Nina")
    )
    removed = teams.activity(MENTOR, "installationUpdate", action="remove")
    assert (await teams.post(removed)).status in (200, 201)
    await settle(teams)
    lea = await person(runtime, "teams", TENANT, MENTOR)
    assert (await seen(runtime, lea, pair_id)).left
    assert "Léa Martin has left the company" in received(teams, MENTEE)[-1]
    assert "they removed Tandem" in received(teams, HR)[-1]

    # Tandem removed from a team (not a person's chat) is nobody leaving.
    team_removal = teams.activity(
        HR,
        "installationUpdate",
        action="remove",
        conversation={
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT,
            "id": CHANNEL,
        },
    )
    assert (await teams.post(team_removal)).status in (200, 201)
    # The bot itself removed from a conversation is nobody leaving either.
    bot_removed = teams.activity(HR, "conversationUpdate", membersRemoved=[dict(BOT)])
    assert (await teams.post(bot_removed)).status in (200, 201)
    await settle(teams)
    assert not (await seen(runtime, await person(runtime, "teams", TENANT, HR), pair_id)).left

    installed = teams.activity(MENTOR, "installationUpdate", action="add")
    assert (await teams.post(installed)).status in (200, 201)
    await settle(teams)
    back = await seen(runtime, lea, pair_id)
    assert not back.left and back.enrollment_statuses == ("left",)
    assert "Léa Martin is back" in received(teams, HR)[-1]
