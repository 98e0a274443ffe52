"""People who leave the program or ask to be forgotten give their workshop seats back: the
waitlist moves up at once and is told, instead of a seat held by nobody on the day."""

from __future__ import annotations

import pytest

from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, said
from .test_workshops import ANNOUNCE, PEOPLE, enrolled, keyed

# (what the seat holder types, then the confirmation's "yes")
GOING = {
    "leaves the program": "/tandem leave",
    "asks to be forgotten": "/tandem forget-me",
}


@pytest.mark.parametrize("going", list(GOING))
async def test_a_seat_holder_who_goes_hands_the_seat_to_the_waitlist(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, going: str
) -> None:
    console = make_console()
    await enrolled(console, uow_factory)
    await console.run_line(ANNOUNCE)
    for person in PEOPLE:  # eight seats, then p09..p12 waiting
        await said(console, f"@{person} 1")
    assert "8/8 seats taken, 4 waiting" in await said(console, "@p05 /tandem workshop list")

    await console.run_line(f"@p02 {GOING[going]}")
    deliveries = await console.run_line("@p02 1")

    promoted = keyed(deliveries, "workshop_promoted")
    assert list(promoted) == ["p09"]
    assert "a seat freed up" in promoted["p09"].text
    assert "8/8 seats taken, 3 waiting" in await said(console, "@p05 /tandem workshop list")


async def test_someone_waiting_who_leaves_frees_a_waitlist_place_and_no_seat(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await enrolled(console, uow_factory)
    await console.run_line(ANNOUNCE)
    for person in PEOPLE:
        await said(console, f"@{person} 1")

    await console.run_line("@p10 /tandem leave")
    deliveries = await console.run_line("@p10 1")

    assert not keyed(deliveries, "workshop_promoted")
    assert "8/8 seats taken, 3 waiting" in await said(console, "@p05 /tandem workshop list")
