"""Realistic rosters for the import tests and the benchmark: HR's columns, French or English
headers, every kind of bad line, written as CSV (any encoding and separator) or XLSX."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

ENGLISH = [
    "E-mail",
    "Display name",
    "Role",
    "Department",
    "Manager e-mail",
    "Language",
    "Time zone",
    "Country",
]
FRENCH = ["Courriel", "Nom", "Rôle", "Service", "E-mail du manager", "Langue", "Fuseau", "Pays"]
ROLES = ["mentor", "Mentoré", "mentee", "either", "Mentor", "mentorée", ""]
ZONES = ["Europe/Paris", "America/New_York", "europe/london", ""]
DEPARTMENTS = ["Finance", "Marketing", "R&D", "Ventes", "RH"]
# What HR writes wrong, one line of each kind (an e-mail, and the verdict the line gets).
BAD_LINES: list[tuple[list[str], str]] = [
    (["not-an-email", "Nobody", "mentor", "", "", "", "", ""], "bad_email"),
    (["boss.one@acme.example", "Boss", "boss", "", "", "", "", ""], "bad_role"),
    (["mars.one@acme.example", "Mars", "mentor", "", "", "", "Mars/Olympus", ""], "bad_timezone"),
    (["gmt.one@acme.example", "Offset", "mentee", "", "", "", "GMT+1", ""], "bad_timezone"),
    (["jean+rh@acme.example", "Jean", "mentor", "", "", "", "", ""], "unknown_email"),
    (
        [
            "hyper.link@acme.example",
            '=HYPERLINK("http://evil.example","click")',
            "mentor",
            "",
            "",
            "",
            "",
            "",
        ],
        "invite",
    ),
    (["formula.role@acme.example", "Formula", "@SUM(1+1)", "", "", "", "", ""], "bad_role"),
]


@dataclass
class Roster:
    """The rows written, and the verdict each e-mail must get."""

    rows: list[list[str]] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)

    def count(self, verdict: str) -> int:
        return sum(1 for value in self.expected.values() if value == verdict)


def roster(size: int, *, enrolled: tuple[str, ...] = (), bad: bool = True) -> Roster:
    """``size`` lines: mostly good people (a manager each, half of them in the file), the
    ``enrolled`` console names (already enrolled), and every bad kind of line."""
    made = Roster()
    extra = [*(list(r) for r, _ in BAD_LINES)] if bad else []
    duplicates = 1 if bad else 0
    good = size - len(extra) - len(enrolled) - duplicates
    for name in enrolled:
        made.rows.append([f"{name}@acme.example", name.title(), "mentor", "", "", "", "", ""])
        made.expected[f"{name}@acme.example"] = "already_enrolled"
    for index in range(good):
        email = f"person{index}@acme.example"
        manager = f"person{index // 10 * 10}@acme.example" if index % 2 else "ceo@acme.example"
        made.rows.append(
            [
                email,
                f"Person {index}",
                ROLES[index % len(ROLES)],
                DEPARTMENTS[index % len(DEPARTMENTS)],
                manager if index % 10 else "",
                ["fr", "English", "Français", "", "Deutsch"][index % 5],
                ZONES[index % len(ZONES)],
                ["FR", "us", "France", "", "Atlantis"][index % 5],
            ]
        )
        made.expected[email] = "invite"
    for row, verdict in BAD_LINES if bad else []:
        made.rows.append(list(row))
        made.expected[row[0].lower()] = verdict
    if duplicates:
        # The same person again, with another case: the second line is the duplicate.
        made.rows.append(["PERSON1@ACME.EXAMPLE", "Person One", "mentor", "", "", "", "", ""])
    return made


def csv_bytes(
    made: Roster, *, french: bool = False, separator: str = ",", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(FRENCH if french else ENGLISH)
    writer.writerows(made.rows)
    return buffer.getvalue().encode(encoding)


def write_xlsx(made: Roster, path: Path, *, french: bool = False) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Roster")
    sheet.append(FRENCH if french else ENGLISH)
    for row in made.rows:
        sheet.append(row)
    workbook.save(path)
    return path


def report_rows(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
