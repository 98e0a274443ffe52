"""``tandem roster import`` as HR's administrator runs it on the server: a real process, a real
SQLite file. Without --yes it is a dry run (a summary and a CSV report); with --yes the
invitations are queued once, and running it again changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.bot.test_cli import tandem
from tests.roster_files import csv_bytes, report_rows, roster, write_xlsx


def _count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _program(tmp_path: Path, locale: str) -> None:
    script = tmp_path / "setup.txt"
    script.write_text('@hr /tandem program new "Pilot"\n@alice /tandem join mentor\n')
    result = tandem("console", "--script", str(script), tmp_path=tmp_path, TANDEM_LOCALE=locale)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("size", [200, 5000])
def test_dry_run_then_yes_then_the_same_file_again(tmp_path: Path, size: int) -> None:
    _program(tmp_path, "en")
    made = roster(size, enrolled=("alice",))
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(made, separator="\t", encoding="utf-8-sig"))
    to_invite = made.count("invite")

    dry = tandem(
        "roster", "import", str(path), "--program", "Pilot", tmp_path=tmp_path, TANDEM_LOCALE="en"
    )
    assert dry.returncode == 0, dry.stderr
    assert f"• {to_invite:,} to invite" in dry.stdout
    assert "• 1 already enrolled" in dry.stdout
    assert "• 2 unknown roles" in dry.stdout
    assert "run the same command again with --yes" in dry.stdout
    report = report_rows((tmp_path / "people-report.csv").read_text(encoding="utf-8"))
    assert len(report) == size + 1
    assert _count(tmp_path, "invitation") == 0

    sent = tandem(
        "roster",
        "import",
        str(path),
        "--program",
        "Pilot",
        "--yes",
        tmp_path=tmp_path,
        TANDEM_LOCALE="en",
    )
    assert sent.returncode == 0, sent.stderr
    assert f"Done: {to_invite:,} invitations" in sent.stdout
    assert _count(tmp_path, "invitation") == to_invite
    queued = _count(tmp_path, "outbox")

    again = tandem(
        "roster",
        "import",
        str(path),
        "--program",
        "Pilot",
        "--yes",
        tmp_path=tmp_path,
        TANDEM_LOCALE="en",
    )
    assert again.returncode == 0, again.stderr
    assert f"• {to_invite:,} already invited" in again.stdout
    assert "Nobody new to invite" in again.stdout
    assert _count(tmp_path, "invitation") == to_invite
    assert _count(tmp_path, "outbox") == queued


def test_in_french_an_excel_roster_and_a_file_that_is_not_one(tmp_path: Path) -> None:
    _program(tmp_path, "fr")
    made = roster(50, bad=False)
    sheet = write_xlsx(made, tmp_path / "liste.xlsx", french=True)
    sent = tandem(
        "roster",
        "import",
        str(sheet),
        "--program",
        "Pilot",
        "--yes",
        tmp_path=tmp_path,
        TANDEM_LOCALE="fr",
    )
    assert sent.returncode == 0, sent.stderr
    assert f"• {made.count('invite')} à inviter" in sent.stdout
    assert f"C’est fait : {made.count('invite')} invitations" in sent.stdout

    pdf = tmp_path / "liste.pdf"
    pdf.write_bytes(b"%PDF-1.7\x00\x00")
    refused = tandem(
        "roster", "import", str(pdf), "--program", "Pilot", tmp_path=tmp_path, TANDEM_LOCALE="fr"
    )
    assert refused.returncode == 1
    assert "n’est ni un fichier CSV ni un fichier Excel" in refused.stderr
    unknown = tandem(
        "roster", "import", str(sheet), "--program", "Nope", tmp_path=tmp_path, TANDEM_LOCALE="fr"
    )
    assert unknown.returncode == 1
    assert "Nope" in unknown.stderr


def test_people_a_complete_roster_no_longer_lists_leave_with_absent_left(tmp_path: Path) -> None:
    _program(tmp_path, "en")
    first = tmp_path / "first.csv"
    first.write_text(
        "email,name,role\nzoe@acme.example,Zoé,mentee\nyann@acme.example,Yann,mentor\n"
    )
    second = tmp_path / "second.csv"
    second.write_text("email,name,role\nyann@acme.example,Yann,mentor\n")

    def run(path: Path, *flags: str) -> str:
        result = tandem(
            "roster",
            "import",
            str(path),
            "--program",
            "Pilot",
            *flags,
            tmp_path=tmp_path,
            TANDEM_LOCALE="en",
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "Done: 2 invitations" in run(first, "--yes")
    listed = run(second, "--yes")
    assert "1 person invited from an earlier roster is not in this one: Zoé." in listed
    assert "run the command again with --absent-left" in listed
    assert _count(tmp_path, "person WHERE left_at IS NOT NULL") == 0

    done = run(second, "--yes", "--absent-left")
    assert "1 person no longer on the roster marked as left" in done
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        left = connection.execute("SELECT user_id FROM person WHERE left_at IS NOT NULL")
        assert left.fetchall() == [("zoe",)]
