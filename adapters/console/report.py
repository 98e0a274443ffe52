"""The simulation's week-by-week table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from adapters.console.simulate import WeekReport
from bot.i18n import Renderer

COLUMNS = (
    "week",
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


def print_simulation(
    console: Console, renderer: Renderer, locale: str, reports: list[WeekReport]
) -> None:
    table = Table(title=renderer.render(locale, "simulation.title"))
    for column in COLUMNS:
        table.add_column(renderer.render(locale, f"simulation.{column}"), justify="right")
    for report in reports:
        messages = report.messages
        table.add_row(
            str(report.week),
            str(messages["checkin"]),
            str(messages["checkin_reminder"]),
            str(report.checkins_answered),
            str(report.sessions_logged),
            str(messages["session_reminder"]),
            str(report.quiet_pairs_nudged),
            str(messages["charter_nudge"]),
            str(messages["feedback"]),
            str(report.pauses),
            str(sum(messages.values())),
        )
    console.print(table)
