"""The dashboard's security rules, over real HTTP into the app's own server: one-time links,
the session cookie, another owner's program, the headers, escaping, the form token."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
import pytest

from adapters.console.session import ConsoleSession
from adapters.dashboard.app import COOKIE
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.adapters.dashboard.support import (
    HOSTILE,
    Served,
    link_for,
    program_id,
    rename,
    seed,
    serving,
)
from tests.console_support import said

HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def assert_protected(response: aiohttp.ClientResponse) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.url)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy, "no script may run in the dashboard"


async def fetch(
    served: Served, path: str, cookie: str | None = None, language: str = ""
) -> tuple[aiohttp.ClientResponse, str]:
    headers = {"Accept-Language": language} if language else {}
    if cookie is not None:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    async with (
        aiohttp.ClientSession() as http,
        http.get(served.url(path), headers=headers, allow_redirects=False) as response,
    ):
        body = await response.text()
    assert_protected(response)
    return response, body


async def open_session(served: Served, token: str) -> tuple[str, str]:
    """Opens the link; returns the session cookie's value and where it sent the browser."""
    response, _ = await fetch(served, f"/dashboard/open/{token}")
    assert response.status == 303
    morsel = response.cookies[COOKIE]
    return morsel.value, response.headers["Location"]


@pytest.fixture
async def program(make_console, uow_factory: SqlUnitOfWorkFactory) -> ConsoleSession:
    console = make_console()
    await seed(console)
    return console


async def test_a_link_opens_one_session_once(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    text = await said(program, "@hr /tandem dashboard")
    assert "http://localhost:3000/dashboard/open/" in text and "10 minutes" in text
    token = re.search(r"/dashboard/open/(\S+)", text).group(1)  # type: ignore[union-attr]
    assert len(token) >= 43, "at least 256 bits, URL-safe"
    async with serving(program, uow_factory) as served:
        response, _ = await fetch(served, f"/dashboard/open/{token}")
        assert response.status == 303
        pilot = await program_id(uow_factory, "Pilot")
        assert response.headers["Location"] == f"/dashboard/programs/{pilot}/"
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dashboard" in cookie
        assert "Max-Age=28800" in cookie and "Secure" not in cookie
        session = response.cookies[COOKIE].value
        assert session != token

        page, body = await fetch(served, f"/dashboard/programs/{pilot}/", session)
        assert page.status == 200 and "<h1>Pilot</h1>" in body

        again, body = await fetch(served, f"/dashboard/open/{token}")
        assert again.status == 410 and "already used" in body
        assert COOKIE not in again.cookies and "Pilot" not in body


async def test_the_database_keeps_only_hashes(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    token = await link_for(program)
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)
    async with uow_factory() as uow:
        data = await uow.personal_data(await _person(uow_factory, "hr"))
    stored = repr(data["dashboard_link"]) + repr(data["dashboard_session"])
    assert data["dashboard_link"] and data["dashboard_session"]
    assert token not in stored and session not in stored


async def _person(uow_factory: SqlUnitOfWorkFactory, user_id: str) -> int:
    import sqlalchemy as sa

    from storage import tables

    async with uow_factory.engine.connect() as connection:
        found = await connection.scalar(
            sa.select(tables.person.c.id).where(tables.person.c.user_id == user_id)
        )
    return int(found)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "This link has expired"), ("fr", "Ce lien a expiré")],
)
async def test_an_expired_link_opens_nothing_in_the_owner_language(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, locale: str, expected: str
) -> None:
    await program.run_line(f"@hr /tandem language {locale}")
    token = await link_for(program)
    program.clock.advance(timedelta(minutes=10, seconds=1))
    async with serving(program, uow_factory) as served:
        response, body = await fetch(served, f"/dashboard/open/{token}")
    assert response.status == 410 and expected in body
    assert COOKIE not in response.cookies and "Pilot" not in body


async def test_a_link_within_ten_minutes_still_opens(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    token = await link_for(program)
    program.clock.advance(timedelta(minutes=9, seconds=59))
    async with serving(program, uow_factory) as served:
        await open_session(served, token)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr-FR,fr;q=0.9", "Ce lien n'a pas été donné par Tandem"), ("en", "not one Tandem gave")],
)
async def test_a_forged_link_gets_a_clear_page_and_nothing_else(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, language: str, expected: str
) -> None:
    token = await link_for(program)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    async with serving(program, uow_factory) as served:
        for path in (
            f"/dashboard/open/{forged}",
            "/dashboard/open/x",
            "/dashboard/open/" + "a" * 500,
        ):
            response, body = await fetch(served, path, language=language)
            assert response.status == 404, path
            assert COOKIE not in response.cookies
            assert "Pilot" not in body and "alice" not in body
        response, body = await fetch(served, f"/dashboard/open/{forged}", language=language)
        assert expected in body
        # The real link was not spent by the forgeries.
        await open_session(served, token)


async def test_every_page_needs_the_session_cookie(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    pilot = await program_id(uow_factory, "Pilot")
    pages = [
        "/dashboard/",
        f"/dashboard/programs/{pilot}/",
        f"/dashboard/programs/{pilot}/pairs",
        f"/dashboard/programs/{pilot}/people",
    ]
    token = await link_for(program)
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)
        for path in pages:
            for cookie in (None, "", "forged-session-value", token, "x" * 300):
                response, body = await fetch(served, path, cookie)
                assert response.status == 401, (path, cookie)
                assert "/tandem dashboard" in body and "alice" not in body
            response, _ = await fetch(served, path, session)
            assert response.status in (200, 303), path
        # A session lasts 8 hours.
        program.clock.advance(timedelta(hours=8, seconds=1))
        response, _ = await fetch(served, f"/dashboard/programs/{pilot}/", session)
        assert response.status == 401


async def test_another_owner_program_is_not_found(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await program.run_line("@zoe /tandem language en")
    await program.run_line('@zoe /tandem program new "Other"')
    other = await program_id(uow_factory, "Other")
    pilot = await program_id(uow_factory, "Pilot")
    hr_token, zoe_token = await link_for(program), await link_for(program, "zoe")
    async with serving(program, uow_factory) as served:
        hr, _ = await open_session(served, hr_token)
        zoe, where = await open_session(served, zoe_token)
        assert where == f"/dashboard/programs/{other}/"
        response, body = await fetch(served, f"/dashboard/programs/{pilot}/pairs", hr)
        pair_ids = re.findall(r'data-pair="(\d+)"', body)
        assert len(pair_ids) == 2
        for path in (
            f"/dashboard/programs/{pilot}/",
            f"/dashboard/programs/{pilot}/pairs",
            f"/dashboard/programs/{pilot}/people",
            f"/dashboard/programs/{pilot}/pairs/{pair_ids[0]}",
            f"/dashboard/programs/{other}/pairs/{pair_ids[0]}",
            "/dashboard/programs/999999/",
            "/dashboard/programs/99999999999999999999/",
            "/dashboard/nowhere",
        ):
            response, body = await fetch(served, path, zoe)
            assert response.status == 404, path
            assert "Page not found" in body and "alice" not in body and "Pilot" not in body
        response, body = await fetch(served, f"/dashboard/programs/{other}/", zoe)
        assert response.status == 200 and "Other" in body


WEEKS_TITLE = {"en": "Week by week since the start", "fr": "Semaine par semaine depuis le début"}
PAGE_TITLES = {
    "en": {"matching": "<h1>Matching</h1>", "outcomes": "<h1>Outcomes</h1>", "exports": "Exports"},
    "fr": {
        "matching": "<h1>Appariement</h1>",
        "outcomes": "<h1>Résultats</h1>",
        "exports": "Bilan imprimable",
    },
}


@pytest.mark.parametrize(
    ("locale", "pairs_title"), [("en", "<h1>Pairs</h1>"), ("fr", "<h1>Binômes</h1>")]
)
async def test_a_hostile_display_name_is_shown_as_text(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, locale: str, pairs_title: str
) -> None:
    await program.run_line(f"@hr /tandem language {locale}")
    await rename(uow_factory, "alice", HOSTILE)
    await rename(uow_factory, "frank", HOSTILE + " 2")
    pilot = await program_id(uow_factory, "Pilot")
    token = await link_for(program)
    # After the command: the console names its speakers after their handles at each line.
    await rename(uow_factory, "hr", "<b>HR</b>")
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)
        _, body = await fetch(served, f"/dashboard/programs/{pilot}/pairs", session)
        assert pairs_title in body
        escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Zoé"
        assert escaped in body and "<script" not in body
        assert "&lt;b&gt;HR&lt;/b&gt;" in body and "<b>" not in body
        _, body = await fetch(served, f"/dashboard/programs/{pilot}/people", session)
        assert escaped + " 2" in body and "<script" not in body
        _, overview = await fetch(served, f"/dashboard/programs/{pilot}/", session)
        assert "<script" not in overview
        assert WEEKS_TITLE[locale] in overview
        for page in ("matching", "outcomes", "exports"):
            response, body = await fetch(served, f"/dashboard/programs/{pilot}/{page}", session)
            assert response.status == 200 and "<script" not in body, page
            assert PAGE_TITLES[locale][page] in body, page
        _, pairs_body = await fetch(
            served, f"/dashboard/programs/{pilot}/pairs?q=zo%C3%A9", session
        )
        (pair_id,) = re.findall(r'data-pair="(\d+)"', pairs_body)
        _, detail = await fetch(served, f"/dashboard/programs/{pilot}/pairs/{pair_id}", session)
        assert escaped in detail and "<script" not in detail


async def test_signing_out_needs_the_form_token(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    pilot = await program_id(uow_factory, "Pilot")
    token = await link_for(program)
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)
        _, body = await fetch(served, f"/dashboard/programs/{pilot}/", session)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)  # type: ignore[union-attr]
        cookies = {"Cookie": f"{COOKIE}={session}"}
        async with aiohttp.ClientSession() as http:
            for form in ({}, {"csrf": ""}, {"csrf": "0" * len(csrf)}):
                async with http.post(
                    served.url("/dashboard/sign-out"), data=form, headers=cookies
                ) as response:
                    assert response.status == 403
                    assert_protected(response)
            still, _ = await fetch(served, f"/dashboard/programs/{pilot}/", session)
            assert still.status == 200, "a refused sign-out changes nothing"
            async with http.post(
                served.url("/dashboard/sign-out"), data={"csrf": csrf}, headers=cookies
            ) as response:
                assert response.status == 200 and "signed out" in await response.text()
        gone, _ = await fetch(served, f"/dashboard/programs/{pilot}/", session)
        assert gone.status == 401


async def test_the_cookie_is_secure_behind_https(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    token = await link_for(program)
    async with serving(program, uow_factory, public_url="https://tandem.example.com") as served:
        response, _ = await fetch(served, f"/dashboard/open/{token}")
    assert response.status == 303 and "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("locale", "line", "expected"),
    [
        ("en", "@bob /tandem dashboard", "The dashboard is for program owners"),
        ("fr", "@bob /tandem tableau-de-bord", "Le tableau de bord est réservé aux responsables"),
    ],
)
async def test_only_owners_get_a_link(
    program: ConsoleSession, locale: str, line: str, expected: str
) -> None:
    await program.run_line(f"@bob /tandem language {locale}")
    text = await said(program, line)
    assert expected in text and "/dashboard/open/" not in text


async def test_the_style_sheet_is_served_with_the_same_headers(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    async with serving(program, uow_factory) as served:
        response, body = await fetch(served, "/dashboard/style.css")
    assert response.status == 200 and response.content_type == "text/css" and "body" in body


async def test_malformed_requests_get_a_4xx_never_a_500(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    pilot = await program_id(uow_factory, "Pilot")
    token = await link_for(program)
    async with serving(program, uow_factory) as served:
        session, _ = await open_session(served, token)
        cookies = {"Cookie": f"{COOKIE}={session}"}
        odd = "?sort=__class__&dir=sideways&status=%00&flag=%ff&q=" + "x" * 5000
        response, body = await fetch(served, f"/dashboard/programs/{pilot}/pairs{odd}", session)
        assert response.status == 200 and "0 of 2 pairs shown" in body
        assert f'value="{"x" * 100}"' in body, "a search is cut to 100 characters"
        for path in ("/dashboard/programs/0/", "/dashboard/programs/-1/", "/dashboard/open/%00"):
            response, _ = await fetch(served, path, session)
            assert response.status == 404, path
        async with aiohttp.ClientSession() as http:
            url = served.url("/dashboard/sign-out")
            form = {**cookies, "Content-Type": "application/x-www-form-urlencoded"}
            async with http.post(url, data=b"x" * (3 * 1024 * 1024), headers=form) as response:
                assert response.status == 413
            async with http.post(url, data=b"x" * (3 * 1024 * 1024), headers=cookies) as response:
                assert response.status == 403
            async with http.post(url, data=b"\xff\xfe=%%%", headers=form) as response:
                assert response.status == 403
            async with http.put(served.url(f"/dashboard/programs/{pilot}/")) as response:
                assert response.status == 405
                assert_protected(response)
        still, _ = await fetch(served, f"/dashboard/programs/{pilot}/", session)
        assert still.status == 200


async def test_an_owner_of_several_programs_chooses_one(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    await program.run_line('@hr /tandem program new "Second"')
    second = await program_id(uow_factory, "Second")
    everything = await link_for(program)
    named = await link_for(program, line='@hr /tandem dashboard program: "Second"')
    async with serving(program, uow_factory) as served:
        session, where = await open_session(served, everything)
        assert where == "/dashboard/"
        response, body = await fetch(served, where, session)
        assert response.status == 200 and "Pilot" in body and "Second" in body
        _, where = await open_session(served, named)
        assert where == f"/dashboard/programs/{second}/"
    refused = await said(program, '@hr /tandem dashboard program: "Nowhere"')
    assert "/dashboard/open/" not in refused
