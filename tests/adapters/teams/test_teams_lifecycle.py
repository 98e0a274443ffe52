"""A whole program through Teams: what each person is sent, from invitation to forget-me."""

from __future__ import annotations

import pytest

from tests.adapters.teams.world import (
    CHANNEL,
    HR,
    MENTEE,
    MENTOR,
    NAMES,
    TeamsWorld,
    play,
    received,
)
from tests.fakes.bot_connector import TENANT
from tests.lifecycle import assert_told_in_order, lifecycle_expected, lifecycle_steps


@pytest.mark.parametrize("execute", [True, False], ids=["execute", "submit-fallback"])
async def test_a_program_from_invitation_to_forget_me(teams: TeamsWorld, execute: bool) -> None:
    steps = lifecycle_steps(
        HR, MENTOR, MENTEE, slash="", mention=lambda user: f"<at>{NAMES[user]}</at>"
    )
    steps.insert(1, (HR, "#channel tandem digest channel here"))
    # The verb alone, as people type it in Teams.
    steps[steps.index((MENTEE, "tandem status"))] = (MENTEE, "status")
    steps.append((HR, "#channel tandem digest now"))
    await play(teams, steps, execute=execute)
    expected = lifecycle_expected(
        HR, MENTOR, MENTEE, mentor_name=NAMES[MENTOR], mentee_name=NAMES[MENTEE]
    )
    expected[HR].insert(1, "Invitation sent to Léa Martin, Marc Dubois")
    expected[HR].append('Weekly digest of "Digital Pioneers"')
    assert_told_in_order(expected, lambda who: received(teams, who))
    # The two invited people had never written to the bot: a conversation was made for each.
    created_for = {parameters["members"][0]["id"] for _, parameters in teams.fake.created}
    assert {MENTOR, MENTEE} <= created_for
    # The owners' channel got its hello as a new post; answers to commands typed there went
    # privately to the person who typed them, as a slash command's do on Slack.
    (hello,) = teams.fake.to(CHANNEL)
    assert "weekly digest" in hello.text
    conversations = {sent.conversation_id for sent in teams.fake.sent}
    assert conversations == {teams.conversation(p) for p in (HR, MENTOR, MENTEE)} | {CHANNEL}
    async with teams.runtime.uow_factory() as uow:
        assert await uow.person_by_identity("teams", TENANT, MENTEE) is None
