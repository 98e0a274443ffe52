"""The OAuth side of the fake Slack: what the consent page grants, ``oauth.v2.access`` (a code
for tokens, or a refresh token for new ones, with token rotation), and which token reaches whom.

Answers follow Slack's method reference (https://api.slack.com/methods/oauth.v2.access): the
client authenticates with HTTP Basic (or ``client_id``/``client_secret`` fields); a code is good
once; ``team`` and ``enterprise`` are ``{"id", "name"}`` or null (an org-wide install of an
Enterprise Grid organisation has no team and ``is_enterprise_install: true``); with token
rotation the answer carries ``refresh_token`` and ``expires_in`` (seconds), and the refresh
grant (``grant_type=refresh_token``) hands out a new pair, the old refresh token used up.
"""

from __future__ import annotations

import base64
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

CLIENT_ID = "2141029472.691202649728"
CLIENT_SECRET = "e1b9e11dfcd19c1982d5de12921e17e8c"
APP_ID = "A123456"
# Every field the Slack SDKs document for oauth.v2.access's answer (OauthV2AccessResponse).
DOCUMENTED_FIELDS = frozenset(
    {
        "ok",
        "access_token",
        "app_id",
        "authed_user",
        "bot_user_id",
        "enterprise",
        "error",
        "expires_in",
        "incoming_webhook",
        "is_enterprise_install",
        "needed",
        "provided",
        "refresh_token",
        "scope",
        "team",
        "token_type",
        "warning",
    }
)


@dataclass(frozen=True)
class Grant:
    """What an admin allows on Slack's consent page: the app in one team, or (Enterprise Grid,
    org-wide) in a whole organisation."""

    team: dict[str, str] | None
    enterprise: dict[str, str] | None = None
    is_enterprise_install: bool = False
    installer: str = "UINSTALL1"


@dataclass
class Issued:
    grant: Grant
    expires_at: float | None = None


@dataclass
class FakeOAuth:
    # Token rotation on in the app's settings: tokens expire after ``expires_in`` seconds.
    rotation: bool = False
    expires_in: int = 43200
    scope: str = ""
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Issued] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    # Tokens uninstalled or revoked: Slack answers ``token_revoked``.
    revoked: set[str] = field(default_factory=set)
    # Which team each user belongs to, and each team's organisation: a token of another team
    # cannot reach them (``user_not_found``). Users not listed are reachable by any token.
    members: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, str] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def consent(self, grant: Grant) -> str:
        """The code Slack puts in the redirect once the admin clicks Allow."""
        code = f"{next(self._numbers)}.4644010092847.232b4e6d82c333b4"
        self.codes[code] = grant
        return code

    def revoke_all(self, team: str | None = None, enterprise: str | None = None) -> None:
        for token, issued in self.tokens.items():
            grant = issued.grant
            if (team and (grant.team or {}).get("id") == team) or (
                enterprise and (grant.enterprise or {}).get("id") == enterprise
            ):
                self.revoked.add(token)

    def grant_of(self, token: str) -> Grant | None:
        issued = self.tokens.get(token)
        return issued.grant if issued else None

    def refusal(self, token: str) -> str | None:
        """Why a call with this bearer token is refused, or None."""
        issued = self.tokens.get(token)
        if issued is None:
            return "invalid_auth"
        if token in self.revoked:
            return "token_revoked"
        if issued.expires_at is not None and time.time() > issued.expires_at:
            return "token_expired"
        return None

    def reaches(self, token: str, user: str) -> bool:
        team = self.members.get(user)
        grant = self.grant_of(token)
        if team is None or grant is None:
            return True
        if (grant.team or {}).get("id") == team:
            return True
        organisation = (grant.enterprise or {}).get("id")
        return grant.is_enterprise_install and self.organisations.get(team) == organisation

    def auth_test(self, token: str) -> dict[str, Any]:
        grant = self.grant_of(token)
        assert grant is not None
        answer: dict[str, Any] = {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": (grant.team or grant.enterprise or {}).get("name"),
            "user": "tandem",
            "team_id": (grant.team or {}).get("id"),
            "user_id": "UBOT",
            "bot_id": "BBOT",
            "is_enterprise_install": grant.is_enterprise_install,
        }
        if grant.enterprise:
            answer["enterprise_id"] = grant.enterprise["id"]
        return answer

    def access(self, authorization: str, arguments: dict[str, Any]) -> dict[str, Any]:
        client_id, client_secret = arguments.get("client_id"), arguments.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != CLIENT_ID:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != CLIENT_SECRET:
            return {"ok": False, "error": "bad_client_secret"}
        if arguments.get("grant_type") == "refresh_token":
            grant = self.refresh_tokens.pop(str(arguments.get("refresh_token")), None)
            if grant is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._tokens(grant, rotated=True)
        grant = self.codes.pop(str(arguments.get("code")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        answer = self._tokens(grant, rotated=False)
        answer["authed_user"] = {"id": grant.installer}
        return answer

    def _tokens(self, grant: Grant, *, rotated: bool) -> dict[str, Any]:
        number = next(self._numbers)
        where = (grant.team or grant.enterprise or {}).get("id", "")
        token = f"xoxb-{where}-{number}" if not self.rotation else f"xoxe.xoxb-1-{where}-{number}"
        expires_at = time.time() + self.expires_in if self.rotation else None
        self.tokens[token] = Issued(grant, expires_at)
        answer: dict[str, Any] = {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": self.scope,
            "bot_user_id": "UBOT",
            "app_id": APP_ID,
            "team": grant.team,
            "enterprise": grant.enterprise,
            "is_enterprise_install": grant.is_enterprise_install,
        }
        if self.rotation:
            refresh = f"xoxe-1-{where}-{number}"
            self.refresh_tokens[refresh] = grant
            answer["refresh_token"] = refresh
            answer["expires_in"] = self.expires_in
        return answer
