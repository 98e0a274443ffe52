"""The outcomes page over real HTTP: skill progress per topic, the end-of-program evaluation,
NPS and what changed, from the report's own query, each with its number of answers and the
"too few answers to conclude" note below five; checked against the figures worked out by hand
in tests/adapters/console/test_outcomes.py (the same program, the same answers)."""

from __future__ import annotations

import html
import re

import aiohttp
import pytest

from adapters.console.session import ConsoleSession
from adapters.dashboard.app import COOKIE
from bot.clock import VirtualClock
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.console.test_outcomes import answer, run_program_to_its_end
from tests.adapters.dashboard.support import link_for, program_id, serving


async def page_of(console: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, owner: str) -> str:
    token = await link_for(console, owner)
    pilot = await program_id(uow_factory, "Pilot")
    async with serving(console, uow_factory) as served, aiohttp.ClientSession() as http:
        async with http.get(
            served.url(f"/dashboard/open/{token}"), allow_redirects=False
        ) as response:
            cookie = response.cookies[COOKIE].value
        async with http.get(
            served.url(f"/dashboard/programs/{pilot}/outcomes"),
            headers={"Cookie": f"{COOKIE}={cookie}"},
        ) as response:
            assert response.status == 200
            return html.unescape(await response.text())


def figure(body: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', body)
    assert found, name
    return found.group(1)


def topic_row(body: str, topic: str) -> list[str]:
    row = re.search(rf"<tr><th scope=\"row\">{re.escape(topic)}</th>(.*?)</tr>", body)
    assert row, topic
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_outcomes_show_the_report_figures_with_their_answers(
    make_console, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console: ConsoleSession = make_console()
    await run_program_to_its_end(console, uow_factory)
    body = await page_of(console, uow_factory, "hr")
    assert "No one has answered the end-of-program evaluation yet." in body

    await answer(console, "alice", "4 4", "5", "10", "I speak up in meetings", "1", "1")
    await answer(console, "bob", "3 4", "4", "6", "none", "1", "2")
    await answer(console, "dan", "4 4 3 3 5 3", "3", "9", "More patient with juniors", "2", "1")
    await answer(console, "erin", "2 2 1", "4", "8", "I use dashboards now", "1", "2")
    restarted = make_console(clock=VirtualClock(console.clock.now()))
    body = await page_of(restarted, uow_factory, "hr")

    assert (figure(body, "skill_progressed"), figure(body, "skill_people")) == ("3", "4")
    # Public speaking: alice 2 → 4, dan 2 → 4; privacy: erin 3 → 2.
    public_speaking = topic_row(body, "Public speaking")
    assert public_speaking[:4] == ["2", "2.0", "4.0", "+2.0"]
    assert "too few answers to conclude" in public_speaking[4]
    assert topic_row(body, "Online privacy and e-reputation")[:4] == ["1", "3.0", "2.0", "-1.0"]
    # Four answers: satisfaction (5 + 4 + 3 + 4) / 4, NPS 2 promoters − 1 detractor of 4.
    assert figure(body, "evaluations") == "4"
    assert figure(body, "satisfaction") == "4.0"
    assert figure(body, "nps") == "+25"
    assert "2 promoters, 1 detractor" in body
    assert figure(body, "continue") == "75%"
    assert body.count("too few answers to conclude") >= 3
    # Three people wrote what changed: anonymous unless shared (erin).
    assert "“I use dashboards now” — erin" in body
    assert "“More patient with juniors” — anonymous" in body
    assert "3 people wrote some" in body

    # In the owner's language.
    await restarted.run_line("@hr /tandem language fr")
    body = await page_of(restarted, uow_factory, "hr")
    assert "<h1>Résultats</h1>" in body
    assert "3 personnes sur 4 se notent plus haut qu'au début." in body.replace(
        '<span data-figure="skill_progressed">3</span>', "3"
    ).replace('<span data-figure="skill_people">4</span>', "4")
    assert topic_row(body, "Public speaking")[:4] == ["2", "2,0", "4,0", "+2,0"]
    assert figure(body, "nps") == "+25" and "trop peu de réponses pour conclure" in body
    assert "« I use dashboards now » — erin" in body
