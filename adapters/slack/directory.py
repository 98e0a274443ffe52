"""Who an e-mail address is in a Slack workspace (scope ``users:read.email``).

A few addresses are looked up one by one with ``users.lookupByEmail`` (Tier 3: about 50 calls a
minute); a whole roster reads the workspace's member list instead, ``users.list`` a thousand
members a page (Tier 2: about 20 pages a minute): 20,000 people are then 20 calls, not 400
minutes of lookups. A 429 is waited out for what its ``Retry-After`` says."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiolimiter import AsyncLimiter
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.workspaces import NotInstalledError, OneWorkspace, WorkspaceClients
from bot.errors import UserError
from bot.roster.directory import DirectoryEntry, Reach
from bot.settings import Settings

logger = logging.getLogger("tandem.slack")
PLATFORM = "slack"
# Up to this many addresses, one lookup each; past it, the member list.
LOOKUPS_AT_MOST = 40
MEMBERS_A_PAGE = 1000
RATE_LIMIT_RETRIES = 5


class SlackDirectory:
    platform = PLATFORM

    @classmethod
    def from_settings(
        cls, settings: Settings, workspaces: WorkspaceClients | None = None
    ) -> SlackDirectory:
        if workspaces is None:
            assert settings.slack_bot_token is not None
            # No session of its own: an import is rare, and nothing is left open to close.
            client = AsyncWebClient(
                token=settings.slack_bot_token.get_secret_value(),
                base_url=settings.slack_api_url,
            )
            workspaces = OneWorkspace(client)
        return cls(workspaces)

    def __init__(
        self,
        workspaces: WorkspaceClients,
        lookups_per_minute: float = 50.0,
        pages_per_minute: float = 20.0,
    ) -> None:
        self.workspaces = workspaces
        self._lookups = AsyncLimiter(lookups_per_minute, 60)
        self._pages = AsyncLimiter(pages_per_minute, 60)

    async def look_up(self, workspace: str, emails: Sequence[str]) -> dict[str, DirectoryEntry]:
        unknown = DirectoryEntry(Reach.UNKNOWN)
        try:
            client = await self.workspaces.client_for(workspace, None)
        except NotInstalledError:
            return dict.fromkeys(emails, unknown)
        if len(emails) <= LOOKUPS_AT_MOST:
            found = await self._lookups_of(client, emails)
        else:
            found = await self._members(client, set(emails))
        return {email: found.get(email, unknown) for email in emails}

    async def _lookups_of(
        self, client: AsyncWebClient, emails: Sequence[str]
    ) -> dict[str, DirectoryEntry]:
        found: dict[str, DirectoryEntry] = {}
        for email in emails:
            async with self._lookups:
                response = await _patiently(
                    functools.partial(client.users_lookupByEmail, email=email)
                )
            if response is not None:
                entry = _entry(response.get("user") or {})
                if entry is not None:
                    found[email] = entry
        return found

    async def _members(self, client: AsyncWebClient, wanted: set[str]) -> dict[str, DirectoryEntry]:
        found: dict[str, DirectoryEntry] = {}
        cursor: str | None = None
        while True:
            async with self._pages:
                response = await _patiently(
                    functools.partial(
                        client.users_list, cursor=cursor, limit=MEMBERS_A_PAGE, include_locale=True
                    )
                )
            if response is None:
                return found
            for member in response.get("members") or []:
                email = str((member.get("profile") or {}).get("email") or "").lower()
                entry = _entry(member) if email in wanted else None
                if entry is not None:
                    found[email] = entry
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor or len(found) == len(wanted):
                return found


async def _patiently(
    call: Callable[[], Awaitable[AsyncSlackResponse]],
) -> AsyncSlackResponse | None:
    """The call's answer; None when Slack says there is nobody (``users_not_found``). Slack
    refusing (a scope missing, still rate-limited after several waits) refuses the import: an
    address it could not check is not an unknown one."""
    for _ in range(RATE_LIMIT_RETRIES):
        try:
            return await call()
        except SlackApiError as error:
            if error.response.status_code == 429:
                await asyncio.sleep(_retry_after(error.response.headers))
                continue
            reason = str(error.response.get("error") or "")
            if reason == "users_not_found":
                return None
            logger.warning("directory lookup refused", extra={"reason": reason})
            raise UserError("roster.directory_unavailable", platform=PLATFORM) from None
    raise UserError("roster.directory_unavailable", platform=PLATFORM)


def _retry_after(headers: Any) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list) else value
            with contextlib.suppress(ValueError):
                return max(0.0, float(text))
    return 1.0


def _entry(user: dict[str, Any]) -> DirectoryEntry | None:
    """A person the bot can write to; deactivated accounts and bots are nobody."""
    if not user.get("id") or user.get("deleted") or user.get("is_bot"):
        return None
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    return DirectoryEntry(
        Reach.FOUND,
        user_id=str(user["id"]),
        display_name=str(name or user.get("name") or user["id"]),
        timezone=user.get("tz") or None,
        locale=user.get("locale") or None,
    )
