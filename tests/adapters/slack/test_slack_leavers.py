"""Someone leaves the company on Slack (their account deactivated): their pair ends kindly, the
partner is told and offered a new partner, the owners are told, nothing more goes to them; the
account reactivated, they are back."""

from __future__ import annotations

from datetime import timedelta

from tests.adapters.slack.payloads import TEAM, user_change
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, play, received, seed_pair, settle
from tests.leavers import add_owner_and_candidate, person, queue_to, seen

HR, NEWCOMER = "UHROWNER1", "UMENTOR2"


async def test_a_deactivated_account_ends_the_pair_kindly(slack: SlackWorld) -> None:
    runtime = slack.runtime
    pair_id = await seed_pair(slack)
    await add_owner_and_candidate(
        runtime, pair_id, owner=(HR, "helene"), candidate=(NEWCOMER, "nina")
    )
    lea = await person(runtime, "slack", TEAM, MENTOR)
    await queue_to(runtime, lea, "nudge:lea", "Time for your next session?")

    response = await slack.event(user_change(MENTOR, deleted=True), "EvLeft1")
    assert response.status == 200
    # Slack delivers it again (a retry): the same departure, once.
    await slack.event(user_change(MENTOR, deleted=True), "EvLeft1", retry=1)
    await settle(slack)

    after = await seen(runtime, lea, pair_id)
    assert after.left and after.pair_status == "ended"
    assert after.enrollment_statuses == ("left",)
    # The nudge waiting for her is dropped, not sent, even once its time comes.
    assert after.outbox_statuses == ("skipped",)
    assert not received(slack, MENTOR)

    told = received(slack, MENTEE)
    assert len(told) == 1
    assert "lea has left the company" in told[0] and "Would you like a new partner?" in told[0]
    owner_told = received(slack, HR)
    assert len(owner_told) == 1
    assert 'lea left "Pilot": their account was deactivated' in owner_told[0]
    assert "run /tandem match for a second round" in owner_told[0]

    # The partner asks for a new one: the owners know, and the second round pairs them.
    await play(slack, [(MENTEE, "click:Yes, a new partner")])
    assert "next round of the matching" in received(slack, MENTEE)[-1]
    assert "would like a new partner" in received(slack, HR)[-1]
    await play(slack, [(HR, "/tandem match"), (HR, "/tandem match approve")])
    async with runtime.uow_factory() as uow:
        pairs = await uow.pairs_in_program((await uow.pair(pair_id)).program_id)  # type: ignore[union-attr]
        active = [p for p in pairs if p.status == "active"]
        assert len(active) == 1
        assert active[0].mentee_enrollment_id == (await uow.pair(pair_id)).mentee_enrollment_id  # type: ignore[union-attr]
    assert not received(slack, MENTOR)

    # The next day's digest tells the owners who left, and who was offered a new partner.
    runtime.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    await play(slack, [(HR, "/tandem digest now")])
    digest = received(slack, HR)[-1]
    assert "Comings and goings" in digest
    assert "lea left: account deactivated; marc was offered a new partner" in digest


async def test_a_reactivated_account_is_back_and_joins_only_if_they_say_so(
    slack: SlackWorld,
) -> None:
    runtime = slack.runtime
    pair_id = await seed_pair(slack)
    await add_owner_and_candidate(
        runtime, pair_id, owner=(HR, "helene"), candidate=(NEWCOMER, "nina")
    )
    await slack.event(user_change(MENTEE, deleted=True), "EvLeft2")
    await settle(slack)
    marc = await person(runtime, "slack", TEAM, MENTEE)
    assert (await seen(runtime, marc, pair_id)).left

    # A profile edit of someone else, or of someone Tandem never met, changes nothing.
    await slack.event(user_change(MENTOR, deleted=False), "EvEdit1")
    await slack.event(user_change("UNKNOWN9", deleted=True), "EvEdit2")
    await slack.event(user_change(MENTEE, deleted=False, kind="team_join"), "EvBack1")
    await settle(slack)

    back = await seen(runtime, marc, pair_id)
    assert not back.left
    # Joining stays opt-in: the old enrollment stays left, the pair stays ended.
    assert back.enrollment_statuses == ("left",) and back.pair_status == "ended"
    assert "marc is back" in received(slack, HR)[-1]
    assert (
        await seen(runtime, await person(runtime, "slack", TEAM, MENTOR), pair_id)
    ).left is False
