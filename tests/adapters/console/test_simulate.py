"""``tandem simulate``: a program lived through by simulated people, the same for a seed."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest

from adapters.console.app import printer
from adapters.console.report import print_simulation
from adapters.console.simulate import START, Habit, Simulation, WeekReport
from bot.i18n import Renderer
from bot.main import build_console
from bot.settings import Settings


async def simulate(
    tmp_path: Path,
    name: str,
    seed: int,
    weeks: int = 4,
    progress: list[tuple[int, int]] | None = None,
) -> tuple[list[WeekReport], Simulation]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / name}", tandem_locale="en")
    runtime, session = await build_console(settings, START)
    try:
        simulation = Simulation(
            session,
            participants=8,
            weeks=weeks,
            seed=seed,
            on_progress=(lambda lived, total: progress.append((lived, total)))
            if progress is not None
            else None,
        )
        return await simulation.run(), simulation
    finally:
        await runtime.close()


async def test_same_seed_same_story_and_habits_show(tmp_path: Path) -> None:
    first, simulation = await simulate(tmp_path, "a.db", seed=7)
    second, _ = await simulate(tmp_path, "b.db", seed=7)
    assert first == second

    totals = sum((report.messages for report in first), start=first[0].messages.__class__())
    # Everyone gets a check-in every other week: weeks 2-3 and 4 hold two rounds for 8 people,
    # less those on a break.
    paused = sum(1 for p in simulation.people if p.habit is Habit.PAUSING)
    assert 16 - 2 * paused <= totals["checkin"] <= 16
    assert sum(r.checkins_answered for r in first) > 0
    silent = {p.name for p in simulation.people if p.habit is Habit.SILENT}
    transcript = simulation.console.transcript
    assert not any(
        d.recipient in silent and d.kind == "reply" and "check-in" in d.text for d in transcript
    )
    # Check-ins that nobody answers get their single reminder.
    assert totals["checkin_reminder"] > 0


async def test_another_seed_tells_another_story(tmp_path: Path) -> None:
    # The habits are drawn as the program is set up, before its first week.
    _, first = await simulate(tmp_path, "a.db", seed=1, weeks=0)
    _, second = await simulate(tmp_path, "b.db", seed=2, weeks=0)
    assert [p.habit for p in first.people] != [p.habit for p in second.people]


async def test_a_run_reports_its_progress_hour_by_hour(tmp_path: Path) -> None:
    progress: list[tuple[int, int]] = []
    await simulate(tmp_path, "a.db", seed=3, weeks=1, progress=progress)
    assert progress[0] == (1, 168) and progress[-1] == (168, 168)
    assert [lived for lived, _ in progress] == list(range(1, 169))


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize(("weeks", "scale"), [(12, 1), (12, 100), (26, 1000)])
def test_the_table_fits_an_80_column_terminal(locale: str, weeks: int, scale: int) -> None:
    reports = [
        WeekReport(
            week,
            Counter(checkin=12 * scale, checkin_reminder=3 * scale, feedback=4, quiet=6),
            checkins_answered=9 * scale,
            sessions_logged=2 * scale,
            pauses=1,
        )
        for week in range(1, weeks + 1)
    ]
    out = StringIO()
    console = printer(out)
    console.width = 80
    print_simulation(console, Renderer(), locale, reports)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80, "\n".join(lines)
    text = out.getvalue()
    # Every week and every figure is shown, whole: nothing cut to "…".
    assert "…" not in text
    heading = {"en": "Week", "fr": "Semaine"}[locale]
    shown = [int(n) for line in lines if line.startswith(heading) for n in line.split()[1:]]
    assert shown == list(range(1, weeks + 1))
    all_messages = str(12 * scale + 3 * scale + 4 + 6)
    assert text.count(all_messages) >= weeks
    label = {"en": "Check-ins", "fr": "Points d'étape"}[locale]
    assert label in text
