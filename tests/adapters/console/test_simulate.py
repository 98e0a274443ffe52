"""``tandem simulate``: a program lived through by simulated people, the same for a seed."""

from __future__ import annotations

from pathlib import Path

from adapters.console.simulate import START, Habit, Simulation, WeekReport
from bot.main import build_console
from bot.settings import Settings


async def simulate(
    tmp_path: Path, name: str, seed: int, weeks: int = 4
) -> tuple[list[WeekReport], Simulation]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / name}", tandem_locale="en")
    runtime, session = await build_console(settings, START)
    try:
        simulation = Simulation(session, participants=8, weeks=weeks, seed=seed)
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
    # The habits drawn differ from the first week of the program on.
    _, first = await simulate(tmp_path, "a.db", seed=1, weeks=1)
    _, second = await simulate(tmp_path, "b.db", seed=2, weeks=1)
    assert [p.habit for p in first.people] != [p.habit for p in second.people]
