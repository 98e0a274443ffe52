"""The reach report after a fan-out where Slack refuses some people (account inactive) and
rate-limits another: counts per state, the platform's reason, and the failed ones sent again."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.digest import export
from tests.adapters.slack.payloads import TEAM
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, play, received, seed_pair, settle
from tests.leavers import add_owner_and_candidate, person, queue_to

HR, NEWCOMER = "UHROWNER1", "UMENTOR2"


async def test_reach_after_a_fan_out_with_refusals_and_rate_limits(slack: SlackWorld) -> None:
    runtime = slack.runtime
    pair_id = await seed_pair(slack)
    await add_owner_and_candidate(
        runtime, pair_id, owner=(HR, "helene"), candidate=(NEWCOMER, "nina")
    )
    lea = await person(runtime, "slack", TEAM, MENTOR)
    marc = await person(runtime, "slack", TEAM, MENTEE)
    nina = await person(runtime, "slack", TEAM, NEWCOMER)
    now = timedelta(0)

    # marc is gone from the workspace: Slack refuses his message (user_not_found).
    slack.fake.unreachable_users.add(MENTEE)
    await queue_to(runtime, marc, "fan:marc", "Welcome to the program", due_in=now)
    await settle(slack)
    # Slack answers the next send 429: lea's message waits for its retry.
    slack.fake.fail_next(429)
    await queue_to(runtime, lea, "fan:lea", "Welcome to the program", due_in=now)
    await settle(slack)
    # nina's goes through; one more for lea waits for tomorrow's working hours.
    await queue_to(runtime, nina, "fan:nina", "Welcome to the program", due_in=now)
    await queue_to(runtime, lea, "fan:lea:later", "See you tomorrow", due_in=timedelta(hours=20))
    await settle(slack)

    await play(slack, [(HR, "/tandem reach")])
    report = received(slack, HR)[-1]
    assert 'Reach of "Pilot": the messages owed to the 3 people invited or enrolled' in report
    assert "• delivered: 1" in report
    assert "• waiting for working hours: 1" in report
    assert "• retrying: 1" in report
    assert "• failed: 1" in report
    assert "marc: 1 failed (left the workspace)" in report
    assert "lea: 1 retrying" in report
    assert "nina" not in report.split("never opened the app")[-1]
    # The owners' digest and the export count the same, in one read of the database.
    await play(slack, [(HR, "/tandem digest now")])
    digest = received(slack, HR)[-1]
    assert "1 message delivered, 1 waiting for working hours, 1 retrying, 1 failed" in digest, (
        digest
    )
    assert "2 people are not reached: /tandem reach names them" in digest
    async with runtime.uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        exported = await export.build_for(uow, program, runtime.clock.now())
    assert json.loads(export.to_json(exported))["kpis"]["reach"] == {
        "people": 3,
        "delivered": 1,
        "waiting": 1,
        "retrying": 1,
        "failed": 1,
        "never_opened": 0,
        "not_reached": 2,
    }

    # marc is back: the owner sends the failed one again, and it arrives.
    slack.fake.unreachable_users.discard(MENTEE)
    await play(slack, [(HR, "click:Retry the failed ones")])
    assert '1 failed message of "Pilot" will be sent again now' in received(slack, HR)[-1]
    await settle(slack)
    assert "Welcome to the program" in received(slack, MENTEE)
    await play(slack, [(HR, "/tandem reach")])
    report = received(slack, HR)[-1]
    assert "• failed: 0" in report and "• delivered: 2" in report
    await play(slack, [(HR, "/tandem digest now")])
    assert "1 person is not reached" in received(slack, HR)[-1]  # lea, still retrying
    # Someone who is not an owner has no reach report.
    await play(slack, [(MENTOR, "/tandem reach")])
    assert "Reach of" not in received(slack, MENTOR)[-1]
