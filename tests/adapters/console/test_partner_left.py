"""After a partner leaves, one's own history stays; only what needs a partner says why not."""

from __future__ import annotations

from adapters.console.session import ConsoleSession

from .conftest import ConsoleFactory, said
from .test_form_fields import PAIR_EN, PAIR_FR, run


async def test_history_stays_after_the_partner_leaves_in_english(console: ConsoleSession) -> None:
    await run(console, PAIR_EN)
    await run(console, ['@alice /session log 45m "LinkedIn basics"', "@bob /tandem leave"])
    assert "has left the program" in await said(console, "@bob 1", to="alice")

    listed = await said(console, "@alice /session list")
    assert "LinkedIn basics" in listed and "this tandem has ended" in listed
    assert "You don't have a partner yet" not in listed
    status = await said(console, "@alice /tandem status")
    assert "Former partner: bob" in status
    assert "Sessions together: 1 (45 min in all)" in status
    for line in ('@alice /session log 1h "SEO"', "@alice /session plan 2026-12-01 10:00"):
        refused = await said(console, line)
        assert "Your tandem with bob has ended" in refused, line
        assert "/session list and /tandem status" in refused
    # Nothing was logged by the refused line.
    assert "1 of 6" in await said(console, "@alice /session list")


async def test_history_stays_after_the_partner_leaves_in_french(
    make_console: ConsoleFactory,
) -> None:
    console = make_console("fr")
    await run(console, PAIR_FR)
    await run(console, ['@lea /session log 45m "Bases de LinkedIn"', "@marc /tandem leave"])
    await console.run_line("@marc 1")
    listed = await said(console, "@lea /session list")
    assert "Bases de LinkedIn" in listed and "ce tandem est terminé" in listed
    assert "Ancien binôme : marc" in await said(console, "@lea /tandem status")
    refused = await said(console, '@lea /session log 1h "SEO"')
    assert "Votre tandem avec marc est terminé" in refused
