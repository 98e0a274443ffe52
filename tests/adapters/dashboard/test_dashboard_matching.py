"""The matching page over real HTTP: the proposal with each pair's explanation, and the owner's
actions (propose, swap, exclude, include, rerun, approve) run by the engine exactly as the chat
commands are, on the cohort of tests/scripts/matching_en.txt (SQLite and PostgreSQL).

The cohort, as the chat's own matching tests read it: alice is the only mentor bob (French
only) can talk with; erin privately avoids dan, so carl; fay finds every compatible mentor full;
hank, gus and dan have nobody compatible.
"""

from __future__ import annotations

import re

import aiohttp
import pytest

from adapters.console.session import ConsoleSession
from adapters.dashboard.app import COOKIE
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.dashboard.support import Served, link_for, program_id, serving
from tests.console_support import run_script, said

PARTICIPANTS = ("alice", "dan", "carl", "gus", "bob", "erin", "fay", "hank")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@pytest.fixture
async def cohort(make_console) -> ConsoleSession:
    console: ConsoleSession = make_console()
    await run_script(console, "matching_en.txt")
    return console


class Owner:
    """A browser's view of the dashboard: the session cookie, the form token, the pages."""

    def __init__(self, served: Served, http: aiohttp.ClientSession, program: str) -> None:
        self.served, self.http, self.base = served, http, program
        self.csrf = ""

    async def open(self, token: str) -> None:
        async with self.http.get(
            self.served.url(f"/dashboard/open/{token}"), allow_redirects=False
        ) as response:
            assert response.status == 303
            self.base = response.headers["Location"].rstrip("/")
            cookie = response.cookies[COOKIE].value
        self.http.cookie_jar.update_cookies({COOKIE: cookie})
        # aiohttp keeps a cookie for its path only: send it on every request, as a browser does.
        self.http.headers["Cookie"] = f"{COOKIE}={cookie}"

    async def page(self, query: str = "") -> tuple[int, str]:
        async with self.http.get(self.served.url(f"{self.base}/matching{query}")) as response:
            body = await response.text()
        found = CSRF.search(body)
        self.csrf = found.group(1) if found else self.csrf
        return response.status, body

    async def act(self, action: str, *people: str, csrf: str | None = None) -> tuple[int, str, str]:
        """Posts an action as the page's form does; returns the status, where it led, the body."""
        form = [("csrf", self.csrf if csrf is None else csrf), ("action", action)]
        form += [("person", person) for person in people]
        async with self.http.post(
            self.served.url(f"{self.base}/matching"), data=form, allow_redirects=False
        ) as response:
            return response.status, response.headers.get("Location", ""), await response.text()


def pairs_of(body: str) -> list[tuple[str, str]]:
    rows = re.findall(r"<tr data-pair>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", body)
    return [(mentor, mentee) for mentor, mentee in rows]


async def test_an_owner_reviews_changes_and_approves_a_proposal(
    cohort: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    token = await link_for(cohort)
    before = {name: len(cohort.received_by(name)) for name in PARTICIPANTS}
    async with serving(cohort, uow_factory) as served, aiohttp.ClientSession() as http:
        owner = Owner(served, http, "")
        await owner.open(token)
        status, body = await owner.page()
        assert status == 200
        assert "No matching proposal is under review" in body
        assert 'aria-current="page">Matching' in body

        status, location, _ = await owner.act("propose")
        assert (status, location.endswith("/matching?done=propose")) == (303, True)
        status, body = await owner.page("?done=propose")
        assert "A new proposal is ready" in body
        assert pairs_of(body) == [("alice", "bob"), ("carl", "erin")]
        # Each pair's explanation, in the chat's words (the same templates).
        assert (
            "Social networks and personal branding (LinkedIn, X, Instagram) "
            "(alice 5/5, bob priority 5/5)"
        ) in body
        assert "bob's goal: skill up on the tools" in body
        assert "In return bob can teach: Public speaking (3/5)" in body
        assert "Checked: a shared language, at least 2 h of working time in common" in body
        assert "fay (mentee): every compatible mentor is full (1 mentee each)" in body
        assert "hank (mentee): no compatible mentor" in body

        status, _, _ = await owner.act("swap", "bob", "fay")
        assert status == 303
        _, body = await owner.page()
        assert pairs_of(body) == [("alice", "fay"), ("carl", "erin")]

        # The engine's own refusal, in the owner's language, and nothing changed.
        status, _, body = await owner.act("swap", "alice", "carl")
        assert status == 400
        assert "Nothing was changed." in body and "I can&#39;t swap alice and carl" in body
        assert pairs_of(body) == [("alice", "fay"), ("carl", "erin")]
        # A form sent half filled says how to fill it.
        status, _, body = await owner.act("swap", "alice")
        assert status == 400 and "Choose two different people" in body
        status, _, body = await owner.act("exclude")
        assert status == 400 and "Choose at least one person" in body
        status, _, body = await owner.act("delete-everything")
        assert status == 400 and "This action does not exist" in body

        await owner.act("exclude", "carl")
        _, body = await owner.page()
        assert pairs_of(body) == [("alice", "fay")]
        assert re.search(r'<ul id="excluded"><li>carl \(mentor\)</li></ul>', body)
        await owner.act("include", "carl")
        await owner.act("rerun")
        _, body = await owner.page()
        assert '<ul id="excluded">' not in body
        assert pairs_of(body) == [("alice", "bob"), ("carl", "erin")]

        # Without the form token nothing happens.
        status, _, _ = await owner.act("approve", csrf="")
        assert status == 403
        # Reviewing told nobody anything.
        assert {name: len(cohort.received_by(name)) for name in PARTICIPANTS} == before

        status, location, _ = await owner.act("approve")
        assert (status, location.endswith("?done=approve")) == (303, True)
        _, body = await owner.page("?done=approve")
        assert "Approved: the pairs were created" in body
        assert "No matching proposal is under review" in body
        async with http.get(served.url(f"{owner.base}/pairs")) as response:
            pairs_page = await response.text()
        assert re.findall(r"<tr data-pair[^>]*>\s*<td><a [^>]*>([^<]*)</a>", pairs_page) == [
            "alice",
            "carl",
        ]

    # The chat side: the owner's approval kicked the pairs off, and told the unmatched kindly.
    await cohort.deliver()
    for name in ("alice", "bob", "carl", "erin", "fay"):
        assert len(cohort.received_by(name)) > before[name], name
    assert any("carl" in text for text in cohort.received_by("erin")[before["erin"] :])
    assert any(
        "could not find you the right mentor" in text
        for text in cohort.received_by("hank")[before["hank"] :]
    )
    # And the chat sees the same state: nothing left to approve.
    answer = await said(cohort, "@hr /tandem match approve")
    assert "There is no matching proposal under review" in answer


async def test_another_owner_cannot_act_on_the_matching(
    cohort: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await cohort.run_line("@hr /tandem match")
    await cohort.run_line('@zoe /tandem program new "Other"')
    other = await link_for(cohort, "zoe")
    async with serving(cohort, uow_factory) as served, aiohttp.ClientSession() as http:
        intruder = Owner(served, http, "")
        await intruder.open(other)
        await intruder.page()
        intruder.base = f"/dashboard/programs/{await program_id(uow_factory, 'Pilot')}"
        status, _ = await intruder.page()
        assert status == 404
        status, _, _ = await intruder.act("approve")
        assert status == 404
    answer = await said(cohort, "@hr /tandem match approve")
    assert "Approved: 2 pairs created" in answer
