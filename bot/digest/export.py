"""Reports for HR: a program's sessions, participation and KPIs as CSV files or one JSON file.

Free text follows the digest's rules: what people learnt, and what changed in their work (the
end evaluation), appear without names, only when at least the program's group size of people
wrote some, unless the person chose to share their name; session topics and next steps (the
pair's own notes) are left out. Skill progress is per person (self-assessed levels).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.digest import weekly
from bot.digest.figures import (
    DigestFigures,
    ExportRows,
    OutcomeExport,
    ParticipantRow,
    PersonProgress,
    SessionRow,
)
from bot.domain import Program
from bot.errors import UserError
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.workshops.model import WorkshopRow


@dataclass(frozen=True)
class ProgramExport:
    program: str
    generated_at: datetime
    kpis: DigestFigures
    rows: ExportRows
    # Each person's skill progress, and "what changed" under the same privacy rule.
    outcomes: OutcomeExport = field(default_factory=OutcomeExport)
    # The program's workshops: seats taken, the waitlist, who came and how they rated it.
    workshops: tuple[WorkshopRow, ...] = ()


async def build(uow_factory: UnitOfWorkFactory, program_name: str, now: datetime) -> ProgramExport:
    async with uow_factory() as uow:
        programs = await uow.programs_named(program_name)
        if not programs:
            raise UserError("errors.unknown_program", name=program_name, programs=[])
        return await build_for(uow, programs[0], now)


async def build_for(uow: UnitOfWork, program: Program, now: datetime) -> ProgramExport:
    """The export of a program already loaded (the dashboard's, checked as the owner's)."""
    assert program.id is not None
    kpis = await weekly.compute(uow, program, now)
    rows = await uow.export_rows(program.id, program.quote_min_group)
    outcomes = await uow.outcome_export(program.id, program.quote_min_group)
    workshops = tuple(await uow.workshop_rows(program.id))
    return ProgramExport(program.name, now, kpis, rows, outcomes, workshops)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(export: ProgramExport) -> str:
    return json.dumps(
        {
            "program": export.program,
            "generated_at": export.generated_at.isoformat(),
            "kpis": _plain(export.kpis),
            "sessions": _plain(export.rows.sessions),
            "participation": _plain(export.rows.participants),
            "learnt": _plain(export.rows.learnt),
            "learnt_withheld": export.rows.learnt_withheld,
            "skill_progress": _plain(export.outcomes.progress),
            "what_changed": _plain(export.outcomes.changed),
            "what_changed_withheld": export.outcomes.changed_withheld,
            "workshops": _plain(export.workshops),
        },
        ensure_ascii=False,
        indent=2,
    )


Table = tuple[list[str], list[list[Any]]]


def _csv(table: Table) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(table[0])
    writer.writerows(table[1])
    return buffer.getvalue()


def _table(items: tuple[Any, ...], kind: type) -> tuple[list[str], list[list[Any]]]:
    names = [f.name for f in dataclasses.fields(kind)]
    return names, [[_plain(getattr(item, name)) for name in names] for item in items]


def csv_tables(export: ProgramExport) -> dict[str, Table]:
    """Each CSV file's header and rows, by file name (without ``.csv``)."""
    kpis = [
        [name, json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value]
        for name, value in _flat(_plain(export.kpis))
    ]
    return {
        "sessions": _table(export.rows.sessions, SessionRow),
        "participation": _table(export.rows.participants, ParticipantRow),
        "kpis": (["name", "value"], kpis),
        "learnt": (["text", "name"], [[q.text, q.name or ""] for q in export.rows.learnt]),
        "skill_progress": _table(export.outcomes.progress, PersonProgress),
        "what_changed": (
            ["text", "name"],
            [[q.text, q.name or ""] for q in export.outcomes.changed],
        ),
        "workshops": _table(export.workshops, WorkshopRow),
    }


CSV_FILES = (
    "sessions",
    "participation",
    "kpis",
    "learnt",
    "skill_progress",
    "what_changed",
    "workshops",
)


def csv_text(export: ProgramExport, name: str) -> str:
    """One CSV file's text (``name`` among ``CSV_FILES``)."""
    return _csv(csv_tables(export)[name])


def write_csv(export: ProgramExport, directory: Path) -> list[Path]:
    """sessions.csv, participation.csv, kpis.csv (name, value), learnt.csv, skill_progress.csv,
    what_changed.csv and workshops.csv in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in csv_tables(export).items():
        path = directory / f"{name}.csv"
        path.write_text(_csv(table), encoding="utf-8")
        written.append(path)
    return written


def _flat(values: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested figures (the outcomes) as ``outcomes.nps``-style names, one CSV row each."""
    rows: list[tuple[str, Any]] = []
    for name, value in values.items():
        if isinstance(value, dict):
            rows.extend(_flat(value, f"{prefix}{name}."))
        else:
            rows.append((f"{prefix}{name}", value))
    return rows
