"""Console sessions on the real engine and a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.console.session import ConsoleSession
from bot.clock import VirtualClock
from bot.delivery import Deliverer
from bot.engine import Engine
from bot.i18n import Renderer
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage.unit_of_work import SqlUnitOfWorkFactory

SCRIPTS = Path(__file__).resolve().parent / "scripts"
# A Wednesday, 15:00 in Paris and 09:00 in New York: working hours on both sides.
START = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)

ConsoleFactory = Callable[..., ConsoleSession]


@pytest.fixture
def make_console(uow_factory: SqlUnitOfWorkFactory) -> ConsoleFactory:
    """Builds console sessions sharing one database, as separate processes would after a restart."""

    def build(
        locale: str = "en", clock: VirtualClock | None = None, admins: tuple[str, ...] = ()
    ) -> ConsoleSession:
        clock = clock or VirtualClock(START)
        renderer = Renderer(default_locale=locale)
        engine = Engine(
            uow_factory,
            clock,
            renderer,
            EngineConfig(default_locale=locale, default_timezone="Europe/Paris", admins=admins),
        )
        ports: dict = {}
        config = EngineConfig(default_locale=locale, default_timezone="Europe/Paris", admins=admins)
        session = ConsoleSession(
            engine=engine,
            deliverer=Deliverer(uow_factory, clock, ports),
            clock=clock,
            renderer=renderer,
            locale=locale,
            on_tick=Ticker(uow_factory, clock, renderer, config).tick,
        )
        port = session.port()
        ports[port.platform] = port
        return session

    return build


@pytest.fixture
def console(make_console: ConsoleFactory) -> ConsoleSession:
    return make_console()


async def run_script(session: ConsoleSession, name: str) -> None:
    """Run a script of tests/scripts line by line; any line that fails fails the test."""
    for number, line in enumerate((SCRIPTS / name).read_text(encoding="utf-8").splitlines(), 1):
        try:
            await session.run_line(line)
        except Exception as error:
            raise AssertionError(f"{name}:{number}: {line!r}: {error}") from error


async def said(console: ConsoleSession, line: str, to: str | None = None) -> str:
    """What the bot answered the speaker of ``line`` (or ``to``), as one text."""
    deliveries = await console.run_line(line)
    name = to or line.split()[0].lstrip("@")
    return "\n".join(d.text for d in deliveries if d.recipient == name)
