"""The proposal as tables, for ``tandem match`` on the command line: rich tables and CSV.

Every header and label comes from ``prompts/<locale>/matching.j2``, in the program's language.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.errors import UserError
from bot.i18n import Renderer
from bot.matching import service
from bot.matching.proposal import Proposal
from bot.matching.settings import MatchSettings
from bot.ports import UnitOfWorkFactory


@dataclass
class Report:
    locale: str
    title: str
    note: str
    pair_columns: list[str]
    pairs: list[list[str]] = field(default_factory=list)
    unmatched_title: str = ""
    unmatched_columns: list[str] = field(default_factory=list)
    unmatched: list[list[str]] = field(default_factory=list)
    excluded_title: str = ""
    excluded: list[str] = field(default_factory=list)
    # For the CSV: whether each unmatched (then each excluded) person is a mentor.
    unmatched_mentors: list[bool] = field(default_factory=list)
    excluded_mentors: list[bool] = field(default_factory=list)


async def load_report(
    uow_factory: UnitOfWorkFactory, renderer: Renderer, program_name: str, now: datetime
) -> Report:
    """The proposal under review in the chat if there is one, else a fresh one (not stored)."""
    async with uow_factory() as uow:
        matches = await uow.programs_named(program_name.strip())
        if not matches:
            programs = [p.name for p in await uow.open_programs()]
            raise UserError("errors.unknown_program", name=program_name, programs=programs)
        program = matches[-1]
        assert program.id is not None
        record = await uow.open_match_proposal(program.id)
        if record is not None:
            _, proposal = await service.reviewed(uow, program, record, now)
        else:
            _, proposal = await service.fresh(uow, program, now)
        settings = MatchSettings.for_program(program)
        return build_report(
            proposal, settings, renderer, program.locale, program.name, stored=record is not None
        )


def build_report(
    proposal: Proposal,
    settings: MatchSettings,
    renderer: Renderer,
    locale: str,
    program: str,
    *,
    stored: bool,
) -> Report:
    data = service.view(proposal, settings)
    hours = f"{settings.min_overlap_hours:g}"

    def text(message_id: str, **variables: object) -> str:
        return renderer.render(locale, message_id, **variables)

    report = Report(
        locale=locale,
        title=text(
            "matching.cli_title", program=program, count=len(data["pairs"]), average=data["average"]
        ),
        note=text("matching.cli_stored") if stored else "",
        pair_columns=renderer.lines(locale, "matching.cli_pair_columns"),
        unmatched_title=text("matching.cli_unmatched_title"),
        unmatched_columns=renderer.lines(locale, "matching.cli_unmatched_columns"),
        excluded_title=text("matching.cli_excluded_title"),
        excluded=list(data["excluded"]),
        unmatched_mentors=[line["role"] == "mentor" for line in data["unmatched"]],
        excluded_mentors=[c.role.value == "mentor" for c in proposal.excluded],
    )
    for pair in data["pairs"]:
        report.pairs.append(
            [
                pair["mentor"],
                pair["mentee"],
                str(round(pair["score"] * 100)),
                text("matching.topics", **pair),
                text("matching.goal", goal=pair["goal"]),
                ", ".join(pair["languages"]),
                f"{pair['shared_hours']:g}",
                text("matching.checked", codes=pair["checked"], min_hours=hours),
            ]
        )
    for line in data["unmatched"]:
        report.unmatched.append(
            [
                line["name"],
                text("matching.cli_role", role=line["role"]),
                text("matching.reason", **line, capacity=settings.capacity),
            ]
        )
    return report


def print_report(report: Report, console: Console) -> None:
    console.print(report.title)
    if report.note:
        console.print(report.note)
    pairs = Table(*report.pair_columns, show_lines=False)
    for row in report.pairs:
        pairs.add_row(*row)
    console.print(pairs)
    if report.unmatched:
        unmatched = Table(*report.unmatched_columns, title=report.unmatched_title)
        for row in report.unmatched:
            unmatched.add_row(*row)
        console.print(unmatched)
    if report.excluded:
        console.print(f"{report.excluded_title}: {', '.join(report.excluded)}")


def write_csv(report: Report, path: Path) -> int:
    """One flat table: the pairs, then the unmatched and the excluded with their reason."""
    reason = report.unmatched_columns[-1] if report.unmatched_columns else ""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*report.pair_columns, reason])
        blank = [""] * (len(report.pair_columns) - 2)
        for row in report.pairs:
            writer.writerow([*row, ""])
            rows += 1
        others = [
            *(
                (row[0], mentor, row[2])
                for row, mentor in zip(report.unmatched, report.unmatched_mentors, strict=True)
            ),
            *(
                (name, mentor, report.excluded_title)
                for name, mentor in zip(report.excluded, report.excluded_mentors, strict=True)
            ),
        ]
        for name, mentor, why in others:
            writer.writerow([name, "", *blank, why] if mentor else ["", name, *blank, why])
            rows += 1
    return rows
