"""The dry run's report: counts in chat, and every line as a CSV that is safe to open in a
spreadsheet (a cell that would start a formula is prefixed with an apostrophe, as OWASP
advises against CSV injection)."""

from __future__ import annotations

import csv
import io

from bot.i18n import Renderer
from bot.messages import Attachment
from bot.roster.lines import RosterLine
from bot.roster.plan import RosterPlan

# What Excel, LibreOffice and Google Sheets read as the start of a formula or a command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Problem lines shown in chat; the CSV has them all.
SHOWN_IN_CHAT = 15


def neutralised(cell: str) -> str:
    """The cell as text a spreadsheet never evaluates."""
    if cell.startswith(FORMULA_STARTS) or cell.lstrip().startswith(FORMULA_STARTS[:4]):
        return "'" + cell
    return cell


def report_csv(renderer: Renderer, locale: str, plan: RosterPlan) -> str:
    verdicts: dict[str, str] = {}
    warnings: dict[str, str] = {}

    def verdict_text(line: RosterLine) -> str:
        kind = line.verdict.value
        if kind not in verdicts:
            verdicts[kind] = renderer.render(locale, "roster.verdict", verdict=kind)
        return verdicts[kind]

    def warning_text(kind: str) -> str:
        if kind not in warnings:
            warnings[kind] = renderer.render(locale, "roster.warning", warning=kind)
        return warnings[kind]

    buffer = io.StringIO()
    # A BOM: Excel then reads the accents of a UTF-8 file right.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(renderer.lines(locale, "roster.csv_columns"))
    for line in plan.lines:
        cells = [
            str(line.line),
            line.email or line.raw_email,
            line.name,
            line.role,
            verdict_text(line),
            line.detail,
            "; ".join(warning_text(w.value) for w in line.warnings),
        ]
        writer.writerow([neutralised(cell) for cell in cells])
    return buffer.getvalue()


def report_attachment(renderer: Renderer, locale: str, plan: RosterPlan) -> Attachment:
    return Attachment(
        filename=renderer.render(locale, "roster.csv_name"),
        content=report_csv(renderer, locale, plan),
        media_type="text/csv",
        title=renderer.render(locale, "roster.csv_title", program=plan.program.name),
    )


def shown_problems(plan: RosterPlan) -> list[RosterLine]:
    return plan.problems[:SHOWN_IN_CHAT]
