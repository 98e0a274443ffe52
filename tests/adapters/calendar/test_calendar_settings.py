"""Calendars configured from the environment: Graph with its secret in a file, Google with its
service-account key file and an overridden token endpoint; a setting that cannot work is said at
start with what to set, and no secret shows in the settings or in the error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.calendar.configured import CalendarSettingsError, calendar_from_settings
from adapters.calendar.google import GoogleCalendar
from adapters.calendar.graph import GraphCalendar
from bot.calendar.slots import Interval
from bot.settings import Settings
from tests.fakes.google_calendar import FakeGoogleCalendar
from tests.fakes.graph_calendar import CLIENT_ID, TENANT, FakeGraph

WEEK = Interval(
    datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC) + timedelta(days=7)
)


def settings(monkeypatch: pytest.MonkeyPatch, **environment: str) -> Settings:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def test_graph_from_the_environment_with_its_secret_in_a_file(
    graph: FakeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "graph-secret"
    secret_file.write_text(graph.client_secret + "\n")
    configured = settings(
        monkeypatch,
        GRAPH_TENANT_ID=TENANT,
        GRAPH_CLIENT_ID=CLIENT_ID,
        GRAPH_CLIENT_SECRET_FILE=str(secret_file),
        GRAPH_API_URL=graph.api_url,
        GRAPH_LOGIN_URL=graph.url,
    )
    connector = calendar_from_settings(configured)
    assert isinstance(connector, GraphCalendar)
    try:
        assert await connector.busy(["alice@contoso.com"], WEEK) == {"alice@contoso.com": ()}
    finally:
        await connector.close()
    assert graph.tokens_issued == 1


async def test_google_from_the_environment_with_the_token_endpoint_overridden(
    google: FakeGoogleCalendar, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = google.key_file(tmp_path)
    key = json.loads(key_file.read_text())
    key_file.write_text(json.dumps({**key, "token_uri": "https://oauth2.googleapis.com/token"}))
    configured = settings(
        monkeypatch,
        GOOGLE_SERVICE_ACCOUNT_FILE=str(key_file),
        GOOGLE_CALENDAR_API_URL=google.api_url,
        GOOGLE_TOKEN_URL=google.token_url,
    )
    connector = calendar_from_settings(configured)
    assert isinstance(connector, GoogleCalendar)
    try:
        assert await connector.busy(["alice@example.org"], WEEK) == {"alice@example.org": ()}
    finally:
        await connector.close()
    assert google.subjects == ["alice@example.org"]


def test_no_calendar_configured_keeps_the_ics_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    assert calendar_from_settings(settings(monkeypatch)) is None


def test_a_graph_secret_never_shows_in_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = settings(
        monkeypatch,
        GRAPH_TENANT_ID=TENANT,
        GRAPH_CLIENT_ID=CLIENT_ID,
        GRAPH_CLIENT_SECRET="s3cr3t-value-from-entra",
    )
    assert "s3cr3t-value-from-entra" not in repr(configured)
    assert "s3cr3t-value-from-entra" not in str(configured.model_dump())


def test_graph_without_a_secret_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = settings(monkeypatch, GRAPH_TENANT_ID=TENANT, GRAPH_CLIENT_ID=CLIENT_ID)
    with pytest.raises(CalendarSettingsError, match="GRAPH_CLIENT_SECRET_FILE"):
        calendar_from_settings(configured)


def test_a_bad_key_file_is_named_without_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "key.json"
    bad.write_text('{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg"}')
    configured = settings(monkeypatch, GOOGLE_SERVICE_ACCOUNT_FILE=str(bad))
    with pytest.raises(CalendarSettingsError) as error:
        calendar_from_settings(configured)
    assert "is not a service account key" in str(error.value)
    assert "MIIEvQ" not in str(error.value)
    missing = settings(monkeypatch, GOOGLE_SERVICE_ACCOUNT_FILE=str(tmp_path / "nowhere.json"))
    with pytest.raises(CalendarSettingsError, match="cannot be read"):
        calendar_from_settings(missing)
