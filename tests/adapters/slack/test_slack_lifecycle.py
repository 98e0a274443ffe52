"""A whole program through Slack: what each person is sent, from invitation to forget-me."""

from __future__ import annotations

from tests.adapters.slack.payloads import TEAM
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, dm, play, received
from tests.lifecycle import assert_told_in_order, lifecycle_expected, lifecycle_steps

HR = "UHROWNER1"
NAMES = {MENTOR: "lea", MENTEE: "marc"}


async def test_a_program_from_invitation_to_forget_me(slack: SlackWorld) -> None:
    steps = lifecycle_steps(
        HR, MENTOR, MENTEE, slash="/", mention=lambda user: f"<@{user}|{NAMES[user]}>"
    )
    await play(slack, steps)
    # Slack names the mentor by their profile's display name, the mentee by their real name.
    expected = lifecycle_expected(HR, MENTOR, MENTEE, mentor_name="lea", mentee_name="Marc Dubois")
    expected[HR].insert(1, "Invitation sent to lea, marc")
    assert_told_in_order(expected, lambda who: received(slack, who))
    # Nothing went anywhere but the three people's direct messages.
    channels = {arguments["channel"] for arguments in slack.fake.calls_to("chat.postMessage")}
    assert channels == {dm(HR), dm(MENTOR), dm(MENTEE)}
    async with slack.runtime.uow_factory() as uow:
        assert await uow.person_by_identity("slack", TEAM, MENTEE) is None
