"""Installing Tandem in several Slack workspaces and an Enterprise Grid organisation: the real
web app's /slack/install and /slack/oauth_redirect, Slack's oauth.v2.access faked locally."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.slack.oauth import manifest_scopes
from storage import tables
from tests.adapters.slack.oauth_world import OAuthWorld, organisation, team
from tests.fakes.slack_oauth import CLIENT_ID, DOCUMENTED_FIELDS, FakeOAuth, Grant


async def _installations(world: OAuthWorld) -> list[tuple[str, str, bool, str]]:
    """(enterprise, team, org-wide, bot token as stored) of every stored installation."""
    async with world.runtime.uow_factory() as uow:
        rows = await uow.session.execute(  # type: ignore[attr-defined]
            sa.select(tables.slack_installation).order_by(tables.slack_installation.c.id)
        )
        return [
            (row.enterprise_id, row.team_id, row.is_enterprise_install, row.bot_token)
            for row in rows
        ]


def _store(world: OAuthWorld):  # type: ignore[no-untyped-def]
    assert world.runtime.slack is not None and world.runtime.slack.oauth is not None
    return world.runtime.slack.oauth.installations


async def test_two_workspaces_and_a_grid_organisation_install_tandem(
    oauth_slack: OAuthWorld,
) -> None:
    started = await oauth_slack.begin_install()
    # Straight to Slack's consent page, asking for the manifest's scopes, with a state that
    # the browser also holds in a cookie.
    assert started.response.status == 302
    location = started.response.headers["Location"]
    assert location.startswith("https://slack.com/oauth/v2/authorize?")
    assert f"client_id={CLIENT_ID}" in location
    assert started.scopes == manifest_scopes()
    assert started.state and started.cookie == started.state

    for grant, name in (
        (team("TACME", "Acme"), "Acme"),
        (team("TGLOBEX", "Globex"), "Globex"),
        (organisation("EMEGA", "Megacorp"), "Megacorp"),
    ):
        page = await oauth_slack.install(grant)
        assert page.status == 200
        assert f"Tandem is installed in {name}" in await page.text()

    stored = await _installations(oauth_slack)
    assert [(e, t, org) for e, t, org, _ in stored] == [
        ("", "TACME", False),
        ("", "TGLOBEX", False),
        ("EMEGA", "", True),
    ]
    # Tokens are encrypted at rest: no token Slack issued appears in the database.
    issued = set(oauth_slack.fake.oauth.tokens)
    assert len(issued) == 3
    assert not issued & {token for *_, token in stored}
    assert all(token.startswith("gAAAA") for *_, token in stored)
    # …and read back as issued, each for its own workspace.
    store = _store(oauth_slack)
    acme = await store.async_find_installation(enterprise_id=None, team_id="TACME")
    grid = await store.async_find_installation(
        enterprise_id="EMEGA", team_id="TANYTEAM", is_enterprise_install=True
    )
    assert acme is not None and grid is not None
    assert oauth_slack.fake.oauth.grant_of(acme.bot_token).team == {"id": "TACME", "name": "Acme"}
    assert oauth_slack.fake.oauth.grant_of(grid.bot_token).is_enterprise_install
    assert (grid.enterprise_name, grid.bot_id, grid.user_id) == ("Megacorp", "BBOT", "UINSTALL1")


async def test_a_missing_forged_or_reused_state_installs_nothing(oauth_slack: OAuthWorld) -> None:
    fake = oauth_slack.fake.oauth
    # No state at all (a link typed by hand, a crafted redirect).
    missing = await oauth_slack.come_back(code=fake.consent(team("T1")), state=None, cookie=None)
    # A state made up, with a cookie made up to match it.
    forged = await oauth_slack.come_back(
        code=fake.consent(team("T1")), state="forged-state", cookie="forged-state"
    )
    # A real state, but in another browser than the one that began (no cookie).
    started = await oauth_slack.begin_install()
    other_browser = await oauth_slack.come_back(
        code=fake.consent(team("T1")), state=started.state, cookie=None
    )
    for response in (missing, forged, other_browser):
        assert 400 <= response.status < 500
        page = await response.text()
        assert "Tandem could not be installed" in page
        assert "Start again from the install link" in page
    assert await _installations(oauth_slack) == []
    # Slack was never asked to exchange those codes.
    assert oauth_slack.fake.calls["oauth.v2.access"] == 0

    # Used once, the state is gone: the same redirect again installs nothing more.
    started = await oauth_slack.begin_install()
    first = await oauth_slack.come_back(
        code=fake.consent(team("T1", "Acme")), state=started.state, cookie=started.cookie
    )
    assert first.status == 200
    again = await oauth_slack.come_back(
        code=fake.consent(team("T2", "Globex")),
        state=started.state,
        cookie=started.cookie,
        **{},
    )
    assert again.status == 401
    assert "already used" in await again.text()
    assert [t for _, t, _, _ in await _installations(oauth_slack)] == ["T1"]
    assert oauth_slack.fake.calls["oauth.v2.access"] == 1


async def test_the_page_speaks_the_installers_language(oauth_slack: OAuthWorld) -> None:
    response = await oauth_slack.http.get(
        "/slack/oauth_redirect", params={"code": "x"}, headers={"Accept-Language": "fr-FR,fr"}
    )
    assert response.status == 400
    page = await response.text()
    assert '<html lang="fr">' in page
    assert "Tandem n'a pas pu être installé" in page


async def test_an_install_cancelled_on_slacks_page_installs_nothing(
    oauth_slack: OAuthWorld,
) -> None:
    started = await oauth_slack.begin_install()
    response = await oauth_slack.come_back(
        code=None, state=started.state, cookie=started.cookie, error="access_denied"
    )
    assert "The installation was cancelled in Slack" in await response.text()
    assert await _installations(oauth_slack) == []
    # An oversized state is refused like any unknown one.
    huge = "x" * 5000
    refused = await oauth_slack.come_back(code="c", state=huge, cookie=huge)
    assert refused.status == 401
    assert await _installations(oauth_slack) == []


async def test_a_code_slack_refuses_installs_nothing(oauth_slack: OAuthWorld) -> None:
    started = await oauth_slack.begin_install()
    response = await oauth_slack.come_back(
        code="made-up-code", state=started.state, cookie=started.cookie
    )
    assert response.status == 401
    assert "Slack did not confirm the installation" in await response.text()
    assert await _installations(oauth_slack) == []


def test_the_fake_answers_with_the_fields_slack_documents() -> None:
    """oauth.v2.access's answer, held to the fields the Slack SDKs document for it (not only
    to what the app reads), for a workspace, an org-wide install and a refresh."""
    fake = FakeOAuth(rotation=True, expires_in=43200)
    auth = {"client_id": CLIENT_ID, "client_secret": "e1b9e11dfcd19c1982d5de12921e17e8c"}
    answers = [
        fake.access("", {**auth, "code": fake.consent(team("T1", "Acme"))}),
        fake.access("", {**auth, "code": fake.consent(organisation("E1", "Mega"))}),
    ]
    answers.append(
        fake.access(
            "",
            {**auth, "grant_type": "refresh_token", "refresh_token": answers[0]["refresh_token"]},
        )
    )
    for answer in answers:
        assert answer["ok"] is True
        assert set(answer) <= DOCUMENTED_FIELDS, set(answer) - DOCUMENTED_FIELDS
        assert answer["token_type"] == "bot"
        assert isinstance(answer["expires_in"], int)
        assert answer["refresh_token"].startswith("xoxe-")
        for place in ("team", "enterprise"):
            assert answer[place] is None or set(answer[place]) == {"id", "name"}
    assert answers[1]["team"] is None and answers[1]["is_enterprise_install"] is True
    assert answers[0]["authed_user"] == {"id": "UINSTALL1"}
    # A refresh token is good once; a code too.
    used = {**auth, "grant_type": "refresh_token", "refresh_token": answers[0]["refresh_token"]}
    assert fake.access("", used) == {"ok": False, "error": "invalid_refresh_token"}
    assert fake.access("", {**auth, "code": "used"})["error"] == "invalid_code"
    assert fake.access("", {"client_id": CLIENT_ID, "client_secret": "wrong"})["error"] == (
        "bad_client_secret"
    )
    assert Grant(team=None).installer == "UINSTALL1"
