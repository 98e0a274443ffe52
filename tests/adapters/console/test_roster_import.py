"""An owner imports HR's roster from the console: a dry run with a verdict per line (in chat
and as a CSV safe to open in Excel), then one confirmation that invites everyone at once
through the outbox. Nobody is enrolled without saying yes; the same file again changes
nothing; a bad file is refused whole with what to do, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.console.session import ConsoleSession
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.roster_files import csv_bytes, report_rows, roster, write_xlsx

from .conftest import ConsoleFactory, run_script, said

ENROLLED = ("alice", "bob")


async def _counts(uow_factory: SqlUnitOfWorkFactory) -> dict[str, int]:
    async with uow_factory.engine.connect() as connection:
        counted = {}
        for name, table in (
            ("people", tables.person),
            ("invitations", tables.invitation),
            ("outbox", tables.outbox),
            ("enrollments", tables.enrollment),
        ):
            counted[name] = int(
                await connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            )
        counted["invitation_messages"] = int(
            await connection.scalar(
                sa.select(sa.func.count())
                .select_from(tables.outbox)
                .where(tables.outbox.c.purpose == "invitation")
            )
            or 0
        )
    return counted


async def _dry_run(console: ConsoleSession, path: Path) -> tuple[str, list[list[str]]]:
    deliveries = await console.run_line(f"@hr /tandem roster import {path}")
    (reply,) = [d for d in deliveries if d.recipient == "hr"]
    attachment = reply.message.attachment
    assert attachment is not None
    return reply.message.text, report_rows(attachment.content)


@pytest.mark.parametrize("size", [200, 5000])
async def test_a_roster_is_checked_then_imported_once(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    tmp_path: Path,
    size: int,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    made = roster(size, enrolled=ENROLLED)
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(made))
    before = await _counts(uow_factory)

    text, rows = await _dry_run(console, path)

    # The dry run wrote nothing anyone would see.
    assert await _counts(uow_factory) == before
    to_invite = made.count("invite")
    assert f'Roster for "Pilot" checked: {size:,} lines' in text
    assert f"• {to_invite:,} to invite" in text, text
    assert "• 2 already enrolled" in text
    assert "• 1 unknown e-mail\n" in text
    assert "• 1 duplicate\n" in text
    assert "• 1 not an e-mail address" in text
    assert "• 2 unknown roles" in text
    assert "• 2 unknown time zones" in text
    assert f"Send {to_invite:,} invitations" in " ".join(
        c.label for d in console.transcript[-1:] for c in d.message.choices
    )
    # The report: every line, with its verdict, and no cell a spreadsheet would evaluate.
    header, *lines = rows
    assert header[:5] == ["line", "e-mail", "name", "role", "verdict"]
    assert len(lines) == size
    by_email = {line[1]: line for line in lines}
    assert by_email["hyper.link@acme.example"][2] == '\'=HYPERLINK("http://evil.example","click")'
    assert by_email["formula.role@acme.example"][5] == "'@SUM(1+1)"
    assert by_email["gmt.one@acme.example"][4].startswith("unknown time zone")
    assert "GMT+1 does not follow summer time" in by_email["gmt.one@acme.example"][6]
    assert by_email["person3@acme.example"][4] == "to invite"
    first, again = [line for line in lines if line[1] == "person1@acme.example"]
    assert again[4].startswith("duplicate") and again[5] == first[0]
    assert by_email["jean+rh@acme.example"][4].startswith("unknown e-mail")
    assert by_email["alice@acme.example"][4] == "already enrolled"
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in rows for cell in line)

    confirmed = await said(console, "@hr 1")
    assert f'Done: {to_invite:,} invitations to "Pilot" queued' in confirmed
    after = await _counts(uow_factory)
    assert after["invitations"] - before["invitations"] == to_invite
    assert after["invitation_messages"] - before["invitation_messages"] == to_invite
    # Opt-in stays: nobody joined because of the import.
    assert after["enrollments"] == before["enrollments"]

    # The same file again: everyone is already invited or enrolled, nothing to confirm.
    text, rows = await _dry_run(console, path)
    assert f"• {to_invite:,} already invited" in text
    assert "Nobody new to invite" in text
    assert not console.transcript[-1].message.choices
    again = await _counts(uow_factory)
    assert again == after


async def test_an_invited_person_joins_with_the_roster_as_a_start(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    path = tmp_path / "small.csv"
    path.write_text(
        "email;nom;rôle;service;e-mail du manager;langue;fuseau;pays\n"
        "zoe@acme.example;Zoé Martin;Mentoré;Finance;yann@acme.example;en;America/New_York;US\n"
        "yann@acme.example;Yann;mentor;Direction;;fr;;FR\n",
        encoding="cp1252",
    )
    await console.run_line(f"@hr /tandem roster import {path}")
    await console.run_line(f"@hr /tandem roster import {path}")
    async with uow_factory.engine.connect() as connection:
        pending = await connection.scalar(
            sa.select(sa.func.count()).select_from(tables.roster_import)
        )
    # The second dry run replaced the first: one list of addresses waits, not two.
    assert pending == 1
    await console.run_line("@hr 1")
    async with uow_factory.engine.connect() as connection:
        kept = (await connection.execute(sa.select(tables.roster_import))).one()
    assert kept.confirmed_at is not None and kept.lines == []
    async with uow_factory.engine.connect() as connection:
        person = (
            await connection.execute(
                sa.select(tables.person).where(tables.person.c.user_id == "zoe")
            )
        ).one()
    assert person.email == "zoe@acme.example"
    assert person.timezone == "America/New_York"
    assert person.country == "US"
    assert person.locale == "en"
    assert person.display_name == "Zoé Martin"
    # 15:00 in Paris is 09:00 in New York: her invitation went out at once, in English.
    assert any("invites you" in text for text in console.received_by("zoe"))
    assert any("vous invite" in text for text in console.received_by("yann"))
    # Zoé takes HR's suggestion, mentee (the first button).
    joined = await said(console, "@zoe 1")
    assert "Welcome" in joined and "mentee" in joined
    async with uow_factory.engine.connect() as connection:
        profile = (
            await connection.execute(
                sa.select(tables.profile.c.department, tables.profile.c.manager)
            )
        ).all()
    assert ("Finance", "yann") in [tuple(row) for row in profile]


@pytest.mark.parametrize(
    ("locale", "content", "name", "expected"),
    [
        ("en", b"%PDF-1.4 \x00\x01 binary", "people.pdf", "neither a CSV nor an Excel"),
        ("fr", b"%PDF-1.4 \x00\x01 binary", "people.pdf", "ni un fichier CSV ni un fichier Excel"),
        ("en", b"\xd0\xcf\x11\xe0old excel", "people.xls", "old Excel format (.xls)"),
        ("en", b"name,role\nAlice,mentor\n", "people.csv", "no e-mail column"),
        ("fr", b"nom;role\nAlice;mentor\n", "people.csv", "pas de colonne d"),
        ("en", b"email\n", "people.csv", "has no one in it"),
    ],
)
async def test_a_file_that_is_not_a_roster_is_refused_whole(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    tmp_path: Path,
    locale: str,
    content: bytes,
    name: str,
    expected: str,
) -> None:
    console = make_console(locale)
    await console.run_line(f"@hr /tandem language {locale}")
    await console.run_line('@hr /tandem program new "Pilot"')
    path = tmp_path / name
    path.write_bytes(content)
    before = await _counts(uow_factory)
    answer = await said(console, f"@hr /tandem roster import {path}")
    assert expected in answer
    assert await _counts(uow_factory) == before


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_huge_file_is_refused_without_being_read(
    make_console: ConsoleFactory, tmp_path: Path, locale: str
) -> None:
    console = make_console(locale)
    await console.run_line(f"@hr /tandem language {locale}")
    await console.run_line('@hr /tandem program new "Pilot"')
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)
    answer = await said(console, f"@hr /tandem roster import {path}")
    assert ("50.0 MB" if locale == "en" else "50,0 Mo") in answer
    missing = await said(console, f"@hr /tandem roster import {tmp_path / 'nowhere.csv'}")
    assert ("cannot find a file" if locale == "en" else "ne trouve pas de fichier") in missing


async def test_french_rosters_in_latin_1_with_semicolons_and_in_excel(
    make_console: ConsoleFactory, tmp_path: Path
) -> None:
    console = make_console("fr")
    await console.run_line("@rh /tandem language fr")
    await console.run_line('@rh /tandem program new "Pilote"')
    made = roster(40)
    latin = tmp_path / "liste.csv"
    latin.write_bytes(csv_bytes(made, french=True, separator=";", encoding="cp1252"))
    answer = await said(console, f"@rh /tandem roster import {latin}")
    assert f"• {made.count('invite')} à inviter" in answer
    assert "• 2 rôles inconnus" in answer
    assert "Envoyer" in " ".join(c.label for c in console.transcript[-1].message.choices)
    good = roster(30, bad=False)
    sheet = write_xlsx(good, tmp_path / "liste.xlsx", french=True)
    answer = await said(console, f"@rh /tandem roster import {sheet}")
    assert f"• {good.count('invite')} à inviter" in answer
    assert "Liste pour « Pilote » vérifiée : 30 lignes" in answer


async def test_a_dry_run_nobody_confirms_is_erased_after_a_week(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    """The addresses a check holds are not kept forever: a week on, the tick erases it, and its
    button says how to start again, in the owner's language; nobody was invited."""
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@hr /tandem language fr")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(roster(20, enrolled=ENROLLED)))
    deliveries = await console.run_line(f"@hr /tandem roster import {path}")
    (send,) = [c.value for d in deliveries if d.recipient == "hr" for c in d.message.choices][:1]
    before = await _counts(uow_factory)

    await console.run_line(":advance 6d")
    async with uow_factory.engine.connect() as connection:
        kept = await connection.scalar(sa.select(sa.func.count()).select_from(tables.roster_import))
    assert kept == 1
    await console.run_line(":advance 2d")
    async with uow_factory.engine.connect() as connection:
        kept = await connection.scalar(sa.select(sa.func.count()).select_from(tables.roster_import))
    assert kept == 0

    (answer,) = await console.choose("hr", send)
    assert answer.message.refused
    assert "n'est plus conservée" in answer.text and "Importez de nouveau le fichier" in answer.text
    after = await _counts(uow_factory)
    assert after["invitations"] == before["invitations"]


@pytest.mark.parametrize(
    ("locale", "absent_line", "leave_button", "confirmed_words", "owner_words"),
    [
        (
            "en",
            "1 person invited from an earlier roster is not in this one: zoe.",
            "Mark 1 person as left",
            "1 person no longer on the roster marked as left",
            "the roster no longer lists them",
        ),
        (
            "fr",
            "1 personne invitée depuis une liste précédente n’est pas dans celle-ci : zoe.",
            "Noter le départ de 1 personne",
            "1 personne absente de la liste est notée partie",
            "la liste du personnel ne la mentionne plus",
        ),
    ],
)
async def test_someone_a_complete_roster_no_longer_lists_leaves_only_if_the_owner_says_so(
    make_console: ConsoleFactory,
    uow_factory: SqlUnitOfWorkFactory,
    tmp_path: Path,
    locale: str,
    absent_line: str,
    leave_button: str,
    confirmed_words: str,
    owner_words: str,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line(f"@hr /tandem language {locale}")
    header = "email;nom;rôle\n"
    first = tmp_path / "first.csv"
    first.write_text(
        header + "zoe@acme.example;Zoé Martin;mentee\nyann@acme.example;Yann;mentor\n",
        encoding="utf-8",
    )
    await console.run_line(f"@hr /tandem roster import {first}")
    await console.run_line("@hr 1")
    # Zoé joins as a mentee (the console then knows her by her handle).
    await console.run_line("@zoe 1")
    later = tmp_path / "later.csv"
    later.write_text(header + "yann@acme.example;Yann;mentor\n", encoding="utf-8")

    async def left_at() -> object:
        async with uow_factory.engine.connect() as connection:
            return await connection.scalar(
                sa.select(tables.person.c.left_at).where(tables.person.c.user_id == "zoe")
            )

    # The dry run names her, and nothing happens to her unless the owner says she left.
    text, _ = await _dry_run(console, later)
    assert absent_line in text, text
    labels = [choice.label for choice in console.transcript[-1].message.choices]
    assert labels[0] == leave_button, labels
    await console.run_line("@hr 2")  # cancel
    assert await left_at() is None

    await _dry_run(console, later)
    confirmed = await said(console, "@hr 1")
    assert confirmed_words in confirmed, confirmed
    assert await left_at() is not None
    # The owners are told why, in their language; yann, still listed, is untouched.
    assert any(owner_words in text for text in console.received_by("hr"))
    async with uow_factory.engine.connect() as connection:
        yann = await connection.scalar(
            sa.select(tables.person.c.left_at).where(tables.person.c.user_id == "yann")
        )
    assert yann is None
    # Imported again, the same roster finds nobody missing: she has left already.
    text, _ = await _dry_run(console, later)
    assert "earlier roster" not in text and "liste précédente" not in text
