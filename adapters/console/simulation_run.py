"""``tandem simulate`` in a terminal: a progress bar while the weeks go by, then the table."""

from __future__ import annotations

import sys

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.console.app import printer
from adapters.console.report import print_simulation
from adapters.console.simulate import START, Simulation
from bot.settings import Settings


async def simulate_and_print(settings: Settings, participants: int, weeks: int, seed: int) -> None:
    from bot.main import build_console

    runtime, session = await build_console(settings, START)
    label = session.renderer.render(settings.tandem_locale, "simulation.progress")
    columns = (TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn())
    # On standard error and gone once done: the table alone is the output.
    with Progress(*columns, console=printer(sys.stderr), transient=True) as progress:
        task = progress.add_task(label, total=weeks * 7 * 24)

        def advance(lived: int, total: int) -> None:
            progress.update(task, completed=lived, total=total)

        try:
            reports = await Simulation(session, participants, weeks, seed, advance).run()
        finally:
            await runtime.close()
    print_simulation(printer(sys.stdout), session.renderer, settings.tandem_locale, reports)
