"""The owners' digest channel on Slack: a public channel the bot was never invited to is
joined; one it cannot join (private, archived) refuses the post, and the owners are told so, in
their language, how to let the bot in, without anyone being marked unreachable."""

from __future__ import annotations

from bot.domain import ProgramOwner
from tests.adapters.slack.payloads import TEAM
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, play, received, seed_pair


async def _owned_by_mentor(slack: SlackWorld, locale: str = "en") -> None:
    await seed_pair(slack)
    async with slack.runtime.uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        owner = await uow.person_by_identity("slack", TEAM, MENTOR)
        assert program.id is not None and owner is not None and owner.id is not None
        owner.locale = locale
        uow.add(ProgramOwner(program.id, owner.id))
        await uow.commit()


async def test_a_public_channel_the_bot_is_not_in_is_joined(slack: SlackWorld) -> None:
    await _owned_by_mentor(slack)
    slack.fake.outside_channels.add("C0PUBLIC")
    await play(slack, [(MENTOR, "/tandem digest channel <#C0PUBLIC|owners>")])
    assert [c["channel"] for c in slack.fake.calls_to("conversations.join")] == ["C0PUBLIC"]
    (hello,) = [p for p in slack.fake.posted if p["channel"] == "C0PUBLIC"]
    assert "weekly digest" in str(hello["text"])
    assert not any("cannot post" in text for text in received(slack, MENTOR))


async def test_a_private_channel_the_bot_is_not_in_is_reported_to_the_owner(
    slack: SlackWorld,
) -> None:
    await _owned_by_mentor(slack, "fr")
    slack.fake.private_channels.add("C0SECRET")
    slack.fake.outside_channels.add("C0SECRET")
    await play(slack, [(MENTOR, "/tandem digest channel <#C0SECRET|rh>")])
    assert not [p for p in slack.fake.posted if p["channel"] == "C0SECRET"]
    notices = [t for t in received(slack, MENTOR) if "ne peut pas publier" in t]
    assert len(notices) == 1 and "/invite @Tandem" in notices[0] and "#C0SECRET" in notices[0]
    async with slack.runtime.uow_factory() as uow:
        for user in (MENTOR, MENTEE):
            person = await uow.person_by_identity("slack", TEAM, user)
            assert person is not None and not person.unreachable
