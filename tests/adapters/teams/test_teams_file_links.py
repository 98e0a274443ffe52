"""Teams: a calendar invitation goes as a download link from the bot's own server (Teams opens
no inline calendar file). The link serves the .ics over real HTTP; a cut, altered or expired
link gets a clear refusal in the browser's language, never the file and never a 500."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer, unused_port
from icalendar import Calendar

from adapters.web import make_app
from bot.clock import VirtualClock
from bot.main import build_runtime
from tests.adapters.teams.conftest import teams_settings
from tests.adapters.teams.world import MENTEE, MENTOR, TeamsWorld, play, received, seed_pair
from tests.console_support import START
from tests.fakes.bot_connector import FakeBotConnector

LINK = re.compile(r"https?://\S+/files/\S+")


@pytest.fixture
async def linked(migrated_url: str, fake_connector: FakeBotConnector) -> AsyncIterator[TeamsWorld]:
    """The Teams world served at a known address, with a link secret set."""
    port = unused_port()
    settings = teams_settings(
        migrated_url,
        fake_connector.url,
        public_url=f"http://127.0.0.1:{port}",
        tandem_link_secret="test-link-secret",
    )
    runtime = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        server = TestServer(make_app(runtime.slack, runtime.teams), port=port)
        async with TestClient(server) as http:
            yield TeamsWorld(http, fake_connector, runtime)
    finally:
        await runtime.close()


def links_to(teams: TeamsWorld, user: str) -> list[str]:
    return [match for text in received(teams, user) for match in LINK.findall(text)]


async def test_the_invitation_is_a_link_that_downloads_the_ics(linked: TeamsWorld) -> None:
    await seed_pair(linked)
    await play(linked, [(MENTEE, "help"), (MENTOR, "help")])
    await play(linked, [(MENTOR, "session plan 2026-11-25 10:00")])
    for user in (MENTOR, MENTEE):
        # No inline file Teams would show as a dead paper clip.
        for sent in linked.fake.to(linked.conversation(user)):
            for file in sent.activity.get("attachments") or ():
                assert file.get("contentType") != "text/calendar"
        (link,) = links_to(linked, user)
        async with ClientSession() as browser, browser.get(link) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/calendar")
            assert "attachment" in response.headers["Content-Disposition"]
            assert "no-store" in response.headers["Cache-Control"]
            calendar = Calendar.from_ical(await response.read())
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == "tandem-session-1@tandem.invalid"
        # Written in the organiser's zone: the mentor works from New York.
        assert str(event["DTSTART"].params["TZID"]) == "America/New_York"


async def test_altered_cut_or_expired_links_are_refused_in_the_readers_language(
    linked: TeamsWorld,
) -> None:
    await seed_pair(linked)
    await play(linked, [(MENTEE, "help"), (MENTOR, "help")])
    await play(linked, [(MENTOR, "session plan 2026-11-25 10:00")])
    (link,) = links_to(linked, MENTOR)
    base, token = link.rsplit("/", 1)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    async with ClientSession() as browser:
        for bad, language, words in (
            (f"{base}/{altered}", "fr-FR,fr;q=0.9", "Ce lien n'est pas valable"),
            (f"{base}/{token[: len(token) // 2]}", "en-GB", "This link is not valid"),
            (f"{base}/%00%ff<script>", "en", "This link is not valid"),
            (f"{base}/{'x' * 5000}", "de", "This link is not valid"),
        ):
            async with browser.get(bad, headers={"Accept-Language": language}) as response:
                assert response.status == 404
                assert words in await response.text()
                assert "BEGIN:VCALENDAR" not in await response.text()
    # The same link once its lifetime has passed (shortened here to one second).
    assert linked.runtime.teams is not None and linked.runtime.teams.links is not None
    linked.runtime.teams.links.lifetime = timedelta(seconds=1)
    await asyncio.sleep(2.1)
    async with (
        ClientSession() as browser,
        browser.get(link, headers={"Accept-Language": "fr"}) as response,
    ):
        assert response.status == 410
        assert "Ce lien a expiré" in await response.text()
