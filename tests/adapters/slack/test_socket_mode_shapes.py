"""Socket Mode has no HTTP request to verify, but its payloads get the same shape checks."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.verify import CheckedSocketModeHandler
from tests.adapters.slack.payloads import block_actions
from tests.fakes.slack_api import TOKEN, FakeSlack

BUTTON = {"action_id": "choice:0", "text": {"type": "plain_text", "text": "Yes"}, "value": "v"}
MESSAGE = {"ts": "1.0", "text": "t", "blocks": []}


class SocketClient:
    """What the handler answers on: the acknowledgements sent back to Slack."""

    logger = logging.getLogger("tests.socket_mode")

    def __init__(self) -> None:
        self.acks: list[SocketModeResponse] = []

    async def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.acks.append(response)


@pytest.mark.parametrize(
    ("changes", "clicks"),
    [({}, ["v"]), ({"actions": []}, []), ({"user": None}, []), ({"actions": [7]}, [])],
    ids=["well formed", "no actions", "no user", "action not an object"],
)
async def test_socket_mode_payloads_are_checked_before_bolt(
    fake_slack: FakeSlack,
    changes: dict[str, Any],
    clicks: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    bolt = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=fake_slack.url))
    clicked = []

    @bolt.action("choice:0")
    async def choice(ack: Any, action: dict[str, Any]) -> None:
        await ack()
        clicked.append(action["value"])

    handler = CheckedSocketModeHandler(bolt, "xapp-test")
    client = SocketClient()
    payload = {**block_actions("U1", "trig", BUTTON, MESSAGE, "D1"), **changes}
    try:
        await handler.handle(client, SocketModeRequest("interactive", "envelope-1", payload))
    finally:
        await handler.close_async()
    assert clicked == clicks
    # Acknowledged either way (Slack would only send it again), with no traceback logged.
    assert [ack.envelope_id for ack in client.acks] == ["envelope-1"]
    assert not [record for record in caplog.records if record.exc_info]
