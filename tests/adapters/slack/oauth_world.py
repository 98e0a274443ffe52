"""Slack installed in several workspaces: the real web app in OAuth mode, an installer's
browser going through /slack/install and Slack's consent page, and people of several teams
(and Enterprise Grid organisations) whose requests carry their own team."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse

from aiohttp import ClientResponse

from bot.settings import Settings
from storage.token_cipher import TokenCipher
from tests.adapters.slack.payloads import SIGNING_SECRET, signed_headers
from tests.adapters.slack.world import SlackWorld
from tests.fakes.slack_oauth import CLIENT_ID, CLIENT_SECRET, Grant

COOKIE = "slack-app-oauth-state"
KEY = TokenCipher.new_key()


def oauth_settings(database_url: str, api_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "tandem_locale": "en",
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": api_url,
        "tandem_encryption_keys": KEY,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def team(team_id: str, name: str = "") -> Grant:
    return Grant(team={"id": team_id, "name": name or team_id})


def organisation(enterprise_id: str, name: str = "") -> Grant:
    """An org-wide install of an Enterprise Grid organisation."""
    return Grant(
        team=None,
        enterprise={"id": enterprise_id, "name": name or enterprise_id},
        is_enterprise_install=True,
    )


@dataclass
class Started:
    """What the installer's browser holds after /slack/install: Slack's consent URL, the
    state in it and the state's cookie."""

    response: ClientResponse
    state: str
    cookie: str
    scopes: list[str]


@dataclass
class OAuthWorld(SlackWorld):
    # user -> (team, organisation, org-wide install): what their requests say of where they are.
    homes: dict[str, tuple[str, str | None, bool]] = field(default_factory=dict)

    def lives_in(
        self, user: str, team_id: str, enterprise: str | None = None, *, org_wide: bool = False
    ) -> None:
        """``org_wide``: the organisation installed the app org-wide (requests say so)."""
        self.homes[user] = (team_id, enterprise, org_wide)
        self.fake.oauth.members[user] = team_id
        if enterprise:
            self.fake.oauth.organisations[team_id] = enterprise

    async def begin_install(self) -> Started:
        response = await self.http.get("/slack/install", allow_redirects=False)
        location = urlparse(response.headers.get("Location", ""))
        query = parse_qs(location.query)
        cookie = ""
        for header in response.headers.getall("Set-Cookie", []):
            name, _, rest = header.partition("=")
            if name.strip() == COOKIE:
                cookie = rest.split(";", 1)[0]
        state = (query.get("state") or [""])[0]
        scopes = (query.get("scope") or [""])[0].split(",")
        return Started(response, state, cookie, scopes)

    async def come_back(
        self, *, code: str | None, state: str | None, cookie: str | None, **extra: str
    ) -> ClientResponse:
        """Slack's redirect to /slack/oauth_redirect, in the installer's browser."""
        query = {"code": code, "state": state, **extra}
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie is not None else {}
        params = {name: value for name, value in query.items() if value is not None}
        return await self.http.get("/slack/oauth_redirect", params=params, headers=headers)

    async def install(self, grant: Grant) -> ClientResponse:
        started = await self.begin_install()
        code = self.fake.oauth.consent(grant)
        return await self.come_back(code=code, state=started.state, cookie=started.cookie)

    async def post(
        self, body: str, content_type: str, extra: dict[str, str] | None = None
    ) -> ClientResponse:
        body = self._placed(body, content_type)
        headers = {**signed_headers(body, content_type), **(extra or {})}
        return await self.http.post("/slack/events", data=body.encode(), headers=headers)

    def _placed(self, body: str, content_type: str) -> str:
        """The request as Slack sends it from the speaker's own team (and organisation)."""
        if content_type == "application/json":
            event = json.loads(body)
            home = self.homes.get(str((event.get("event") or {}).get("user", "")))
            if home is not None:
                _event_from(event, *home)
            return json.dumps(event)
        fields = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" in fields:
            payload = json.loads(fields["payload"])
            home = self.homes.get(str((payload.get("user") or {}).get("id", "")))
            if home is not None:
                _interaction_from(payload, *home)
            fields["payload"] = json.dumps(payload)
        else:
            home = self.homes.get(fields.get("user_id", ""))
            if home is not None:
                team_id, enterprise, org_wide = home
                fields["team_id"] = team_id
                fields["is_enterprise_install"] = "true" if org_wide else "false"
                if enterprise:
                    fields["enterprise_id"] = enterprise
                    fields["enterprise_name"] = enterprise
        return urlencode(fields)


def _event_from(body: dict[str, Any], team_id: str, enterprise: str | None, org_wide: bool) -> None:
    body["team_id"] = team_id
    if enterprise:
        body["enterprise_id"] = enterprise
    body["authorizations"] = [
        {
            "enterprise_id": enterprise,
            "team_id": None if org_wide else team_id,
            "user_id": "UBOT",
            "is_bot": True,
            "is_enterprise_install": org_wide,
        }
    ]


def _interaction_from(
    body: dict[str, Any], team_id: str, enterprise: str | None, org_wide: bool
) -> None:
    body["user"]["team_id"] = team_id
    body["team"] = {"id": team_id, "domain": team_id.lower()}
    if enterprise:
        body["team"]["enterprise_id"] = enterprise
        body["enterprise"] = {"id": enterprise, "name": enterprise}
    body["is_enterprise_install"] = org_wide
    if isinstance(body.get("view"), dict):
        body["view"]["team_id"] = team_id
