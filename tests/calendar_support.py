"""Calendar connectors in tests: the fake Graph and Google servers started on a free port, the
connectors pointed at them, and people given the work e-mail their calendar is found by."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.calendar.google import GoogleCalendar
from adapters.calendar.graph import GraphCalendar
from adapters.calendar.http import CalendarHttp
from adapters.console.session import Delivery
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.fakes.google_calendar import FakeGoogleCalendar
from tests.fakes.graph_calendar import CLIENT_ID, TENANT, FakeGraph


def http(timeout: float = 5.0, budget: float = 3.0) -> CalendarHttp:
    return CalendarHttp(timeout_seconds=timeout, retry_budget_seconds=budget)


def graph_connector(graph: FakeGraph, **kwargs: float) -> GraphCalendar:
    return GraphCalendar(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret=graph.client_secret,
        http=http(**kwargs),
        api_url=graph.api_url,
        login_url=graph.url,
    )


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    server = FakeGraph()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def graph_calendar(graph: FakeGraph) -> AsyncIterator[GraphCalendar]:
    connector = graph_connector(graph)
    yield connector
    await connector.close()


async def give_emails(uow_factory: SqlUnitOfWorkFactory, **emails: str) -> None:
    """``alice="alice@contoso.com"``: the console's people by name get a work e-mail."""
    async with uow_factory.engine.begin() as connection:
        for name, email in emails.items():
            await connection.execute(
                sa.update(tables.person)
                .where(tables.person.c.display_name == name)
                .values(email=email)
            )


def to(deliveries: list[Delivery], name: str) -> list[Delivery]:
    return [d for d in deliveries if d.recipient == name]


def utc_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def google_connector(server: FakeGoogleCalendar, folder: Path, **kwargs: float) -> GoogleCalendar:
    key = json.loads(server.key_file(folder).read_text())
    return GoogleCalendar(key=key, http=http(**kwargs), api_url=server.api_url)


@pytest.fixture
async def google() -> AsyncIterator[FakeGoogleCalendar]:
    server = FakeGoogleCalendar()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def google_calendar(
    google: FakeGoogleCalendar, tmp_path: Path
) -> AsyncIterator[GoogleCalendar]:
    connector = google_connector(google, tmp_path)
    yield connector
    await connector.close()
