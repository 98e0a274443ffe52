"""Slack: the mentee's quiz after a logged session, through the real HTTP endpoint — buttons
within Block Kit's limits, the answer written over the question, a second click refused."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.payloads import block_actions
from tests.adapters.slack.world import (
    MENTEE,
    MENTOR,
    SlackWorld,
    buttons,
    dm,
    play,
    received,
    seed_pair,
    settle,
)
from tests.quiz_support import shown_question


async def click(world: SlackWorld, message: dict[str, Any], button: dict[str, Any], n: int) -> None:
    response = await world.interact(
        block_actions(MENTEE, f"trig-quiz-{n}", button, message, dm(MENTEE))
    )
    assert response.status == 200
    await settle(world)


async def test_the_mentee_answers_a_quiz_in_slack(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTEE, "help"), (MENTOR, "help")])
    await play(slack, [(MENTOR, '/session log 45m "Phishing and passwords"')])

    message, found = buttons(slack, MENTEE)
    assert "Quiz 1/3 · Cybersecurity hygiene" in message["text"]
    labels = [button["text"]["text"] for button in found]
    assert labels[-1] == "Skip" and all(len(label) <= 75 for label in labels)
    question = shown_question(message["text"])
    right = found[labels.index(question.choices[question.answer])]

    await click(slack, message, right, 1)
    (update,) = slack.fake.calls_to("chat.update")
    assert "✅ Right" in str(update["text"]) and question.explanation in str(update["text"])
    assert not slack.fake.violations

    # The same button once more: the first answer stands, and the person is told so.
    await click(slack, message, right, 2)
    assert "You already answered this question" in received(slack, MENTEE)[-1]
    assert len(slack.fake.calls_to("chat.update")) == 1

    for n in (3, 4):
        message, found = buttons(slack, MENTEE)
        assert f"Quiz {n - 1}/3" in message["text"]
        await click(slack, message, found[-1], n)
    assert received(slack, MENTEE)[-1].startswith("1/3 — good start")
    assert "(2 questions skipped)" in received(slack, MENTEE)[-1]
