"""Activities of odd shapes through the real app (local mode, where nobody vouches for them):
refused (400) or handled, never a 500 and never a traceback, whatever field is missing, of
another type, or added."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adapters.teams.world import MENTOR, TeamsWorld, settle

DELETE = object()
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "type", "name", "text", "timezone", "mentioned", "tenant"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=8,
)
# Fields the adapter reads beside those of the base activities.
EXTRA_FIELDS = ["membersAdded", "action", "replyToId", "textFormat", "attachments", "name"]
_ids = itertools.count()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _bases(world: TeamsWorld) -> list[dict[str, Any]]:
    message = world.activity(MENTOR, "message", text="tandem help")
    message["entities"].append(
        {"type": "mention", "text": "<at>Tandem</at>", "mentioned": {"id": "28:tandem-bot"}}
    )
    invoke = world.activity(
        MENTOR,
        "invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "data": {"tandem": "x"}}},
        replyToId="1",
    )
    update = world.activity(
        MENTOR, "conversationUpdate", membersAdded=[{"id": MENTOR}, {"id": "28:tandem-bot"}]
    )
    return [message, invoke, update]


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[int, int, Any]]:
    """(which base, which path (an index into its paths), the new value) for 1 to 3 changes."""
    count = draw(st.integers(1, 3))
    return [
        (draw(st.integers(0, 2)), draw(st.integers(0, 10_000)), draw(VALUES | st.just(DELETE)))
        for _ in range(count)
    ]


def _mutated(world: TeamsWorld, changes: list[tuple[int, int, Any]]) -> dict[str, Any]:
    activity = _bases(world)[changes[0][0]]
    for _, index, value in changes:
        paths = list(_paths(activity)) + [(name,) for name in EXTRA_FIELDS]
        path = paths[index % len(paths)]
        target: Any = activity
        try:
            for step in path[:-1]:
                target = target[step]
            if value is DELETE:
                del target[path[-1]]
            else:
                target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    # A fresh id each time, so that nothing is dropped as a retry.
    if isinstance(activity.get("id"), str):
        activity["id"] = f"odd-{next(_ids)}"
    return activity


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=mutations())
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_odd_activities_are_refused_or_handled_never_failed(
    teams: TeamsWorld, caplog: pytest.LogCaptureFixture, changes: list[tuple[int, int, Any]]
) -> None:
    activity = _mutated(teams, changes)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        response = await teams.post(activity)
        await settle(teams)
    # 501: an invoke the bot does not handle, botbuilder's own answer.
    allowed = (200, 201, 400, 501) if activity.get("type") == "invoke" else (200, 201, 400)
    assert response.status in allowed, f"{response.status} {json.dumps(activity)}"
    failures = [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not failures, f"{failures} {json.dumps(activity)}"


def test_a_time_zone_that_is_not_a_zone_name_is_ignored() -> None:
    from adapters.teams.activities import timezone_of

    for odd in ([[], {"x": None}], "Europe/" + "x" * 300, 42, "../../etc/passwd", ""):
        assert timezone_of({"localTimezone": odd}) is None
    assert timezone_of({"localTimezone": "Europe/Paris"}) == "Europe/Paris"


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_card_action_whose_tandem_field_is_not_a_word_gets_the_stale_answer(
    teams: TeamsWorld, caplog: pytest.LogCaptureFixture
) -> None:
    # Found by the fuzzing above: {"tandem": []} failed the turn (an unhashable list).
    for odd in ([], {}, 3, None):
        activity = _bases(teams)[1]
        activity["value"] = {"action": {"type": "Action.Execute", "data": {"tandem": odd}}}
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            response = await teams.post(activity)
            await settle(teams)
        assert response.status == 200, odd
        failures = [r.getMessage() for r in caplog.records if r.exc_info]
        assert not failures, odd
