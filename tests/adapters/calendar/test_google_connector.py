"""The Google Calendar connector against the fake Calendar API: freeBusy in batches of 50,
calendars not found refused alone, refusals named, a deleted event deleted again is no error,
and neither the private key nor a token reaches the logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.calendar.google import CALENDARS_PER_REQUEST
from bot.calendar.mailbox import CalendarRefused, MailboxEvent, Refusal
from bot.calendar.slots import Interval
from tests.calendar_support import google_connector
from tests.fakes.calendar_common import Failure
from tests.fakes.google_calendar import FakeGoogleCalendar

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WEEK = Interval(MONDAY, MONDAY + timedelta(days=7))
EVENT = MailboxEvent(
    uid="tandem-session-7@tandem.invalid",
    when=Interval(MONDAY, MONDAY + timedelta(hours=1)),
    title="Tandem: alice and bob",
    description="Reverse-mentoring session",
    zone="America/New_York",
    organiser="alice@example.org",
    attendees=("bob@example.org",),
)


async def test_many_calendars_are_asked_in_batches_of_googles_limit(
    google: FakeGoogleCalendar, tmp_path: Path
) -> None:
    mailboxes = [f"person{i}@example.org" for i in range(120)]
    google.busy["person119@example.org"].append((MONDAY, MONDAY + timedelta(minutes=30)))
    connector = google_connector(google, tmp_path)
    try:
        busy = await connector.busy(mailboxes, WEEK)
    finally:
        await connector.close()
    asked = google.calls("POST", "/freeBusy")
    assert sorted(len(r.body["items"]) for r in asked) == [20, 50, 50]
    assert all(len(r.body["items"]) <= CALENDARS_PER_REQUEST for r in asked)
    assert busy["person119@example.org"] == (Interval(MONDAY, MONDAY + timedelta(minutes=30)),)
    assert busy["person0@example.org"] == ()


async def test_a_calendar_not_found_is_refused_alone(
    google: FakeGoogleCalendar, tmp_path: Path
) -> None:
    google.mailboxes = {"alice@example.org"}
    connector = google_connector(google, tmp_path)
    try:
        busy = await connector.busy(["alice@example.org", "gone@example.org"], WEEK)
    finally:
        await connector.close()
    assert busy == {"alice@example.org": (), "gone@example.org": Refusal.NOT_FOUND}


async def test_the_event_is_written_in_the_organisers_zone_and_deleted_twice_safely(
    google: FakeGoogleCalendar, tmp_path: Path
) -> None:
    connector = google_connector(google, tmp_path)
    try:
        written = await connector.create(EVENT)
        await connector.cancel(written.event_id, EVENT)
        await connector.cancel(written.event_id, EVENT)  # 410 Gone: already what was asked
    finally:
        await connector.close()
    (inserted,) = google.calls("POST", "/events")
    assert inserted.body["start"] == {
        "dateTime": "2026-11-23T03:00:00-05:00",
        "timeZone": "America/New_York",
    }
    assert written.meeting_link and written.meeting_link.startswith("https://meet.google.com/")
    assert len(google.calls("DELETE")) == 2


@pytest.mark.parametrize(
    ("failure", "refusal"),
    [
        (Failure(403, {"error": {"code": 403, "message": "Forbidden"}}), Refusal.CONSENT),
        (Failure(500, {"error": {"code": 500, "message": "Backend Error"}}), Refusal.DOWN),
        (
            Failure(429, {"error": {"code": 429, "message": "Rate Limit"}}, {"Retry-After": "9"}),
            Refusal.THROTTLED,
        ),
    ],
)
async def test_a_refused_insert_says_why(
    google: FakeGoogleCalendar, tmp_path: Path, failure: Failure, refusal: Refusal
) -> None:
    google.fail("insert", failure)
    connector = google_connector(google, tmp_path, budget=1.0)
    try:
        with pytest.raises(CalendarRefused) as refused:
            await connector.create(EVENT)
    finally:
        await connector.close()
    assert refused.value.refusal is refusal


async def test_no_delegation_is_a_missing_consent_and_the_key_stays_out_of_the_logs(
    google: FakeGoogleCalendar, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    connector = google_connector(google, tmp_path)
    try:
        await connector.create(EVENT)
        google.delegated = False
        with pytest.raises(CalendarRefused) as refused:
            await connector.create(
                MailboxEvent(**{**EVENT.__dict__, "organiser": "carol@example.org"})
            )
    finally:
        await connector.close()
    assert refused.value.refusal is Refusal.CONSENT
    assert "unauthorized_client" in caplog.text
    key = (tmp_path / "service-account.json").read_text()
    assert "PRIVATE KEY" not in caplog.text
    assert key.split("\\n")[1][:40] not in caplog.text
    assert not any(token in caplog.text for token in google._tokens)
