"""Console sessions on the real engine and a real database (SQLite file and PostgreSQL).

Many tests open with the same script (``two_pairs_en.txt``): ``run_script`` plays it for real
the first time in a test process, then takes a copy of the database and of the console's own
state, and puts that copy back for the next fresh console that runs the same script (same
backend, language, admins and starting time) instead of playing it again.
``TANDEM_TEST_SCRIPT_COPIES=0`` plays every script for real.
"""

from __future__ import annotations

import copy
import functools
import itertools
import os
import re
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.console.port import PLATFORM, ConsoleChatPort
from adapters.console.session import ConsoleSession
from bot.calendar.mailbox import MailboxCalendar
from bot.clock import VirtualClock
from bot.delivery import Deliverer
from bot.engine import Engine
from bot.i18n import Renderer
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests import db_snapshots

SCRIPTS = Path(__file__).resolve().parent / "scripts"
# A Wednesday, 15:00 in Paris and 09:00 in New York: working hours on both sides.
START = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)

ConsoleFactory = Callable[..., ConsoleSession]
COPIES_ENABLED = os.environ.get("TANDEM_TEST_SCRIPT_COPIES", "1") != "0"


@dataclass(frozen=True)
class _ConsoleState:
    """What a console keeps in memory after a script, besides its database."""

    now: datetime
    speaker: str | None
    # (transcript, forms in progress, since the last line, the last turn): copied together so
    # that the lists keep sharing their deliveries.
    lists: tuple[Any, ...]
    sent: dict[str, str]
    next_sent_id: int

    @classmethod
    def of(cls, session: ConsoleSession) -> _ConsoleState:
        port = _port(session)
        (next_id,) = re.findall(r"\d+", repr(port._ids))
        return cls(
            session.clock.now(),
            session.speaker,
            copy.deepcopy(_lists(session)),
            dict(port._sent),
            int(next_id),
        )

    def restore(self, session: ConsoleSession) -> None:
        session.clock.set(self.now)
        session.speaker = self.speaker
        transcript, forms, since_last_line, last_turn = copy.deepcopy(self.lists)
        session.transcript[:] = transcript
        session._forms.update(forms)
        session._since_last_line = since_last_line
        session._last_turn = last_turn
        port = _port(session)
        port._sent.update(self.sent)
        port._ids = itertools.count(self.next_sent_id)


def _lists(session: ConsoleSession) -> tuple[Any, ...]:
    return (session.transcript, session._forms, session._since_last_line, session._last_turn)


def _port(session: ConsoleSession) -> ConsoleChatPort:
    port = session.deliverer.ports[PLATFORM]
    assert isinstance(port, ConsoleChatPort)
    return port


@dataclass(frozen=True)
class _Copy:
    database: db_snapshots.DatabaseCopy
    console: _ConsoleState


@dataclass
class ScriptCopies:
    """The copies taken in this test process, by script and by how its console was built."""

    folder: Path
    taken: dict[tuple[object, ...], _Copy] = field(default_factory=dict)


@dataclass(frozen=True)
class _Built:
    """How ``make_console`` built a session: what a copy must match."""

    uow_factory: SqlUnitOfWorkFactory
    locale: str
    admins: tuple[str, ...]
    copies: ScriptCopies


# Sessions built by make_console, by id (a session is not hashable); forgotten with it.
_BUILT: dict[int, _Built] = {}


@functools.cache
def shared_renderer(default_locale: str) -> Renderer:
    """One renderer per language for every console of the test process: a new renderer
    compiles again each template it renders (seconds for a scenario's worth of texts)."""
    return Renderer(default_locale=default_locale)


@pytest.fixture(scope="session")
def script_copies(tmp_path_factory: pytest.TempPathFactory) -> ScriptCopies:
    return ScriptCopies(tmp_path_factory.mktemp("script-copies"))


@pytest.fixture
def make_console(uow_factory: SqlUnitOfWorkFactory, script_copies: ScriptCopies) -> ConsoleFactory:
    """Builds console sessions sharing one database, as separate processes would after a restart."""

    def build(
        locale: str = "en",
        clock: VirtualClock | None = None,
        admins: tuple[str, ...] = (),
        calendar: MailboxCalendar | None = None,
    ) -> ConsoleSession:
        clock = clock or VirtualClock(START)
        renderer = shared_renderer(locale)
        engine = Engine(
            uow_factory,
            clock,
            renderer,
            EngineConfig(
                default_locale=locale,
                default_timezone="Europe/Paris",
                admins=admins,
                calendar=calendar,
            ),
        )
        ports: dict = {}
        config = EngineConfig(
            default_locale=locale, default_timezone="Europe/Paris", admins=admins, calendar=calendar
        )
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
        _BUILT[id(session)] = _Built(uow_factory, locale, admins, script_copies)
        weakref.finalize(session, _BUILT.pop, id(session), None)
        return session

    return build


@pytest.fixture
def console(make_console: ConsoleFactory) -> ConsoleSession:
    return make_console()


async def run_script(session: ConsoleSession, name: str) -> None:
    """Run a script of tests/scripts line by line; any line that fails fails the test.

    On a fresh console of ``make_console`` whose database is still empty, a copy of what the
    same script left in an earlier test of this process is put back instead (see the module's
    docstring)."""
    await _run_or_put_back(session, name, lambda: play_script(session, name))


async def run_lines(session: ConsoleSession, name: str, lines: list[str]) -> None:
    """``run_script`` for lines made by a test (``name`` tells them apart): played once per
    test process, put back after that."""

    async def play() -> None:
        for line in lines:
            await session.run_line(line)

    await _run_or_put_back(session, f"lines:{name}:{hash(tuple(lines))}", play)


async def _run_or_put_back(
    session: ConsoleSession, name: str, play: Callable[[], Awaitable[None]]
) -> None:
    built = _BUILT.get(id(session))
    if not COPIES_ENABLED or built is None or not await _fresh(session, built):
        await play()
        return
    engine = built.uow_factory.engine
    where = engine.url.database if engine.url.get_backend_name() != "sqlite" else "sqlite"
    key = (where, name, built.locale, session.locale, built.admins, session.clock.now())
    taken = built.copies.taken.get(key)
    if taken is not None:
        await db_snapshots.put_back(engine, taken.database)
        taken.console.restore(session)
        return
    await play()
    database = await db_snapshots.take(engine, built.copies.folder)
    built.copies.taken[key] = _Copy(database, _ConsoleState.of(session))


async def _fresh(session: ConsoleSession, built: _Built) -> bool:
    """Nothing happened yet in this console nor in its database."""
    untouched = (
        session.speaker is None
        and session.on_delivery is None
        and not any(_lists(session))
        and not _port(session)._sent
        and session.engine.failures == 0
    )
    return untouched and await db_snapshots.is_empty(built.uow_factory.engine)


async def play_script(session: ConsoleSession, name: str) -> None:
    """Run a script of tests/scripts line by line, always for real."""
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
