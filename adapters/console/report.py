"""The simulation's week-by-week table, readable in an 80-column terminal.

One row per figure and one column per week: twelve weeks of three-digit figures fit in 80
columns beside the figures' names, where eleven named columns would not. Longer simulations
(or bigger figures) continue in further blocks of weeks below.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from adapters.console.simulate import WeekReport
from bot.i18n import Renderer

ROWS = (
    "checkins",
    "reminders",
    "answered",
    "sessions",
    "session_reminders",
    "quiet_pairs",
    "charter_nudges",
    "feedback",
    "pauses",
    "all_messages",
)
# The figures' names wrap onto a second line past this width.
LABEL_WIDTH = 18


def figures(report: WeekReport) -> dict[str, int]:
    messages = report.messages
    return {
        "checkins": messages["checkin"],
        "reminders": messages["checkin_reminder"],
        "answered": report.checkins_answered,
        "sessions": report.sessions_logged,
        "session_reminders": messages["session_reminder"],
        "quiet_pairs": report.quiet_pairs_nudged,
        "charter_nudges": messages["charter_nudge"],
        "feedback": messages["feedback"],
        "pauses": report.pauses,
        "all_messages": sum(messages.values()),
    }


def print_simulation(
    console: Console, renderer: Renderer, locale: str, reports: list[WeekReport]
) -> None:
    by_week = [figures(report) for report in reports]
    digits = max(
        [len(str(value)) for week in by_week for value in week.values()]
        + [len(str(report.week)) for report in reports]
        + [1]
    )
    # Each week's column takes its digits and one space; the names take LABEL_WIDTH and one.
    per_block = max(1, (console.width - LABEL_WIDTH - 1) // (digits + 1))
    console.print(renderer.render(locale, "simulation.title"), soft_wrap=False)
    for start in range(0, len(reports), per_block):
        block = range(start, min(start + per_block, len(reports)))
        table = Table(box=box.SIMPLE_HEAD, padding=0, pad_edge=False, show_edge=False)
        table.add_column(
            renderer.render(locale, "simulation.week"),
            width=LABEL_WIDTH,
            overflow="fold",
        )
        for index in block:
            table.add_column(str(reports[index].week), justify="right", width=digits)
        for row in ROWS:
            table.add_row(
                renderer.render(locale, f"simulation.{row}"),
                *(str(by_week[index][row]) for index in block),
            )
        # The terminal printer does not wrap text (soft_wrap); the table fits the width instead.
        console.print(table, soft_wrap=False)
