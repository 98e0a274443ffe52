"""Every event that moves a "next due", typed through the console: after each line and at each
hour of the virtual clock, the indexed tick queues exactly what the full scan would have.

The full scan (every open program's people, as the tick worked before the due index) runs in a
transaction rolled back just before each real tick, at the same moment."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from adapters.console.session import ConsoleSession
from bot.clock import VirtualClock
from bot.delivery import Deliverer
from bot.engine import Engine
from bot.i18n import Renderer
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.bot.scheduling.test_due_index import full_scan_would_queue, indexed_tick_queues

from .conftest import run_script


# The marks are the same SQL on both databases (the random sequences of
# tests/bot/scheduling/test_due_index.py run on both); this hour-by-hour scenario runs once.
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_every_event_keeps_the_indexed_tick_equal_to_the_full_scan(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    clock = VirtualClock(datetime(2026, 10, 5, 13, 0, tzinfo=UTC))
    renderer = Renderer(default_locale="en")
    config = EngineConfig(default_locale="en", default_timezone="Europe/Paris")
    ticker = Ticker(uow_factory, clock, renderer, config)
    ticker.sweep = None
    queued: Counter[str] = Counter()
    evaluated: list[int] = []

    async def checked_tick() -> None:
        expected = await full_scan_would_queue(uow_factory, ticker, clock.now())
        keys = await indexed_tick_queues(uow_factory, ticker)
        assert keys == expected, clock.now().isoformat()
        queued.update(key.split(":")[0] for key in keys)
        evaluated.append(ticker.last_evaluated)

    ports: dict = {}
    console = ConsoleSession(
        engine=Engine(uow_factory, clock, renderer, config),
        deliverer=Deliverer(uow_factory, clock, ports),
        clock=clock,
        renderer=renderer,
        locale="en",
        on_tick=checked_tick,
    )
    port = console.port()
    ports[port.platform] = port
    await run_script(console, "due_events_en.txt")

    # The scenario reached every kind of scheduled message it is about.
    for purpose in (
        "checkin",
        "checkin_reminder",
        "session_reminder",
        "planned_outcome",
        "feedback",
        "charter_nudge",
        "pause_over",
        "quiet",
    ):
        assert queued[purpose] > 0, (purpose, queued)
    # And most ticks read nobody: only what a change or the clock made due.
    idle = sum(1 for count in evaluated if count == 0)
    assert idle > len(evaluated) * 0.8, (idle, len(evaluated))
