"""What ``program show`` and ``program list`` tell, by who asks: owners and administrators see
owners and counts; anyone else only what they would join or have joined."""

from __future__ import annotations

from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.console_support import ConsoleFactory, said

OWNERS_AND_COUNTS = ("Owners:", "Participants:", "0 mentees", "Digest channel")


async def test_owners_and_admins_see_everything_others_see_only_the_program(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console(admins=("hr", "boss"))
    await console.run_line('@hr /tandem program new "Pilot" sessions: 6 every: 2w length: 1h')
    await console.run_line("@hr /tandem invite @alice")
    await console.run_line("@alice 1")

    for who in ("hr", "boss"):
        details = await said(console, f"@{who} /tandem program show Pilot")
        assert all(word in details for word in OWNERS_AND_COUNTS), who
        assert "Owners: hr" in details and "1 mentor, 0 mentees" in details

    # A participant, and someone who takes no part: the program and how to join, nothing more.
    participant = await said(console, "@alice /tandem program show")
    outsider = await said(console, "@carol /tandem program show Pilot")
    for text in (participant, outsider):
        assert 'Program "Pilot"' in text and "6 sessions of 1 h, every 14 days" in text
        assert not any(word in text for word in OWNERS_AND_COUNTS), text
        assert "hr" not in text.replace("Program", "")
    assert "You take part" in participant
    assert "/tandem join mentor Pilot" in outsider

    # Open programs are listed to anyone (joining is opt-in), with what each is to them.
    assert "Pilot" in await said(console, "@carol /tandem program list")
    assert "(you take part)" in await said(console, "@alice /tandem program list")
    assert "(you own it)" in await said(console, "@hr /tandem program list")
    assert "not in a program" in await said(console, "@carol /tandem program show")

    # Closed, a program is nobody's business but its owners' and its former participants'.
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        program.closed = True
        await uow.commit()
    assert 'no program called "Pilot"' in await said(console, "@carol /tandem program show Pilot")
    assert "(closed)" in await said(console, "@alice /tandem program show Pilot")
    assert "Owners: hr" in await said(console, "@hr /tandem program show Pilot")
