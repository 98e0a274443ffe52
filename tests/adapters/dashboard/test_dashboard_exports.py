"""The exports page over real HTTP: HR's CSV and JSON files and the printable report, as
downloads of the owner's program only, with what the pairs wrote left out."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import aiohttp

from adapters.console.session import ConsoleSession
from adapters.dashboard.app import COOKIE
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.dashboard.support import link_for, program_id, seed, serving


async def test_an_owner_downloads_the_exports_and_the_report(
    make_console, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console: ConsoleSession = make_console()
    await seed(console)
    await console.run_line('@zoe /tandem program new "Other"')
    token, other = await link_for(console), await link_for(console, "zoe")
    pilot = await program_id(uow_factory, "Pilot")
    async with serving(console, uow_factory) as served, aiohttp.ClientSession() as http:

        async def get(path: str) -> tuple[aiohttp.ClientResponse, str]:
            async with http.get(served.url(path), allow_redirects=False) as response:
                return response, await response.text()

        async def session_of(link: str) -> dict[str, str]:
            response, _ = await get(f"/dashboard/open/{link}")
            return {"Cookie": f"{COOKIE}={response.cookies[COOKIE].value}"}

        owner, intruder = await session_of(token), await session_of(other)
        base = f"/dashboard/programs/{pilot}/exports"
        http.headers.update(owner)
        response, page = await get(base)
        assert response.status == 200
        assert 'href="exports/sessions.csv"' in page and 'href="exports/report.html"' in page

        response, body = await get(base + "/sessions.csv")
        assert response.status == 200
        assert response.content_type == "text/csv"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="tandem-program-{pilot}-sessions.csv"'
        )
        assert response.headers["Cache-Control"] == "no-store"
        rows = list(csv.DictReader(io.StringIO(body)))
        assert sorted(int(row["minutes"]) for row in rows) == [30, 45, 60]
        assert "LinkedIn basics" not in body, "the pairs' notes stay between them"

        response, body = await get(base + "/program.json")
        assert response.content_type == "application/json"
        data = json.loads(body)
        assert data["program"] == "Pilot"
        assert data["kpis"]["sessions_total"] == 3
        assert data["kpis"]["minutes_total"] == 135

        response, body = await get(base + "/report.html")
        assert response.status == 200 and response.content_type == "text/html"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "Pilot" in body and "LinkedIn basics" not in body
        # Beyond the chat report: the completion, one row per pair, every week since the start.
        text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
        assert "2 pairs; 1 with a confirmed charter." in text
        assert "0 of 2 pairs have held all the sessions of their charter." in text
        assert "Sessions held against the charters' target: 3 / 12 (25%;" in text
        assert "0 pairs have not logged any session yet." in text
        assert "alice bob active confirmed 2 / 6 1 h 45" in text
        assert "dan erin active" in text and " 1 / 6 30 min" in text
        assert "Timeline, week by week since the start" in text
        assert "Nov 16, 2026 3 2 h 15" in text

        for wrong in ("/secrets.csv", "/sessions.exe", "/kpis.csv.csv"):
            response, _ = await get(base + wrong)
            assert response.status == 404, wrong

        http.headers.update(intruder)
        for path in (base, base + "/sessions.csv", base + "/report.html"):
            response, body = await get(path)
            assert response.status == 404, path
            assert "alice" not in body
