"""``/tandem report``: the program's figures since its start, to owners only, as sections with
the week-by-week chart; the console prints it as text."""

from __future__ import annotations

from adapters.console.render import render_delivery
from bot.messages import SeriesKind

from .conftest import ConsoleFactory, run_script


async def test_owner_gets_the_program_report(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    await console.run_line(":advance 8d")
    await console.run_line('@alice /session log 30m "Negotiation"')
    (reply,) = await console.run_line("@hr /tandem report")
    message = reply.message
    assert message.title.startswith('Program report of "Pilot", since')
    titles = [s.title for s in message.sections]
    assert titles[:5] == [
        "People",
        "Sessions",
        "Topics covered most",
        "Check-in mood",
        "Satisfaction",
    ]
    sessions = message.sections[1]
    # Since the start, not this week: no weekly line.
    assert sessions.lines == (
        "Since the start: 3 sessions (2 h 15) out of 12 planned in the charters (12 h), 25%",
    )
    assert "linkedin basics (2)" in message.sections[2].lines[0]
    assert "sessions rated 3.0/5 on average (2 ratings)" in message.text
    # The chart: one bar a week since the program started, mood as a line on 1–5.
    assert message.chart is not None
    bars, mood = message.chart.series
    assert bars.kind == SeriesKind.BARS and mood.kind == SeriesKind.LINE
    assert sum(v or 0 for v in bars.values) == 3 and bars.values[-1] == 1
    assert mood.scale == (1.0, 5.0) and set(mood.values) == {None}
    assert len(message.chart.labels) == len(bars.values) >= 2
    # In the terminal: the text, and the chart described in words.
    printed = render_delivery(reply)
    assert "• People: 4 enrolled" in printed and "📈 Sessions logged each week" in printed


async def test_report_in_french_and_only_for_owners(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    await console.run_line("@hr /tandem language fr")
    (reply,) = await console.run_line("@hr /tandem report Pilot")
    assert reply.message.title.startswith('Rapport du programme "Pilot"')
    assert "Depuis le début : 2 sessions (1 h 45)" in reply.text
    assert reply.message.chart is not None
    assert reply.message.chart.title == "Sessions et moral, semaine par semaine"
    (refusal,) = await console.run_line("@bob /tandem report")
    assert "Only the program's owners can do this" in refusal.text
    assert refusal.message.sections == ()
