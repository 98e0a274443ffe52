"""The pairs' and people's tables page by page over real HTTP: each page shows its rows, in the
table's order, with every figure and flag, whatever the sort or filter (one row a page here)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from adapters.console.session import ConsoleSession
from adapters.dashboard import listing
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.dashboard.support import link_for, program_id, seed, serving
from tests.adapters.dashboard.test_dashboard_http import fetch, open_session

PAIR_ROW = re.compile(r'<tr data-pair="\d+">(.*?)</tr>', re.S)
PERSON_ROW = re.compile(r"<tr>\n<td>([^<]*)</td>")


def pair_rows(body: str) -> list[tuple[str, str, bool]]:
    """(mentor, sessions / target, flagged unreachable) a row, in the table's order."""
    rows = []
    for row in PAIR_ROW.findall(body):
        mentor = re.search(r"<a [^>]*>([^<]*)</a>", row)
        sessions = re.search(r'data-figure="sessions">([^<]*)<', row)
        assert mentor and sessions, row
        rows.append((mentor.group(1), sessions.group(1), "unreachable" in row))
    return rows


def people_rows(body: str) -> list[str]:
    table = body[body.index('<table id="people">') :]
    return PERSON_ROW.findall(table[: table.index("</table>")])


@pytest.fixture
async def program(make_console, uow_factory: SqlUnitOfWorkFactory) -> ConsoleSession:
    console = make_console()
    await seed(console)
    return console


async def test_each_page_of_pairs_shows_its_rows_complete(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    # Messages no longer reach erin: dan and erin's pair is flagged.
    async with uow_factory.engine.begin() as connection:
        await connection.execute(
            sa.update(tables.person)
            .where(tables.person.c.user_id == "erin")
            .values(unreachable=True)
        )
    pilot = await program_id(uow_factory, "Pilot")
    token = await link_for(program)
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)

        async def shown(query: str) -> list[tuple[str, str, bool]]:
            response, body = await fetch(
                served, f"/dashboard/programs/{pilot}/pairs?{query}", session
            )
            assert response.status == 200, query
            return pair_rows(body)

        # By mentor (the default): alice's pair, then dan's, each with its figures and flags.
        assert await shown("page=1") == [("alice", "2 / 6", False)]
        assert await shown("page=2") == [("dan", "1 / 6", True)]
        # Past the end: the last page.
        assert await shown("page=9") == [("dan", "1 / 6", True)]
        assert await shown("sort=mentor&dir=desc&page=1") == [("dan", "1 / 6", True)]
        # By a figure, and by the flags: the whole list is ordered before it is cut.
        assert await shown("sort=sessions&dir=asc&page=1") == [("dan", "1 / 6", True)]
        assert await shown("sort=sessions&dir=desc&page=1") == [("alice", "2 / 6", False)]
        assert await shown("sort=flags&dir=desc&page=1") == [("dan", "1 / 6", True)]
        assert await shown("flag=unreachable&sort=mentor&page=1") == [("dan", "1 / 6", True)]
        assert await shown("flag=unreachable&sort=mentor&page=2") == [("dan", "1 / 6", True)]
        assert await shown("q=ALI&page=1") == [("alice", "2 / 6", False)]
        assert await shown("status=ended") == []


MESSAGE_STATES = ("delivered", "waiting", "retrying", "failed", "never_opened", "not_reached")


async def test_each_page_of_people_follows_the_names(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    pilot = await program_id(uow_factory, "Pilot")
    token = await link_for(program)
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)
        seen = []
        messages_figures = []
        for page in (1, 2, 3):
            _, body = await fetch(
                served, f"/dashboard/programs/{pilot}/people?page={page}", session
            )
            seen += people_rows(body)
            # The reach counts everyone, whichever page is shown: five invited, frank has not
            # answered, the four others joined and are paired.
            figures = dict(re.findall(r'data-figure="([a-z_]+)">(\d+)<', body))
            messages_figures.append(
                {name: figures.pop(name) for name in MESSAGE_STATES if name in figures}
            )
            assert figures == {
                "invited": "5",
                "answered": "4",
                "enrolled": "4",
                "questionnaire": "4",
                "paired": "4",
                "paused": "0",
                "left": "0",
            }
            assert "have not answered the invitation (1)" in body
        assert seen == ["alice", "bob", "dan", "erin", "frank"]
        # So do the messages owed to them: the same figures on every page, nothing failed.
        assert messages_figures[0].keys() == set(MESSAGE_STATES)
        assert messages_figures[0]["failed"] == "0" and int(messages_figures[0]["delivered"]) > 0
        assert messages_figures == [messages_figures[0]] * 3
        _, body = await fetch(served, f"/dashboard/programs/{pilot}/people?page=7", session)
        assert people_rows(body) == ["frank"]
        _, body = await fetch(
            served, f"/dashboard/programs/{pilot}/people?show=not_answered&page=2", session
        )
        assert people_rows(body) == ["frank"]
