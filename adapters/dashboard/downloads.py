"""The exports page's files: HR's CSV tables, the JSON of everything and the printable report,
each sent as an attachment named after the program's id."""

from __future__ import annotations

from aiohttp import web

from bot.dashboard.pages import Dashboard
from bot.digest import export
from bot.i18n import Renderer

# What the exports page offers besides the CSV files, and the media type of each kind.
OTHER_FILES = {("program", "json"), ("report", "html")}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "html": "text/html"}
# An export's file name in a route: sessions.csv, report.html.
FILE = r"{file:[a-z_]{1,20}\.[a-z]{3,4}}"


def offered(file: str) -> bool:
    name, _, kind = file.partition(".")
    return (kind == "csv" and name in export.CSV_FILES) or (name, kind) in OTHER_FILES


async def download(
    pages: Dashboard,
    renderer: Renderer,
    person_id: int,
    program_id: int,
    locale: str,
    file: str,
) -> web.Response:
    """One offered file (see ``offered``); raises ``NotFound`` for another owner's program."""
    name, _, kind = file.partition(".")
    if (name, kind) == ("report", "html"):
        body = await pages.report_page(person_id, program_id, renderer, locale)
    else:
        data = await pages.export(person_id, program_id)
        body = export.to_json(data) if kind == "json" else export.csv_text(data, name)
    filename = f"tandem-program-{program_id}-{name}.{kind}"
    return web.Response(
        text=body,
        content_type=MEDIA_TYPES[kind],
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
