"""A button or modal the app does not recognise (an old message, a view of a previous version)
is acknowledged like any other and answered, in the person's language, that it is no longer
valid; Bolt's default would answer 404, which Slack shows the person as an error."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.slack.payloads import block_actions, view_closed, view_submission
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, received, settle


async def test_an_unknown_button_is_acknowledged_and_answered_as_stale(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="tandem.slack")
    button = {"action_id": "approve_v1", "value": "42", "text": {"type": "plain_text", "text": "A"}}
    old_message = {"ts": "1.0", "text": "Approve?", "blocks": []}
    payload = block_actions(MENTOR, "T-old-1", button, old_message, "D-UMENTOR1")
    response = await slack.interact(payload)
    assert response.status == 200
    await settle(slack)
    (answer,) = received(slack, MENTOR)
    assert "no longer valid" in answer
    assert any(r.getMessage() == "unknown slack interaction" for r in caplog.records)


async def test_an_unknown_modal_is_closed_and_answered_in_the_persons_language(
    slack: SlackWorld,
) -> None:
    slack.fake.users[MENTEE]["locale"] = "fr-FR"
    view = {"id": "V-old", "callback_id": "intake_v0", "private_metadata": "{}", "blocks": []}
    response = await slack.interact(view_submission(MENTEE, "T-old-2", view, {}))
    assert response.status == 200
    await settle(slack)
    (answer,) = received(slack, MENTEE)
    assert answer.startswith("Ce bouton")
    # Closing such a modal is acknowledged and says nothing.
    assert (await slack.interact(view_closed(MENTEE, view))).status == 200
    await settle(slack)
    assert len(received(slack, MENTEE)) == 1
