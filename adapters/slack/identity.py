"""Who is speaking on Slack: users.info (with locale and time zone), cached, and mentions."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.workspaces import NotInstalledError, WorkspaceClients
from bot.clock import Clock
from bot.events import Sender

PLATFORM = "slack"
# Profiles change rarely: looked up again at most once a day.
PROFILE_TTL = timedelta(days=1)
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_NAMED_MENTION = re.compile(r"<@([UW][A-Z0-9]+)\|([^>]+)>")
_CHANNEL_MENTION = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")

logger = logging.getLogger("tandem.slack")


def mentioned_names(text: str) -> dict[str, str]:
    """``<@U123|alice>`` -> ``{"U123": "alice"}``, where Slack gives the name."""
    return {
        match.group(1): match.group(2) for match in _NAMED_MENTION.finditer(text) if match.group(2)
    }


def plain_mentions(text: str) -> str:
    """``<@U123|alice>`` -> ``@U123``, ``<#C123|general>`` -> ``#C123``: what the engine reads."""
    text = _USER_MENTION.sub(lambda match: f"@{match.group(1)}", text)
    return _CHANNEL_MENTION.sub(lambda match: f"#{match.group(1)}", text)


@dataclass(frozen=True)
class Profile:
    display_name: str | None
    locale: str | None
    timezone: str | None
    fetched_at: datetime
    # Only with the users:read.email scope.
    email: str | None = None


def workspace_of(body: dict[str, Any], *, by_organisation: bool) -> tuple[str, str]:
    """(Tandem's workspace id, Slack team) of a request. With several workspaces installed,
    a person of an Enterprise Grid organisation is one person across its teams (Slack gives
    them one user id there): the workspace is the organisation's id. With one bot token it
    stays the team, as it always was, so that the people already known keep their identity."""
    user = body.get("user") if isinstance(body.get("user"), dict) else {}
    team_field = body.get("team") if isinstance(body.get("team"), dict) else {}
    team = str(
        (user or {}).get("team_id")
        or (team_field or {}).get("id")
        or body.get("team_id")
        or (body.get("event") or {}).get("team", "")
    )
    if not by_organisation:
        return team, team
    enterprise = body.get("enterprise") if isinstance(body.get("enterprise"), dict) else {}
    authorizations = body.get("authorizations") or [{}]
    organisation = (
        body.get("enterprise_id")
        or (enterprise or {}).get("id")
        or (team_field or {}).get("enterprise_id")
        or (authorizations[0] or {}).get("enterprise_id")
    )
    return (str(organisation) if organisation else team), team


class UserDirectory:
    """users.info, kept in memory per workspace and user, refreshed after ``PROFILE_TTL``."""

    def __init__(self, clients: WorkspaceClients, clock: Clock) -> None:
        self.clients = clients
        self.clock = clock
        self._profiles: dict[tuple[str, str], Profile] = {}
        self._dm_channels: dict[tuple[str, str], str] = {}

    async def profile(self, team_id: str, user_id: str, team: str | None = None) -> Profile | None:
        now = self.clock.now()
        cached = self._profiles.get((team_id, user_id))
        if cached is not None and now - cached.fetched_at < PROFILE_TTL:
            return cached
        try:
            client = await self.clients.client_for(team_id, team)
            response = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            logger.warning("users.info failed", extra={"error": str(error.response.get("error"))})
            return cached
        except NotInstalledError:
            logger.warning("users.info: workspace no longer installed", extra={"team": team_id})
            return cached
        user: dict[str, Any] = response.get("user") or {}
        profile = user.get("profile") or {}
        found = Profile(
            display_name=profile.get("display_name") or user.get("real_name") or user.get("name"),
            locale=user.get("locale"),
            timezone=user.get("tz"),
            fetched_at=now,
            email=profile.get("email") or None,
        )
        self._profiles[(team_id, user_id)] = found
        return found

    def remember_dm(self, team_id: str, user_id: str, channel: str) -> None:
        self._dm_channels[(team_id, user_id)] = channel

    def known_dm(self, team_id: str, user_id: str) -> str | None:
        return self._dm_channels.get((team_id, user_id))

    async def dm_channel(self, team_id: str, user_id: str, team: str | None = None) -> str:
        known = self.known_dm(team_id, user_id)
        if known is None:
            client = await self.clients.client_for(team_id, team)
            response = await client.conversations_open(users=user_id)
            known = str(response["channel"]["id"])
            self.remember_dm(team_id, user_id, known)
        return known

    async def sender(
        self, team_id: str, user_id: str, dm_channel: str | None = None, team: str | None = None
    ) -> Sender:
        """``team_id``: Tandem's workspace id (the organisation's, on Enterprise Grid);
        ``team``: the Slack team the person spoke from, kept in their address when it differs."""
        if dm_channel:
            self.remember_dm(team_id, user_id, dm_channel)
        profile = await self.profile(team_id, user_id, team)
        channel = self.known_dm(team_id, user_id)
        address: dict[str, Any] = {"dm_channel": channel} if channel else {}
        if team and team != team_id:
            address["team"] = team
        return Sender(
            platform=PLATFORM,
            workspace=team_id,
            user_id=user_id,
            display_name=profile.display_name if profile else None,
            locale=profile.locale if profile else None,
            timezone=profile.timezone if profile else None,
            address=address or None,
            email=profile.email if profile else None,
        )
