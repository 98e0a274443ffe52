"""Who is speaking on Slack: users.info (with locale and time zone), cached, and mentions."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

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


class UserDirectory:
    """users.info, kept in memory per workspace and user, refreshed after ``PROFILE_TTL``."""

    def __init__(self, client: AsyncWebClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._profiles: dict[tuple[str, str], Profile] = {}
        self._dm_channels: dict[tuple[str, str], str] = {}

    async def profile(self, team_id: str, user_id: str) -> Profile | None:
        now = self.clock.now()
        cached = self._profiles.get((team_id, user_id))
        if cached is not None and now - cached.fetched_at < PROFILE_TTL:
            return cached
        try:
            response = await self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            logger.warning("users.info failed", extra={"error": str(error.response.get("error"))})
            return cached
        user: dict[str, Any] = response.get("user") or {}
        profile = user.get("profile") or {}
        found = Profile(
            display_name=profile.get("display_name") or user.get("real_name") or user.get("name"),
            locale=user.get("locale"),
            timezone=user.get("tz"),
            fetched_at=now,
        )
        self._profiles[(team_id, user_id)] = found
        return found

    def remember_dm(self, team_id: str, user_id: str, channel: str) -> None:
        self._dm_channels[(team_id, user_id)] = channel

    def known_dm(self, team_id: str, user_id: str) -> str | None:
        return self._dm_channels.get((team_id, user_id))

    async def dm_channel(self, team_id: str, user_id: str) -> str:
        known = self.known_dm(team_id, user_id)
        if known is None:
            response = await self.client.conversations_open(users=user_id)
            known = str(response["channel"]["id"])
            self.remember_dm(team_id, user_id, known)
        return known

    async def sender(self, team_id: str, user_id: str, dm_channel: str | None = None) -> Sender:
        if dm_channel:
            self.remember_dm(team_id, user_id, dm_channel)
        profile = await self.profile(team_id, user_id)
        channel = self.known_dm(team_id, user_id)
        return Sender(
            platform=PLATFORM,
            workspace=team_id,
            user_id=user_id,
            display_name=profile.display_name if profile else None,
            locale=profile.locale if profile else None,
            timezone=profile.timezone if profile else None,
            address={"dm_channel": channel} if channel else None,
        )
