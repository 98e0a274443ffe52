"""A small program played through the console's engine, and the dashboard served over real
HTTP on the same database and clock."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from adapters.console.session import ConsoleSession
from adapters.dashboard.app import DashboardApp
from adapters.web import make_app
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.console_support import run_script, said

LINK = re.compile(r"https?://\S+/dashboard/open/([A-Za-z0-9_-]+)")
HOSTILE = "<script>alert('x')</script> Zoé"


@dataclass
class Served:
    server: TestServer
    console: ConsoleSession

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))


async def seed(console: ConsoleSession) -> None:
    """Two pairs (alice & bob, dan & erin), three sessions logged, frank invited who never
    answers; hr owns "Pilot"."""
    await run_script(console, "two_pairs_en.txt")
    for line in (
        '@alice /session log 45m "LinkedIn basics"',
        '@alice /session log 1h "Privacy settings"',
        '@dan /session log 30m "SEO"',
        "@hr /tandem invite @frank",
    ):
        await console.run_line(line)


async def link_for(console: ConsoleSession, owner: str = "hr", line: str = "") -> str:
    """The token of the link ``/tandem dashboard`` gave ``owner``."""
    text = await said(console, line or f"@{owner} /tandem dashboard", to=owner)
    found = LINK.search(text)
    assert found, text
    return found.group(1)


async def rename(uow_factory: SqlUnitOfWorkFactory, user_id: str, name: str) -> None:
    """A display name as a platform could hand it over (people choose their own)."""
    async with uow_factory.engine.begin() as connection:
        await connection.execute(
            sa.update(tables.person)
            .where(tables.person.c.user_id == user_id)
            .values(display_name=name)
        )


async def program_id(uow_factory: SqlUnitOfWorkFactory, name: str) -> int:
    async with uow_factory.engine.connect() as connection:
        found = await connection.scalar(
            sa.select(tables.program.c.id).where(tables.program.c.name == name)
        )
    assert found is not None
    return int(found)


@asynccontextmanager
async def serving(
    console: ConsoleSession,
    uow_factory: SqlUnitOfWorkFactory,
    public_url: str = "http://localhost:3000",
) -> AsyncIterator[Served]:
    dashboard = DashboardApp(
        uow_factory, console.clock, console.renderer, public_url, console.engine
    )
    server = TestServer(make_app(dashboard=dashboard), host="127.0.0.1")
    await server.start_server()
    try:
        yield Served(server, console)
    finally:
        await server.close()
