"""A card action the bot does not recognise (an old card, another version's) gets the localized
"no longer valid" answer and a log line, whether it comes as Action.Execute or Action.Submit."""

from __future__ import annotations

import logging
import time

import pytest

from tests.adapters.teams.world import MENTOR, TeamsWorld, received, settle


@pytest.mark.parametrize("execute", [True, False])
async def test_an_unknown_card_action_is_answered_as_stale(
    teams: TeamsWorld, caplog: pytest.LogCaptureFixture, execute: bool
) -> None:
    caplog.set_level(logging.WARNING, logger="tandem.teams")
    response = await teams.act(MENTOR, {"verb": "v1-approve", "id": 7}, "1", execute=execute)
    assert response.status == 200
    await settle(teams)
    if execute:
        body = await response.json()
        assert "no longer valid" in body["value"]
    else:
        assert any("no longer valid" in text for text in received(teams, MENTOR))
    assert any(r.getMessage() == "unknown card action" for r in caplog.records)


async def test_the_stale_answer_speaks_the_persons_language(teams: TeamsWorld) -> None:
    teams.locales[MENTOR] = "fr-FR"
    await teams.act(MENTOR, {"old": True}, "1", execute=False)
    await settle(teams)
    (answer,) = received(teams, MENTOR)
    assert answer.startswith("Ce bouton")


async def test_an_unknown_invoke_is_logged(
    teams: TeamsWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tandem.teams")
    invoke = teams.activity(MENTOR, "invoke", name="composeExtension/query", value={})
    asked = time.monotonic()
    response = await teams.post(invoke)
    assert response.status == 200
    # Answered at once: Teams waits for an invoke's answer, and gives up before long.
    assert time.monotonic() - asked < teams.runtime.teams.invoke_answer_seconds / 2
    await settle(teams)
    assert any(r.getMessage() == "unknown invoke" for r in caplog.records)
