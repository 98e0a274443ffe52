"""Slack with a Microsoft 365 tenant connected through Graph (the fake Graph on a free port),
through the real HTTP endpoint: the proposal's button books a Teams meeting in the organiser's
Outlook calendar with the partner invited (no .ics file then), the reminder the day before
carries the meeting link, and ``/session cancel`` DELETEs the event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import make_app
from bot.clock import VirtualClock
from bot.main import build_runtime
from tests.adapters.slack.conftest import slack_settings
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
from tests.console_support import START
from tests.fakes.graph_calendar import CLIENT_ID, TENANT, FakeGraph
from tests.fakes.slack_api import FakeSlack

JOIN = "https://teams.microsoft.com/l/meetup-join/"


@pytest.fixture
async def slack_with_graph(
    migrated_url: str, fake_slack: FakeSlack, graph: FakeGraph
) -> AsyncIterator[SlackWorld]:
    # Marc's profile shares his work e-mail too: both are found in the tenant.
    fake_slack.users[MENTEE]["profile"] = {"display_name": "marc", "email": "marc@example.com"}
    settings = slack_settings(
        migrated_url,
        fake_slack.url,
        graph_tenant_id=TENANT,
        graph_client_id=CLIENT_ID,
        graph_client_secret=graph.client_secret,
        graph_api_url=graph.api_url,
        graph_login_url=graph.url,
    )
    runtime = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        async with TestClient(TestServer(make_app(runtime.slack))) as http:
            yield SlackWorld(http, fake_slack, runtime)
    finally:
        await runtime.close()


async def test_booking_reminder_and_cancel_go_through_graph(
    slack_with_graph: SlackWorld, graph: FakeGraph
) -> None:
    slack = slack_with_graph
    await seed_pair(slack)
    await play(slack, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "/session plan")])
    (asked,) = graph.calls("POST", "/calendar/getSchedule")
    assert sorted(asked.body["schedules"]) == ["lea.martin@example.com", "marc@example.com"]
    message, found = buttons(slack, MENTOR)
    assert len(found) == 3

    response = await slack.interact(
        block_actions(MENTOR, "trig-graph-1", found[0], message, dm(MENTOR))
    )
    assert response.status == 200
    await settle(slack)
    (created,) = graph.calls("POST", "/events")
    assert created.path == "/v1.0/users/lea.martin@example.com/events"
    assert created.body["attendees"] == [
        {"emailAddress": {"address": "marc@example.com"}, "type": "required"}
    ]
    (planned,) = [t for t in received(slack, MENTOR) if "Next session planned for" in t]
    (told,) = [t for t in received(slack, MENTEE) if "planned your next session" in t]
    assert JOIN in planned and JOIN in told
    # The event is in both Outlook calendars: no invitation file in Slack.
    assert not slack.fake.shared_files

    # The reminder an hour before, in each one's direct message, with the Teams link.
    clock = slack.runtime.clock
    assert isinstance(clock, VirtualClock)
    starts = next(iter(graph.events.values()))["start"]["dateTime"]
    clock.set(datetime.fromisoformat(starts).replace(tzinfo=UTC) - timedelta(minutes=50))
    await slack.runtime.ticker.tick()
    await settle(slack)
    for user in (MENTOR, MENTEE):
        (reminder,) = [t for t in received(slack, user) if t.startswith("Reminder: your session")]
        assert JOIN in reminder

    await play(slack, [(MENTEE, "/session cancel")])
    (delete,) = graph.calls("DELETE")
    event_id = next(iter(graph.events))
    assert delete.path == f"/v1.0/users/lea.martin@example.com/events/{event_id}"
    assert graph.events[event_id]["deleted"] is True
    assert "cancelled your session" in received(slack, MENTOR)[-1]
    assert not slack.fake.shared_files and not slack.fake.violations
