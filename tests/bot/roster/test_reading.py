"""What HR's files look like in the wild: encodings, separators, French headers and spellings,
Excel; each line's verdict from the file alone; and a report cell never runs as a formula."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UserError
from bot.roster.lines import LineWarning, Verdict, roster_lines
from bot.roster.reading import MAX_LINES, read_path, read_table
from bot.roster.report import neutralised
from tests.roster_files import roster, write_xlsx

FRENCH_TEXT = (
    "Courriel;Nom;Rôle;Service;E-mail du manager;Langue;Fuseau horaire;Pays\n"
    "zoe@acme.example;Zoé Lefèvre;Mentorée;Comptabilité (€);yann@acme.example;Français;"
    "Europe/Paris;France\n"
    "yann@acme.example;Yann;MENTOR;Direction;;anglais;america/new_york;us\n"
)


@pytest.mark.parametrize(
    "data",
    [
        FRENCH_TEXT.encode("utf-8"),
        FRENCH_TEXT.encode("utf-8-sig"),
        FRENCH_TEXT.encode("cp1252"),
        FRENCH_TEXT.replace("€", "E").encode("latin-1"),
        FRENCH_TEXT.replace(";", "\t").encode("cp1252"),
        FRENCH_TEXT.replace(";", ",").replace("(€)", "").encode("utf-8"),
        FRENCH_TEXT.replace("\n", "\r\n").encode("utf-8-sig"),
    ],
    ids=["utf8", "bom", "cp1252", "latin1", "tabs", "commas", "crlf"],
)
def test_french_csv_in_any_usual_encoding_and_separator(data: bytes) -> None:
    zoe, yann = roster_lines(read_table("liste.csv", data))
    assert (zoe.email, zoe.name, zoe.role) == ("zoe@acme.example", "Zoé Lefèvre", "mentee")
    assert zoe.department.startswith("Comptabilit")
    assert (zoe.manager, zoe.language, zoe.timezone, zoe.country) == (
        "yann@acme.example",
        "fr",
        "Europe/Paris",
        "FR",
    )
    assert (yann.role, yann.language, yann.timezone, yann.country) == (
        "mentor",
        "en",
        "America/New_York",
        "US",
    )
    assert zoe.verdict == yann.verdict == Verdict.INVITE
    assert not zoe.warnings and not yann.warnings


@pytest.mark.parametrize(
    ("zone", "verdict", "offset_warning"),
    [
        ("GMT+1", Verdict.BAD_TIMEZONE, True),
        ("UTC+01:00", Verdict.BAD_TIMEZONE, True),
        ("utc-5", Verdict.BAD_TIMEZONE, True),
        ("Paris", Verdict.BAD_TIMEZONE, False),
        ("Europe/Paris", Verdict.INVITE, False),
        ("Etc/GMT-1", Verdict.INVITE, False),
        ("UTC", Verdict.INVITE, False),
    ],
)
def test_an_offset_is_not_a_time_zone(zone: str, verdict: Verdict, offset_warning: bool) -> None:
    (line,) = roster_lines(read_table("x.csv", f"email,time zone\na@b.example,{zone}\n".encode()))
    assert line.verdict == verdict
    assert (LineWarning.OFFSET_TIMEZONE in line.warnings) == offset_warning
    if verdict == Verdict.BAD_TIMEZONE:
        assert line.detail == zone


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("Mentoré", "mentee"),
        ("MENTORÉE", "mentee"),
        ("mentorés", "mentee"),
        (" Mentor ", "mentor"),
        ("tutrice", "mentor"),
        ("Indifférent", "either"),
        ("les deux", "either"),
        ("", "either"),
    ],
)
def test_roles_in_french_and_english(role: str, expected: str) -> None:
    (line,) = roster_lines(read_table("x.csv", f"e-mail;rôle\na@b.example;{role}\n".encode()))
    assert (line.verdict, line.role) == (Verdict.INVITE, expected)


def test_bad_lines_get_their_verdict_and_the_first_of_a_duplicate_stands() -> None:
    text = (
        "email,role,manager email,language,country\n"
        "ok@acme.example,mentor,boss@acme.example,de,XX\n"
        "nope,mentor,,,\n"
        "OK@Acme.Example,mentee,,,\n"
        "chief@acme.example,chef,,,\n"
        "mailto:other@acme.example,,not-a-mail,,\n"
    )
    ok, bad, duplicate, role, other = roster_lines(read_table("x.csv", text.encode()))
    assert ok.verdict == Verdict.INVITE
    assert set(ok.warnings) == {
        LineWarning.MANAGER_NOT_IN_FILE,
        LineWarning.BAD_LANGUAGE,
        LineWarning.BAD_COUNTRY,
    }
    assert (bad.verdict, bad.detail) == (Verdict.BAD_EMAIL, "nope")
    assert (duplicate.verdict, duplicate.detail) == (Verdict.DUPLICATE, "2")
    assert (role.verdict, role.detail) == (Verdict.BAD_ROLE, "chef")
    assert other.email == "other@acme.example"
    assert other.warnings == [LineWarning.BAD_MANAGER_EMAIL]


def test_excel_rosters_are_read_like_csv(tmp_path: Path) -> None:
    made = roster(300, bad=False)
    sheet = write_xlsx(made, tmp_path / "people.xlsx", french=True)
    lines = roster_lines(read_table(sheet.name, sheet.read_bytes()))
    assert len(lines) == 300
    assert {line.email for line in lines} == set(made.expected)


@pytest.mark.parametrize(
    ("name", "data", "message_id"),
    [
        ("a.pdf", b"%PDF-1.4\x00binary", "roster.not_a_table"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", "roster.not_a_table"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1", "roster.old_excel"),
        ("a.csv", b"", "roster.empty"),
        ("a.csv", b"email\n\n\n", "roster.empty"),
        ("a.csv", b"name,role\nAl,mentor\n", "roster.no_email_column"),
        ("a.csv", b"email\n" + b"x@y.example\n" * (MAX_LINES + 1), "roster.too_many_lines"),
    ],
)
def test_files_that_are_not_rosters_are_refused_whole(
    name: str, data: bytes, message_id: str
) -> None:
    with pytest.raises(UserError) as refused:
        roster_lines(read_table(name, data))
    assert refused.value.message_id == message_id


def test_a_huge_file_is_refused_from_its_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as file:
        file.truncate(50 * 1024 * 1024)
    with pytest.raises(UserError) as refused:
        read_path(path)
    assert refused.value.message_id == "roster.too_big"
    assert refused.value.variables["size"] == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("Zoé", "Zoé"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_report_cells_never_start_a_formula(cell: str, shown: str) -> None:
    assert neutralised(cell) == shown
