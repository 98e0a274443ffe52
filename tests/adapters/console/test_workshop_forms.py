"""Workshops through forms, answered field by field in the console: the announcement (a wrong
field asked again at once, defaults kept with an empty line) and the attendance."""

from __future__ import annotations

from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, said
from .test_workshop_bad_input import seeded


async def test_announce_and_log_attendance_with_forms(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await seeded(console, uow_factory, "en")

    assert "Let's announce a workshop" in await said(console, "@maya /tandem workshop new")
    for answer in ("Data day", "Data", "2026-11-24"):
        await console.run_line(answer)
    assert "25" in await said(console, "@maya 25:00", to="maya")
    await console.run_line("10:00")
    await console.run_line("")  # the length's default: 1 h
    await console.run_line("Room 2")
    refused = await said(console, "@maya 0")
    assert "is not a number of seats" in refused
    await console.run_line("2")
    deliveries = await console.run_line("")  # invited: the program, the only choice
    announced = {d.recipient for d in deliveries if d.key and "workshop_announce" in d.key}
    assert announced == {"p01", "p02"}
    assert "1 h" in next(d.text for d in deliveries if d.recipient == "maya")

    for person in ("p01", "p02"):
        assert "You have a seat" in await said(console, f"@{person} 1")
    await console.run_line(":advance 6d")
    assert "Who came" in await said(console, "@maya /tandem workshop attendance 1")
    await console.run_line("")  # p01: came (the default for a seat)
    assert "not an answer here" in await said(console, "@maya maybe")
    deliveries = await console.run_line("no")
    assert "1 of 2 registered people came" in "\n".join(d.text for d in deliveries)
    asked = [d.recipient for d in deliveries if d.key and d.key.startswith("workshop_feedback")]
    assert asked == ["p01"]
