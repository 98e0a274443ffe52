"""Retention: the personal data of someone who left is erased 90 days after they left (the
program's setting), by the tick, and nothing else: their partner's data, the pair and the
sessions' dates and lengths stay; one line of history says it happened, naming nobody."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from storage import tables
from tests.adapters.slack.payloads import TEAM, user_change
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, play, received, seed_pair, settle
from tests.leavers import add_owner_and_candidate

HR, NEWCOMER = "UHROWNER1", "UMENTOR2"
# Her display name, as a word (not "learnt", "please").
NAMED = re.compile(r"\blea\b", re.IGNORECASE)


async def test_a_leavers_data_is_erased_on_the_ninetieth_day_and_only_theirs(
    slack: SlackWorld,
) -> None:
    runtime = slack.runtime
    clock = runtime.clock
    pair_id = await seed_pair(slack)
    await add_owner_and_candidate(
        runtime, pair_id, owner=(HR, "helene"), candidate=(NEWCOMER, "nina")
    )
    await play(
        slack,
        [
            (MENTOR, '/session log 45m "LinkedIn profile with lea" next: "lea sends her notes"'),
            (MENTEE, '/session log 30m "Privacy settings"'),
        ],
    )
    await slack.event(user_change(MENTOR, deleted=True), "EvLeftRetention")
    await settle(slack)

    # The day before: everything is still there.
    clock.advance(timedelta(days=90) - timedelta(hours=1))  # type: ignore[attr-defined]
    await runtime.ticker.tick()
    async with runtime.uow_factory() as uow:
        assert await uow.person_by_identity("slack", TEAM, MENTOR) is not None

    clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    await runtime.ticker.tick()
    await settle(slack)
    async with runtime.uow_factory() as uow:
        assert await uow.person_by_identity("slack", TEAM, MENTOR) is None
        marc = await uow.person_by_identity("slack", TEAM, MENTEE)
        assert marc is not None and marc.id is not None
        # The pair and both sessions stay, with their dates and lengths; her words go.
        assert await uow.pair(pair_id) is not None
        logs = sorted(await uow.session_logs(pair_id), key=lambda log: log.minutes)
        assert [log.minutes for log in logs] == [30, 45]
        assert logs[0].topics == "Privacy settings"
        assert logs[1].topics == "" and logs[1].next_steps is None
        # Her name is gone from what stays (the owner's notes about her departure included).
        for message in await uow.outbox_of(marc.id):
            assert not NAMED.search(str(message.payload)), message.payload
        history = (
            await uow.session.execute(  # type: ignore[attr-defined]
                sa.select(tables.audit_entry.c.actor_id, tables.audit_entry.c.details).where(
                    tables.audit_entry.c.action == "person.erased"
                )
            )
        ).all()
    assert history == [(None, {"left_on": history[0][1]["left_on"], "retention_days": 90})]
    # A second tick erases nothing more.
    await runtime.ticker.tick()

    # The owners read it in the next digest, without a name.
    clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    await play(slack, [(HR, "/tandem digest now")])
    digest = received(slack, HR)[-1]
    assert "The data of a person who left on" in digest
    assert "was erased (90 days after leaving)" in digest
    assert not NAMED.search(digest)


async def test_a_shorter_retention_set_by_the_owner(slack: SlackWorld) -> None:
    runtime = slack.runtime
    pair_id = await seed_pair(slack)
    await add_owner_and_candidate(
        runtime, pair_id, owner=(HR, "helene"), candidate=(NEWCOMER, "nina")
    )
    await play(slack, [(HR, "/tandem program set retention: 30")])
    assert "erased 30 days after they left" in received(slack, HR)[-1]
    await slack.event(user_change(MENTEE, deleted=True), "EvLeftShort")
    await settle(slack)
    runtime.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    await runtime.ticker.tick()
    async with runtime.uow_factory() as uow:
        assert await uow.person_by_identity("slack", TEAM, MENTEE) is None
        assert await uow.person_by_identity("slack", TEAM, MENTOR) is not None
