"""A roster's rows as people to invite, each with what is wrong with it (pure: no database,
no platform). What needs the database or the platform is added by ``bot.roster.plan``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.roster.columns import (
    MAX_DEPARTMENT,
    MAX_NAME,
    column_positions,
    country_of,
    email_of,
    is_offset,
    language_of,
    role_of,
    zone_of,
)
from bot.roster.reading import Table


class Verdict(StrEnum):
    """What happens to a line: only ``INVITE`` lines are written at the confirmation."""

    INVITE = "invite"
    ALREADY_INVITED = "already_invited"
    ALREADY_ENROLLED = "already_enrolled"
    UNKNOWN_EMAIL = "unknown_email"
    NOT_INSTALLED = "not_installed"
    DUPLICATE = "duplicate"
    BAD_EMAIL = "bad_email"
    BAD_ROLE = "bad_role"
    BAD_TIMEZONE = "bad_timezone"


class LineWarning(StrEnum):
    """Something ignored on a line that is imported all the same."""

    MANAGER_NOT_IN_FILE = "manager_not_in_file"
    BAD_MANAGER_EMAIL = "bad_manager_email"
    BAD_LANGUAGE = "bad_language"
    BAD_COUNTRY = "bad_country"
    OFFSET_TIMEZONE = "offset_timezone"


@dataclass
class RosterLine:
    """One person of the roster, with the hints HR gave (the person confirms them in intake)."""

    line: int
    email: str
    raw_email: str
    name: str = ""
    role: str = "either"
    department: str = ""
    manager: str = ""
    language: str | None = None
    timezone: str | None = None
    country: str | None = None
    verdict: Verdict = Verdict.INVITE
    # The value refused, for the report ("GMT+1", "Mentorx").
    detail: str = ""
    warnings: list[LineWarning] = field(default_factory=list)
    # Filled by the plan: who the platform says this is.
    user_id: str | None = None
    platform_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "email": self.email,
            "raw_email": self.raw_email,
            "name": self.name,
            "role": self.role,
            "department": self.department,
            "manager": self.manager,
            "language": self.language,
            "timezone": self.timezone,
            "country": self.country,
            "verdict": self.verdict.value,
            "detail": self.detail,
            "warnings": [w.value for w in self.warnings],
            "user_id": self.user_id,
            "platform_name": self.platform_name,
        }

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> RosterLine:
        return cls(
            **{
                **values,
                "verdict": Verdict(values["verdict"]),
                "warnings": [LineWarning(w) for w in values["warnings"]],
            }
        )


def roster_lines(table: Table) -> list[RosterLine]:
    """Every row of the table with its verdict from the file alone."""
    positions = column_positions(table.headers)

    def cell(cells: list[str], name: str) -> str:
        index = positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    lines: list[RosterLine] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        raw_email = cell(cells, "email")
        email = email_of(raw_email)
        line = RosterLine(
            line=number,
            email=email or "",
            raw_email=raw_email,
            name=cell(cells, "name")[:MAX_NAME],
            department=cell(cells, "department")[:MAX_DEPARTMENT],
        )
        lines.append(line)
        if email is None:
            _refuse(line, Verdict.BAD_EMAIL, raw_email)
            continue
        if email in seen:
            _refuse(line, Verdict.DUPLICATE, str(seen[email]))
            continue
        seen[email] = number
        written_role = cell(cells, "role")
        role = role_of(written_role)
        if role is None:
            _refuse(line, Verdict.BAD_ROLE, written_role)
            continue
        line.role = role
        written_zone = cell(cells, "timezone")
        if written_zone:
            line.timezone = zone_of(written_zone)
            if line.timezone is None:
                _refuse(line, Verdict.BAD_TIMEZONE, written_zone)
                if is_offset(written_zone):
                    line.warnings.append(LineWarning.OFFSET_TIMEZONE)
                continue
        _hints(line, cell(cells, "language"), cell(cells, "country"), cell(cells, "manager"))
    _check_managers(lines, set(seen))
    return lines


def _refuse(line: RosterLine, verdict: Verdict, detail: str) -> None:
    line.verdict = verdict
    line.detail = detail


def _hints(line: RosterLine, language: str, country: str, manager: str) -> None:
    if language:
        line.language = language_of(language)
        if line.language is None:
            line.warnings.append(LineWarning.BAD_LANGUAGE)
    if country:
        line.country = country_of(country)
        if line.country is None:
            line.warnings.append(LineWarning.BAD_COUNTRY)
    if manager:
        address = email_of(manager)
        if address is None:
            line.warnings.append(LineWarning.BAD_MANAGER_EMAIL)
        else:
            line.manager = address


def _check_managers(lines: list[RosterLine], emails: set[str]) -> None:
    for line in lines:
        if line.manager and line.manager not in emails:
            line.warnings.append(LineWarning.MANAGER_NOT_IN_FILE)
