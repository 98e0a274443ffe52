"""A Slack workspace around the real web app: signed requests in, the fake Web API out."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.main import Runtime
from tests import pairs
from tests.adapters.slack.payloads import (
    TEAM,
    block_actions,
    direct_message,
    event_callback,
    interaction,
    signed_headers,
    slash_command,
    view_submission,
)
from tests.conformance.blockkit import view_problems
from tests.fakes.slack_api import FakeSlack

MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"
FORM = "application/x-www-form-urlencoded"


@dataclass
class SlackWorld:
    http: TestClient
    fake: FakeSlack
    runtime: Runtime

    async def post(
        self, body: str, content_type: str, extra: dict[str, str] | None = None
    ) -> ClientResponse:
        headers = {**signed_headers(body, content_type), **(extra or {})}
        return await self.http.post("/slack/events", data=body.encode(), headers=headers)

    async def command(self, user: str, command: str, text: str, trigger: str) -> ClientResponse:
        return await self.post(slash_command(user, command, text, trigger), FORM)

    async def interact(self, payload: dict[str, object]) -> ClientResponse:
        """A button or a modal; a view sent back in the acknowledgement (``response_action:
        update``) is held to Block Kit's rules like one sent through the Web API."""
        response = await self.post(interaction(payload), FORM)
        if response.content_type == "application/json":
            answer = await response.json()
            if isinstance(answer, dict) and "view" in answer:
                problems = view_problems(answer["view"])
                self.fake.violations += [f"ack view: {problem}" for problem in problems]
        return response

    async def event(
        self, event: dict[str, object], event_id: str, retry: int | None = None
    ) -> ClientResponse:
        extra = {}
        if retry is not None:
            extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(event_callback(event, event_id), "application/json", extra)


_ids = itertools.count(1)


async def settle(world: SlackWorld) -> None:
    """Every answered request's work done, and the outbox sent."""
    assert world.runtime.slack is not None
    await world.runtime.slack.settled()
    while await world.runtime.deliverer.drain():
        pass


def dm(user: str) -> str:
    """The direct-message channel the fake opens with ``user``."""
    return f"D-{user}"


def received(world: SlackWorld, user: str) -> list[str]:
    """The texts ``user`` was sent by direct message, posted or written over a prompt."""
    return [
        str(arguments.get("text"))
        for method, arguments in world.fake.requests
        if method in ("chat.postMessage", "chat.update") and arguments.get("channel") == dm(user)
    ]


def buttons(world: SlackWorld, user: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The latest message to ``user`` that carries buttons, and its buttons."""
    for message in reversed(world.fake.posted):
        if message["channel"] != dm(user):
            continue
        found = [
            element
            for block in message.get("blocks") or []
            if block["type"] == "actions"
            for element in block["elements"]
        ]
        if found:
            return message, found
    raise AssertionError(f"no buttons were sent to {user}")


async def play(world: SlackWorld, steps: list[tuple[str, str]]) -> None:
    """Plays ``(user, action)`` steps, each settled before the next.

    ``/tandem …`` or ``/session …``: a slash command; ``click:LABEL``: the button whose label
    contains LABEL (``#N``: the Nth) in the latest message with buttons; ``form:V1|V2…``:
    submits the last modal opened, its input fields filled in order (``-`` leaves one empty);
    anything else: a direct message.
    """
    for user, action in steps:
        # Slack's trigger and event ids are unique: the engine drops a repeated one.
        number = next(_ids)
        trigger = f"trig-{number}"
        if action.startswith("/"):
            command, _, text = action.partition(" ")
            response = await world.command(user, command, text, trigger)
        elif action.startswith("click:"):
            label = action.removeprefix("click:")
            message, found = buttons(world, user)
            if label.startswith("#"):
                button = found[int(label[1:]) - 1]
            else:
                button = next(b for b in found if label in b["text"]["text"])
            response = await world.interact(block_actions(user, trigger, button, message, dm(user)))
        elif action.startswith("form:"):
            view = world.fake.calls_to("views.open")[-1]["view"]
            fields = [b for b in view["blocks"] if b["type"] == "input"]
            values = action.removeprefix("form:").split("|")
            state = {
                block["block_id"]: {
                    "type": block["element"]["type"],
                    "value": None if value == "-" else value,
                }
                for block, value in zip(fields, values, strict=False)
            }
            response = await world.interact(view_submission(user, trigger, view, state))
        else:
            response = await world.event(direct_message(user, action, dm(user)), f"Ev{number:05}")
        assert response.status == 200, (user, action)
        await settle(world)


async def seed_pair(world: SlackWorld) -> int:
    """A program with MENTOR and MENTEE enrolled and paired; returns the pair's id."""
    return await seed_runtime_pair(world.runtime, "Pilot")


async def seed_runtime_pair(
    runtime: Runtime,
    program_name: str,
    sessions_planned: int = 6,
    mentor_id: str = MENTOR,
    mentee_id: str = MENTEE,
) -> int:
    """The same, on any runtime and for any two Slack users (the benchmark uses it too)."""
    return await pairs.seed_pair(
        runtime,
        platform="slack",
        workspace=TEAM,
        mentor=(mentor_id, "lea"),
        mentee=(mentee_id, "marc"),
        program_name=program_name,
        sessions_planned=sessions_planned,
    )
