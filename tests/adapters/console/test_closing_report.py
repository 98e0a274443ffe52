"""A week after a program ends, its report is posted once in the owners' channel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.clock import VirtualClock
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.console_support import ConsoleFactory, run_script


async def test_the_program_report_is_posted_once_a_week_after_the_program_ends(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        # The program ends on Tuesday 24 November.
        program.ends_on = date(2026, 11, 24)
        await uow.commit()
    # On to Tuesday 1 December, 08:00 in Paris, a week after the last day: not yet.
    hours = (datetime(2026, 12, 1, 7, 0, tzinfo=UTC) - console.clock.now()) // timedelta(hours=1)
    deliveries = await console.run_line(f":advance {hours}h")
    assert [d for d in deliveries if (d.key or "").startswith("report:")] == []
    deliveries = await console.run_line(":advance 1h")
    (post,) = [d for d in deliveries if (d.key or "").startswith("report:")]
    assert post.kind == "channel" and post.recipient == "#owners"
    assert post.text.startswith('Program report of "Pilot", since Nov 18, 2026')
    assert "Since the start: 2 sessions" in post.text

    # Later, and in a new process: never again.
    later = make_console(clock=VirtualClock(console.clock.now()))
    deliveries = await later.run_line(":advance 3d")
    assert [d for d in deliveries if (d.key or "").startswith("report:")] == []


async def test_owners_set_the_end_and_the_anonymity_threshold(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    (done,) = await console.run_line("@hr /tandem program set until: 2027-06-30 quotes: 5")
    assert "ends on June 30, 2027" in done.text and "at least 5 of them" in done.text
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.ends_on == date(2027, 6, 30) and program.quote_min_group == 5
    (shown,) = await console.run_line("@hr /tandem program show")
    assert "from 5 authors" in shown.text
    # Bad input says how to do it right, and changes nothing.
    (too_small,) = await console.run_line("@hr /tandem program set quotes: 2")
    assert "at least 3 people" in too_small.text and "quotes: 3 or more" in too_small.text
    (before,) = await console.run_line("@hr /tandem program set until: 2026-01-01")
    assert "is not after the program's start" in before.text
    (nothing,) = await console.run_line("@hr /tandem program set")
    assert "until: 2027-06-30" in nothing.text
    (not_owner,) = await console.run_line("@bob /tandem program set quotes: 9")
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.ends_on == date(2027, 6, 30) and program.quote_min_group == 5
    assert "Only the program's owners can do this" in not_owner.text
