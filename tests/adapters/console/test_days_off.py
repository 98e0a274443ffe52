"""Public holidays and declared days off: nobody is written to then; check-ins and the weekly
digest move to the next working day. Bad settings are refused in both languages, and nothing
changes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.console.session import Delivery
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, run_script, said

PARIS = ZoneInfo("Europe/Paris")


def local(moment: datetime | None) -> tuple[int, int, int]:
    assert moment is not None
    shown = moment.astimezone(PARIS)
    return (shown.month, shown.day, shown.hour)


# Scheduling logic, the same on both databases (their queries are tested elsewhere).
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("setting", "first_checkin"),
    [
        # The program started on Wednesday 18 November: the first check-in is two weeks later,
        # Wednesday 2 December at 10:00 in Paris.
        ("", (12, 2, 10)),
        # 2 and 3 December are the United Arab Emirates' National Day: Friday.
        ("holidays: AE", (12, 4, 10)),
        ("closed: 2026-12-02", (12, 3, 10)),
        # French words, and a range reaching over the weekend: the Monday after.
        ("fermé: 2026-12-01..2026-12-04", (12, 7, 10)),
    ],
)
async def test_checkins_move_to_the_next_working_day(
    make_console: ConsoleFactory, setting: str, first_checkin: tuple[int, int, int]
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    if setting:
        answer = await said(console, f"@hr /tandem program set {setting}")
        assert "move to the next working day" in answer
        if "AE" in setting:
            assert "public holidays of United Arab Emirates" in answer
    deliveries = await console.run_line(":advance 20d")
    checkins = {
        d.recipient: local(d.at) for d in deliveries if d.key and d.key.startswith("checkin:")
    }
    assert sorted(checkins) == ["alice", "bob", "dan", "erin"]
    assert set(checkins.values()) == {first_checkin}


async def test_the_weekly_digest_waits_for_the_first_working_day(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@hr /tandem digest channel #owners")
    await said(console, "@hr /tandem program set closed: 2026-11-23")
    deliveries = await console.run_line(":advance 7d")
    (digest,) = [d for d in deliveries if d.key and d.key.startswith("digest:")]
    # Monday 23 November is a day off: Tuesday 09:00.
    assert local(digest.at) == (11, 24, 9)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/tandem program set holidays: XX", "Give its two-letter code: holidays: FR"),
        ("/tandem program set holidays: France", "is not a country I know"),
        ("/tandem program set closed: 2026-13-01", "closed: 2026-12-24..2027-01-01 (both"),
        ("/tandem program set closed: 2027-01-01..2026-12-24", "ends before it starts"),
        ("/tandem program set closed: 2026-01-01..2026-12-31", "too long for days off"),
        ("/tandem programme modifier fériés: ZZ", "Donnez son code à deux lettres"),
        ("/tandem programme modifier fermé: demain", "Écrivez-les ainsi : fermé:"),
        ("/tandem programme modifier fermé: 2027-01-01..2026-12-24", "finit avant de commencer"),
    ],
)
async def test_bad_days_off_are_refused_and_change_nothing(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, line: str, expected: str
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    if "programme" in line:
        await console.run_line("@hr /tandem language fr")
    await said(console, "@hr /tandem program set holidays: FR")
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        before = dict(program.schedule or {})
    assert expected in await said(console, f"@hr {line} quotes: 4")
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.schedule == before
        assert program.quote_min_group != 4


async def _set_country(uow_factory: SqlUnitOfWorkFactory, name: str, country: str) -> None:
    """What a roster import records: the country whose public holidays the person keeps."""
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.id is not None
        (person,) = [p for p in await uow.people_in_program(program.id) if p.display_name == name]
        person.country = country
        await uow.commit()


# Scheduling logic, the same on both databases (their queries are tested elsewhere).
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_persons_own_country_holidays_move_their_checkin_only(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    # dan works from the United Arab Emirates (National Day: 2 and 3 December); the program
    # keeps no holidays, so only dan's first check-in waits, until Friday.
    await _set_country(uow_factory, "dan", "AE")
    deliveries = await console.run_line(":advance 20d")
    checkins = {
        d.recipient: local(d.at) for d in deliveries if d.key and d.key.startswith("checkin:")
    }
    assert checkins == {
        "alice": (12, 2, 10),
        "bob": (12, 2, 10),
        "erin": (12, 2, 10),
        "dan": (12, 4, 10),
    }


async def test_a_notice_on_a_public_holiday_of_the_readers_country_waits_for_the_next_day(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await _set_country(uow_factory, "bob", "US")
    # Thursday 26 November 2026, 10:00 in Paris: Thanksgiving in the United States.
    await console.run_line(":advance 7d")
    await console.run_line(":advance 19h")

    def notices(deliveries: list[Delivery], name: str) -> list[Delivery]:
        return [
            d for d in deliveries if d.recipient == name and d.key and "session_logged" in d.key
        ]

    logged = await console.run_line('@alice /session log 1h "Privacy settings"')
    assert notices(logged, "bob") == []
    # erin keeps no such holiday: dan's log reaches her at once.
    logged = await console.run_line('@dan /session log 1h "SEO basics"')
    (notice,) = notices(logged, "erin")
    assert local(notice.at) == (11, 26, 10)
    # bob reads alice's the next morning, the first working moment after Thanksgiving.
    (notice,) = notices(await console.run_line(":advance 1d"), "bob")
    assert local(notice.at) == (11, 27, 9)
