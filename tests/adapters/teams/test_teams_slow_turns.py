"""A card action answers within Teams' deadline even when its conversation's earlier turns are
slow: "working on it" first, then the card is replaced when the turn is done."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import make_app
from bot.clock import VirtualClock
from bot.main import build_runtime
from tests.adapters.teams.conftest import teams_settings
from tests.adapters.teams.world import (
    MENTOR,
    TeamsWorld,
    card_actions,
    card_texts,
    play,
    seed_pair,
    settle,
)
from tests.console_support import START
from tests.fakes.bot_connector import FakeBotConnector

ANSWER_WITHIN = 1.0


@pytest.fixture
async def impatient_teams(
    migrated_url: str, fake_connector: FakeBotConnector
) -> AsyncIterator[TeamsWorld]:
    settings = teams_settings(
        migrated_url, fake_connector.url, teams_invoke_answer_seconds=ANSWER_WITHIN
    )
    runtime = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        async with TestClient(TestServer(make_app(None, runtime.teams))) as http:
            yield TeamsWorld(http, fake_connector, runtime)
    finally:
        await runtime.close()


async def test_a_card_action_behind_a_slow_turn_answers_in_time_then_replaces_its_card(
    impatient_teams: TeamsWorld,
) -> None:
    teams = impatient_teams
    await seed_pair(teams)
    await play(teams, [(MENTOR, "session log")])
    reply_to, form = teams.latest_card(MENTOR, with_inputs=True)
    data = dict(card_actions(form)[0]["data"])
    data.update(field_duration="45m", field_topics="LinkedIn basics", field_next="")

    # The conversation's previous turn is held up: Teams answers its reply with a 429.
    teams.fake.fail_next(429, retry_after="3")
    assert (await teams.say(MENTOR, "status")).status == 200
    await asyncio.sleep(0.2)
    started = time.monotonic()
    response = await teams.act(MENTOR, data, reply_to)
    answered_after = time.monotonic() - started
    assert response.status == 200
    body = await response.json()
    assert answered_after < ANSWER_WITHIN + 2.0
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert isinstance(body["value"], str) and "working on it" in body["value"]

    await settle(teams)
    async with teams.runtime.uow_factory() as uow:
        logged = [(log.minutes, log.topics) for log in await uow.session_logs_by(1)]
    assert logged == [(45, "LinkedIn basics")]
    # Once its turn ran, the answered card was replaced in place, as an invoke would have.
    updates = [s for s in teams.fake.to(teams.conversation(MENTOR)) if s.how == "update"]
    assert [update.target_id for update in updates] == [reply_to]
    assert updates[0].card is not None and "✓" in card_texts(updates[0].card)
