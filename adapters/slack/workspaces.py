"""Which Web API client speaks for a workspace: the one bot token, or each installation's.

With one workspace (``SLACK_BOT_TOKEN``) every call goes through the same client. Installed
through OAuth, each workspace (a team, or an Enterprise Grid organisation for an org-wide
install) has its own bot token in the database: a call for a person, a conversation or a
channel goes with the token of the installation that reaches them, refreshed first when token
rotation is on and it is about to expire (Bolt's ``AsyncTokenRotator``; the new tokens are
saved). Clients share one HTTP session. What was read of an installation serves for a few
seconds (``RECENT_SECONDS``) without another database read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.events import Sender

logger = logging.getLogger("tandem.slack")
# How long an installation read from the database serves without being read again. An uninstall
# seen here forgets it at once; a token Slack refuses sooner is looked up again before giving up.
RECENT_SECONDS = 30.0
# What oauth.v2.access answers when a refresh token will never work again.
REFRESH_REFUSALS = {
    "invalid_refresh_token",
    "invalid_client_id",
    "bad_client_secret",
    "app_uninstalled",
    "token_revoked",
    "invalid_grant_type",
}


class NotInstalledError(LookupError):
    """No installation reaches this workspace (never installed, uninstalled, revoked)."""


class Installations(Protocol):
    """Where installations are kept (storage/slack_installations.py)."""

    async def find_for_workspace(
        self, workspace: str, team: str | None = None
    ) -> Installation | None: ...

    async def async_save(self, installation: Installation) -> None: ...

    async def teams_of_organisation(self, enterprise_id: str) -> list[str]: ...


class WorkspaceClients(Protocol):
    async def client_for(self, workspace: str, team: str | None = None) -> AsyncWebClient:
        """The client for Tandem's ``workspace`` id and, for Enterprise Grid, the ``team``."""
        ...

    def forget(self, workspace: str | None = None) -> bool:
        """Drops any token kept in memory for ``workspace``; True when there was one."""
        ...

    async def teams_of(self, workspace: str) -> list[str]:
        """The teams a person of ``workspace`` whose own team is unknown may be in: those of an
        Enterprise Grid organisation installed team by team; empty otherwise."""
        ...

    async def close(self) -> None: ...


def team_of(address: dict[str, Any] | None) -> str | None:
    """The team kept in a person's or channel's address (Enterprise Grid), if any."""
    team = (address or {}).get("team")
    return str(team) if team else None


async def client_of(clients: WorkspaceClients, sender: Sender) -> AsyncWebClient:
    return await clients.client_for(sender.workspace, team_of(sender.address))


class OneWorkspace:
    """The single-workspace mode: one bot token from the environment."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def client_for(self, workspace: str, team: str | None = None) -> AsyncWebClient:
        return self.client

    async def teams_of(self, workspace: str) -> list[str]:
        return []

    def forget(self, workspace: str | None = None) -> bool:
        return False

    async def close(self) -> None:
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()


class InstalledWorkspaces:
    """Each workspace's own token, from the installations stored in the database."""

    def __init__(
        self,
        store: Installations,
        template: AsyncWebClient,
        rotator: AsyncTokenRotator,
        rotation_minutes: int,
    ) -> None:
        self.store = store
        # Base URL, HTTP session and retry handlers every workspace's client shares.
        self.template = template
        self.rotator = rotator
        self.rotation_minutes = rotation_minutes
        self._refreshing: dict[tuple[str, str], asyncio.Lock] = {}
        # Installations read lately, with when: a send needs no database read of its own.
        self._recent: dict[tuple[str, str], tuple[Installation, float]] = {}

    async def client_for(self, workspace: str, team: str | None = None) -> AsyncWebClient:
        installation = await self._fresh_installation(workspace, team)
        template = self.template
        return AsyncWebClient(
            token=installation.bot_token,
            base_url=template.base_url,
            session=template.session,
            retry_handlers=list(template.retry_handlers or []),
        )

    async def _fresh_installation(self, workspace: str, team: str | None) -> Installation:
        """The installation, its tokens refreshed first when they are about to expire. One
        refresh at a time per workspace: a refresh token is good once, so two sends racing to
        refresh would otherwise have one of them refused."""
        key = (workspace, team or "")
        lock = self._refreshing.setdefault(key, asyncio.Lock())
        async with lock:
            recent = self._recent.get(key)
            if recent is not None and time.monotonic() - recent[1] < RECENT_SECONDS:
                installation = recent[0]
            else:
                found = await self.store.find_for_workspace(workspace, team)
                if found is None or found.bot_token is None:
                    self._recent.pop(key, None)
                    raise NotInstalledError(workspace)
                installation = found
                self._recent[key] = (installation, time.monotonic())
            try:
                refreshed = await self.rotator.perform_token_rotation(
                    installation=installation, minutes_before_expiration=self.rotation_minutes
                )
            except SlackTokenRotationError as error:
                # Another replica may have refreshed it just before (using the refresh token up).
                self._recent.pop(key, None)
                again = await self.store.find_for_workspace(workspace, team)
                if again is not None and again.bot_token != installation.bot_token:
                    self._recent[key] = (again, time.monotonic())
                    return again
                data = error.api_error.response.data
                code = data.get("error") if isinstance(data, dict) else None
                if code in REFRESH_REFUSALS:
                    logger.error("token refresh refused", extra={"workspace": workspace})
                    raise NotInstalledError(workspace) from error
                raise  # Slack in trouble: the send is tried again later.
            if refreshed is None:
                return installation
            await self.store.async_save(refreshed)
            self._recent[key] = (refreshed, time.monotonic())
            return refreshed

    def forget(self, workspace: str | None = None) -> bool:
        """Drops what was read of a workspace's installations (of all, without ``workspace``):
        after an uninstall, or a token Slack refused (another replica may have reinstalled).
        True when something was dropped, so that asking again may find a newer token."""
        keys = [key for key in self._recent if workspace is None or key[0] == workspace]
        for key in keys:
            del self._recent[key]
        return bool(keys)

    async def teams_of(self, workspace: str) -> list[str]:
        return await self.store.teams_of_organisation(workspace)

    async def close(self) -> None:
        if self.template.session is not None and not self.template.session.closed:
            await self.template.session.close()
