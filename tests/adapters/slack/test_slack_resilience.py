"""Slack, when things go wrong: unknown commands, repeats, retries, rate limits, departures.

Each time, nothing is lost and nothing is done twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import VirtualClock
from bot.domain import OutboxStatus
from tests.adapters.slack.payloads import TEAM, direct_message, view_submission
from tests.adapters.slack.world import (
    MENTEE,
    MENTOR,
    SlackWorld,
    dm,
    play,
    received,
    seed_pair,
    settle,
)

FRENCH = "UFRANCE1"


async def _session_logs(world: SlackWorld, pair_id: int) -> list[tuple[int, str]]:
    async with world.runtime.uow_factory() as uow:
        return [(log.minutes, log.topics) for log in await uow.session_logs(pair_id)]


def told(world: SlackWorld, user: str) -> list[str]:
    """What ``user`` was told, less the quiz a mentee gets after a logged session."""
    return [text for text in received(world, user) if not text.startswith("A quick quiz")]


async def test_an_unknown_command_is_answered_in_the_persons_language(slack: SlackWorld) -> None:
    slack.fake.users[FRENCH] = {"real_name": "Chloé", "locale": "fr-FR", "tz": "Europe/Paris"}
    await play(
        slack,
        [(MENTOR, "/tandem frobnicate"), (FRENCH, "/tandem frobnicate"), (FRENCH, "/session fly")],
    )
    (english,) = received(slack, MENTOR)
    assert '"/tandem frobnicate" is not a command I know' in english
    said = received(slack, FRENCH)
    assert len(said) == 2
    assert "n'est pas une commande que je connais" in said[0]
    assert "/session" in said[1] and "/session help" in said[1]


async def test_a_modal_submitted_twice_logs_one_session(slack: SlackWorld) -> None:
    pair_id = await seed_pair(slack)
    await play(slack, [(MENTOR, "/session log")])
    (opened,) = slack.fake.calls_to("views.open")
    view = opened["view"]
    values = {
        "duration": {"type": "plain_text_input", "value": "45m"},
        "topics": {"type": "plain_text_input", "value": "LinkedIn basics"},
        "next": {"type": "plain_text_input", "value": None},
    }
    submission = view_submission(MENTOR, "trig-twice", view, values)
    for _ in range(2):
        response = await slack.interact(submission)
        assert response.status == 200
        await settle(slack)
    assert await _session_logs(slack, pair_id) == [(45, "LinkedIn basics")]
    (confirmation,) = received(slack, MENTOR)
    assert "That's 1 of" in confirmation
    (notice,) = told(slack, MENTEE)
    assert "logged your session" in notice


async def test_an_event_retried_three_times_has_one_effect(slack: SlackWorld) -> None:
    pair_id = await seed_pair(slack)
    message = direct_message(MENTOR, 'session log 45m "LinkedIn basics"', dm(MENTOR))
    for retry in (None, 1, 2, 3):
        response = await slack.event(message, "Ev0300", retry=retry)
        assert response.status == 200
    await settle(slack)
    assert await _session_logs(slack, pair_id) == [(45, "LinkedIn basics")]
    assert len(received(slack, MENTOR)) == 1
    assert len(told(slack, MENTEE)) == 1
    assert set(slack.fake.keys_posted().values()) == {1}


async def test_a_storm_of_429s_delays_replies_and_outbox_messages_but_loses_none(
    slack: SlackWorld,
) -> None:
    pair_id = await seed_pair(slack)
    clock = slack.runtime.clock
    assert isinstance(clock, VirtualClock)
    slack.fake.retry_after = "0.02"
    # The reply: its users.info, conversations.open and chat.postMessage answered 429 four times.
    slack.fake.fail_next(*[429] * 4)
    await slack.command(MENTOR, "/session", 'log 45m "LinkedIn basics"', "trig-storm")
    assert slack.runtime.slack is not None
    await slack.runtime.slack.settled()
    (confirmation,) = received(slack, MENTOR)
    assert "That's 1 of" in confirmation
    # The partner's notice, from the outbox: three 429s in a row, each waited out.
    slack.fake.fail_next(*[429] * 3)
    for _ in range(10):
        await slack.runtime.deliverer.drain()
        if received(slack, MENTEE):
            break
        clock.advance(timedelta(seconds=1))
    assert slack.fake.rejected[429] == 7
    (notice,) = told(slack, MENTEE)
    assert "logged your session" in notice
    await settle(slack)
    assert len(received(slack, MENTOR)) == len(told(slack, MENTEE)) == 1
    assert set(slack.fake.keys_posted().values()) == {1}
    assert await _session_logs(slack, pair_id) == [(45, "LinkedIn basics")]


async def test_a_person_who_left_the_workspace_is_marked_unreachable_and_not_retried(
    slack: SlackWorld,
) -> None:
    pair_id = await seed_pair(slack)
    clock = slack.runtime.clock
    assert isinstance(clock, VirtualClock)
    # A direct message: the mentee's conversation with the bot is known and kept.
    await play(slack, [(MENTEE, "help")])
    slack.fake.unreachable_users.add(MENTEE)
    # A day later (profiles are looked up again), the mentor logs a session: the notice fails.
    clock.advance(timedelta(days=2))
    await play(slack, [(MENTOR, '/session log 45m "LinkedIn basics"')])
    assert "That's 1 of" in received(slack, MENTOR)[-1]
    async with slack.runtime.uow_factory() as uow:
        mentee = await uow.person_by_identity("slack", TEAM, MENTEE)
        assert mentee is not None and mentee.id is not None
        assert mentee.unreachable
        (notice,) = [
            m
            for m in await uow.outbox_of(mentee.id)
            if m.status != OutboxStatus.SENT and m.purpose != "quiz"
        ]
        assert notice.status == OutboxStatus.FAILED and notice.attempts == 1
        assert "account_inactive" in (notice.last_error or "")
    posts = len(slack.fake.calls_to("chat.postMessage"))
    clock.advance(timedelta(hours=1))
    await settle(slack)
    assert len(slack.fake.calls_to("chat.postMessage")) == posts, "not retried"
    # A late request of theirs: users.info answers user_not_found; nothing crashes.
    await play(slack, [(MENTEE, "/tandem status")])
    assert await _session_logs(slack, pair_id) == [(45, "LinkedIn basics")]


async def test_commands_arriving_together_are_all_recorded(slack: SlackWorld) -> None:
    # Each in a background task of its own, all at once: none lost, none failed.
    pair_id = await seed_pair(slack)
    await play(slack, [(MENTOR, "/tandem help")])
    responses = await asyncio.gather(
        *(
            slack.command(MENTOR, "/session", f'log 45m "topic {number}"', f"trig-load-{number}")
            for number in range(24)
        )
    )
    assert [response.status for response in responses] == [200] * 24
    # (The partner's 24 notices wait in the outbox: one a second to a conversation.)
    assert slack.runtime.slack is not None
    await slack.runtime.slack.settled()
    assert len(await _session_logs(slack, pair_id)) == 24
    confirmations = received(slack, MENTOR)[1:]
    assert len(confirmations) == 24
    assert all("Session logged" in text for text in confirmations)
