"""The Microsoft Graph connector against the fake Graph: batching, retries within the budget,
and each failure turned into the reason the owners are told, without ever logging a secret."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from adapters.calendar.graph import SCHEDULES_PER_REQUEST, GraphCalendar
from bot.calendar.mailbox import CalendarRefused, MailboxEvent, Refusal
from bot.calendar.slots import Interval
from tests.calendar_support import graph_connector, http
from tests.fakes.calendar_common import Failure
from tests.fakes.graph_calendar import CLIENT_ID, TENANT, THROTTLED, FakeGraph

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WEEK = Interval(MONDAY, MONDAY + timedelta(days=7))


def event(organiser: str = "alice@contoso.com") -> MailboxEvent:
    return MailboxEvent(
        uid="tandem-session-7@tandem.invalid",
        when=Interval(MONDAY, MONDAY + timedelta(hours=1)),
        title="Tandem: alice and bob",
        description="Reverse-mentoring session",
        zone="Europe/Paris",
        organiser=organiser,
        attendees=("bob@contoso.com",),
    )


async def test_many_mailboxes_are_asked_in_batches_of_graphs_limit(graph: FakeGraph) -> None:
    mailboxes = [f"person{i}@contoso.com" for i in range(45)]
    graph.busy["person44@contoso.com"].append((MONDAY, MONDAY + timedelta(hours=2)))
    connector = graph_connector(graph)
    try:
        busy = await connector.busy(mailboxes, WEEK)
    finally:
        await connector.close()
    asked = graph.calls("POST", "/calendar/getSchedule")
    assert [len(r.body["schedules"]) for r in asked] == [20, 20, 5]
    assert max(len(r.body["schedules"]) for r in asked) <= SCHEDULES_PER_REQUEST
    assert busy["person44@contoso.com"] == (Interval(MONDAY, MONDAY + timedelta(hours=2)),)
    assert busy["person0@contoso.com"] == ()


async def test_mailbox_concurrency_429s_are_retried_after_retry_after(graph: FakeGraph) -> None:
    graph.fail("getSchedule", THROTTLED, THROTTLED)
    connector = graph_connector(graph, budget=3.0)
    try:
        busy = await connector.busy(["alice@contoso.com"], WEEK)
    finally:
        await connector.close()
    assert busy == {"alice@contoso.com": ()}
    assert len(graph.calls("POST", "/calendar/getSchedule")) == 3


async def test_a_retry_after_past_the_budget_gives_up_at_once(graph: FakeGraph) -> None:
    graph.fail("getSchedule", Failure(429, THROTTLED.body, {"Retry-After": "30"}))
    connector = graph_connector(graph, budget=3.0)
    started = time.monotonic()
    try:
        busy = await connector.busy(["alice@contoso.com", "bob@contoso.com"], WEEK)
    finally:
        await connector.close()
    assert time.monotonic() - started < 1.0
    assert busy == dict.fromkeys(["alice@contoso.com", "bob@contoso.com"], Refusal.THROTTLED)


async def test_an_unknown_mailbox_is_refused_alone(graph: FakeGraph) -> None:
    graph.mailboxes = {"alice@contoso.com"}
    connector = graph_connector(graph)
    try:
        busy = await connector.busy(["alice@contoso.com", "gone@contoso.com"], WEEK)
    finally:
        await connector.close()
    assert busy == {"alice@contoso.com": (), "gone@contoso.com": Refusal.NOT_FOUND}


@pytest.mark.parametrize(
    ("failure", "refusal"),
    [
        (Failure(403, {"error": {"code": "ErrorAccessDenied", "message": "denied"}}), "consent"),
        (Failure(404, {"error": {"code": "ErrorInvalidUser", "message": "no"}}), "not_found"),
        (Failure(500, {"error": {"code": "generalException", "message": "oops"}}), "down"),
        (Failure(503, {"error": {"code": "serviceNotAvailable", "message": "later"}}), "down"),
    ],
)
async def test_a_refused_event_says_why(
    graph: FakeGraph, failure: Failure, refusal: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A 503 with no Retry-After is tried again once a second within the budget: none here.
    graph.fail("create", failure)
    connector = graph_connector(graph, budget=0.0)
    try:
        with pytest.raises(CalendarRefused) as refused:
            await connector.create(event())
    finally:
        await connector.close()
    assert refused.value.refusal.value == refusal
    assert not graph.events
    # The failure is logged with its status, never with the mailbox's address.
    assert f"answered {failure.status}" in caplog.text
    assert "contoso.com" not in caplog.text


async def test_a_calendar_that_does_not_answer_in_time_is_down(graph: FakeGraph) -> None:
    connector = graph_connector(graph, timeout=0.3)
    await connector.busy(["alice@contoso.com"], WEEK)  # the token, before it gets slow
    graph.latency = 2.0
    started = time.monotonic()
    try:
        busy = await connector.busy(["alice@contoso.com"], WEEK)
    finally:
        await connector.close()
    assert busy == {"alice@contoso.com": Refusal.DOWN}
    assert time.monotonic() - started < 1.5


async def test_a_retried_create_makes_no_second_event(graph: FakeGraph) -> None:
    connector = graph_connector(graph)
    try:
        first = await connector.create(event())
        again = await connector.create(event())
    finally:
        await connector.close()
    assert first == again and len(graph.events) == 1
    assert first.meeting_link and first.meeting_link.startswith("https://teams.microsoft.com/")


async def test_a_wrong_secret_is_a_missing_consent_and_no_secret_is_logged(
    graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = graph_connector(graph)
    try:
        await good.create(event())
    finally:
        await good.close()
    secret = graph.client_secret
    graph.client_secret = "rotated-" + secret
    stale = GraphCalendar(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=secret,
        http=http(),
        api_url=graph.api_url,
        login_url=graph.url,
    )
    try:
        with pytest.raises(CalendarRefused) as refused:
            await stale.busy(["alice@contoso.com"], WEEK)
    finally:
        await stale.close()
    assert refused.value.refusal is Refusal.CONSENT
    assert "invalid_client" in caplog.text
    assert secret not in caplog.text
    assert not any(token in caplog.text for token in graph._tokens)
