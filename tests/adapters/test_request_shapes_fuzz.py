"""Whatever JSON arrives, the shape checks answer with a reason or None: they never raise.

The refusal catalogue covers the cases known to have hurt; this covers the ones nobody thought
of, on the same functions the endpoints call.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botbuilder.schema import Activity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.verify import shape_problem
from adapters.teams.activities import channel_of, command_text, members_added, sender_of
from adapters.teams.auth import BotTokenValidator, KeysUnavailable, TokenRefused
from adapters.teams.validation import BadActivity, check_activity

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
SLACK_KEYS = st.sampled_from(
    [
        "type",
        "user",
        "actions",
        "view",
        "event",
        "event_id",
        "trigger_id",
        "team",
        "team_id",
        "user_id",
        "command",
        "text",
        "container",
        "message",
        "challenge",
        "ssl_check",
    ]
)
SLACK_KINDS = st.sampled_from(
    ["block_actions", "view_submission", "view_closed", "event_callback", "url_verification"]
)
TEAMS_KEYS = st.sampled_from(
    [
        "type",
        "from",
        "recipient",
        "conversation",
        "entities",
        "serviceUrl",
        "value",
        "id",
        "channelData",
        "membersAdded",
        "localTimezone",
        "locale",
        "attachments",
        "name",
    ]
)


def _with_kind(payload: dict[str, Any], kind: str | None) -> dict[str, Any]:
    return {**payload, "type": kind} if kind is not None else payload


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(SLACK_KEYS, JSON_VALUES, max_size=8), st.none() | SLACK_KINDS)
def test_slack_shape_checks_never_raise(payload: dict[str, Any], kind: str | None) -> None:
    problem = shape_problem(_with_kind(payload, kind))
    assert problem is None or isinstance(problem, str)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(TEAMS_KEYS, JSON_VALUES, max_size=10),
    st.booleans(),
    st.sampled_from(["message", "invoke", None]),
)
def test_teams_shape_checks_only_ever_refuse(
    activity: dict[str, Any], authenticated: bool, kind: str | None
) -> None:
    activity = _with_kind(activity, kind)
    activity.setdefault("serviceUrl", "https://smba.trafficmanager.net/emea/")
    for name in ("from", "recipient", "conversation"):
        activity.setdefault(name, {"id": f"29:{name}"})
    try:
        check_activity(activity, authenticated=authenticated)
    except BadActivity:
        return
    # What passed can be read by botbuilder and by the adapter's readers.
    Activity().deserialize(activity)
    sender_of(activity)
    command_text(activity)
    channel_of(activity)
    members_added(activity)


def _segment(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def validator() -> BotTokenValidator:
    # Key set pretended loaded and empty: no request ever leaves the test.
    validator = BotTokenValidator("app", channel_metadata_url="http://127.0.0.1:9/")
    for keys in (validator.channel_keys, validator.emulator_keys):
        keys.keys, keys.fetched_at, keys.attempted_at = {}, 1e18, 1e18
    return validator


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=JSON_VALUES, claims=JSON_VALUES, signature=st.text(max_size=20), raw=st.text())
async def test_any_token_is_refused_and_nothing_else(
    validator: BotTokenValidator, header: Any, claims: Any, signature: str, raw: str
) -> None:
    for token in (f"{_segment(header)}.{_segment(claims)}.{signature}", raw):
        with pytest.raises((TokenRefused, KeysUnavailable)):
            await validator.claims(f"Bearer {token}", "msteams", "https://x/")
