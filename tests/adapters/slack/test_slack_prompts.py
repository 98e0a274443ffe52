"""Slack: a button or modal the bot never showed this person is refused, changes nothing, and the
message it was clicked on is left as it was; the ones the bot showed work once."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.clock import VirtualClock
from bot.prompts import CONFIRMATION_LIFETIME
from tests.adapters.slack.payloads import TEAM, block_actions, view_submission
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
from tests.tables import dump

STALE = "That button is no longer valid"


def forged_message(value: str) -> dict[str, Any]:
    """A message as a forger would describe it: one button carrying ``value``."""
    button = {
        "type": "button",
        "action_id": "choice:0",
        "text": {"type": "plain_text", "text": "Yes, erase everything"},
        "value": value,
    }
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Erase?"}},
        {"type": "actions", "elements": [button]},
    ]
    return {"ts": "1700000000.000100", "text": "Erase?", "blocks": blocks}


async def click(
    world: SlackWorld, user: str, message: dict[str, Any], index: int, trigger: str
) -> None:
    button = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]][index]
    response = await world.interact(block_actions(user, trigger, button, message, dm(user)))
    assert response.status == 200
    await settle(world)


def refusals(world: SlackWorld, user: str) -> list[str]:
    return [
        str(call["text"])
        for call in world.fake.calls_to("chat.postMessage")
        if call["channel"] == dm(user) and STALE in str(call["text"])
    ]


async def test_a_forged_forget_me_click_erases_nothing_and_rewrites_nothing(
    slack: SlackWorld,
) -> None:
    await seed_pair(slack)
    # Who speaks, and their direct conversation, are recorded at their first message.
    await play(slack, [(MENTOR, "help")])
    before = await dump(slack.runtime.uow_factory)
    for number, value in enumerate(("forget:yes", "AAAAAAAAAAAAAAAA|forget:yes")):
        await click(slack, MENTOR, forged_message(value), 0, f"trig-forged-{number}")
    assert slack.fake.calls_to("chat.update") == []
    assert len(refusals(slack, MENTOR)) == 2
    assert await dump(slack.runtime.uow_factory) == before


async def test_another_persons_answered_or_expired_confirmation_is_refused_in_place(
    slack: SlackWorld,
) -> None:
    await seed_pair(slack)
    # Asked by direct message: who speaks and where is recorded before anything is clicked.
    await play(slack, [(MENTEE, "tandem forget-me"), (MENTOR, "tandem help")])
    mentee_prompt, _ = buttons(slack, MENTEE)
    before = await dump(slack.runtime.uow_factory)
    # The mentor clicks the mentee's "erase" button (its value, on their own screen).
    await click(slack, MENTOR, mentee_prompt, 0, "trig-other")
    assert slack.fake.calls_to("chat.update") == []
    assert len(refusals(slack, MENTOR)) == 1
    assert await dump(slack.runtime.uow_factory) == before

    # The mentee cancels: accepted, written over the prompt. A second click on it is refused.
    await click(slack, MENTEE, mentee_prompt, 1, "trig-cancel")
    (update,) = slack.fake.calls_to("chat.update")
    assert update["ts"] == mentee_prompt["ts"]
    after_cancel = await dump(slack.runtime.uow_factory)
    await click(slack, MENTEE, mentee_prompt, 0, "trig-again")
    assert len(slack.fake.calls_to("chat.update")) == 1
    assert len(refusals(slack, MENTEE)) == 1
    assert await dump(slack.runtime.uow_factory) == after_cancel

    # The mentor's "leave" confirmation, clicked too late: refused, saying so.
    await play(slack, [(MENTOR, "tandem leave")])
    mentor_prompt, _ = buttons(slack, MENTOR)
    asked = await dump(slack.runtime.uow_factory)
    clock = slack.runtime.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(CONFIRMATION_LIFETIME + timedelta(seconds=1))
    await click(slack, MENTOR, mentor_prompt, 0, "trig-late")
    assert len(slack.fake.calls_to("chat.update")) == 1
    assert "That confirmation has expired" in received(slack, MENTOR)[-1]
    assert await dump(slack.runtime.uow_factory) == asked


async def test_a_modal_never_opened_logs_no_session(slack: SlackWorld) -> None:
    pair_id = await seed_pair(slack)
    await play(slack, [(MENTOR, "tandem leave")])
    choice_token = buttons(slack, MENTOR)[1][0]["value"].split("|")[0]
    # The mentor then does something else, which ends the confirmation (its row stays a while).
    await play(slack, [(MENTOR, "tandem help")])
    state = {
        "duration": {"type": "plain_text_input", "value": "45m"},
        "topics": {"type": "plain_text_input", "value": "Made up"},
    }
    before = await dump(slack.runtime.uow_factory)
    for number, form_id in enumerate(("session_log", f"{choice_token}|session_log")):
        view = {
            "callback_id": "tandem_form",
            "private_metadata": json.dumps({"form_id": form_id}),
            "blocks": [],
        }
        response = await slack.interact(view_submission(MENTOR, f"trig-v{number}", view, state))
        assert response.status == 200
        assert (await response.read()) in (b"", b"{}")
    await settle(slack)
    assert len(refusals(slack, MENTOR)) == 2
    assert await dump(slack.runtime.uow_factory) == before
    async with slack.runtime.uow_factory() as uow:
        assert await uow.session_logs(pair_id) == []
        person = await uow.person_by_identity("slack", TEAM, MENTOR)
        assert person is not None
