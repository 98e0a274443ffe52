"""Signed payloads of odd shapes through the real app: refused (400) or handled, never a 500
and never a traceback, whatever field is missing, of another type, or added.

Each example starts from a payload the app handles (a command, a button, a form, a closed
form, a direct message, the Home tab) and changes a few of its fields, or adds one of those
Bolt reads ids from, to any JSON value.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.views import FORM_CALLBACK
from tests.adapters.slack.payloads import (
    app_home_opened,
    block_actions,
    direct_message,
    view_closed,
    view_submission,
)
from tests.adapters.slack.world import FORM, MENTOR, SlackWorld, settle

BUTTON = {"action_id": "choice:0", "text": {"type": "plain_text", "text": "Yes"}, "value": "v"}
MESSAGE = {"ts": "1.0", "text": "t", "blocks": []}
VIEW = {"callback_id": FORM_CALLBACK, "private_metadata": "{}", "blocks": []}
COMMAND = {
    "team_id": "T1",
    "channel_id": "C1",
    "user_id": MENTOR,
    "command": "/tandem",
    "text": "help",
    "trigger_id": "trig",
}


def _event(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "event_callback", "team_id": "T1", "event": event, "event_id": "Ev1"}


BASES: list[tuple[str, dict[str, Any]]] = [
    ("command", COMMAND),
    ("interaction", block_actions(MENTOR, "trig", BUTTON, MESSAGE, "D1")),
    ("interaction", view_submission(MENTOR, "trig", VIEW, {})),
    ("interaction", view_closed(MENTOR, VIEW)),
    ("event", _event(direct_message(MENTOR, "help", "D1"))),
    ("event", _event(app_home_opened(MENTOR, "D1"))),
]
# Where Bolt looks for ids, beside the fields of each payload.
BOLT_FIELDS = [
    "authorizations",
    "channel",
    "response_urls",
    "enterprise",
    "team",
    "is_ext_shared_channel",
    "container",
    "function_data",
]
DELETE = object()
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "type", "team_id", "value"]), children, max_size=3)
    ),
    max_leaves=8,
)
_triggers = itertools.count()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def odd_payloads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind, base = draw(st.sampled_from(BASES))
    payload = json.loads(json.dumps(base))
    paths = list(_paths(payload)) + [(name,) for name in BOLT_FIELDS]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        value = draw(VALUES | st.just(DELETE))
        target = payload
        try:
            for step in path[:-1]:
                target = target[step]
            if value is DELETE:
                del target[path[-1]]
            else:
                target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this path
    return kind, payload


def _encoded(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    if kind == "command":
        # A form carries text only.
        return urlencode(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        ), FORM
    if kind == "interaction":
        return urlencode({"payload": json.dumps(payload)}), FORM
    return json.dumps(payload), "application/json"


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=odd_payloads())
async def test_odd_payloads_are_refused_or_handled_never_failed(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture, case: tuple[str, dict[str, Any]]
) -> None:
    kind, payload = case
    # Fresh ids, so that the engine does not drop a payload as a retry of an earlier one.
    number = next(_triggers)
    if "trigger_id" in payload and isinstance(payload["trigger_id"], str):
        payload["trigger_id"] = f"trig-{number}"
    if "event_id" in payload and isinstance(payload["event_id"], str):
        payload["event_id"] = f"Ev{number}"
    body, content_type = _encoded(kind, payload)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = await slack.post(body, content_type)
        await settle(slack)
    assert response.status in (200, 400, 404), f"{response.status} {json.dumps(payload)}"
    failures = [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not failures, f"{failures} {json.dumps(payload)}"
