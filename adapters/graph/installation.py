"""Tandem installed for someone who never opened it, so that the bot can write to them first.

As Microsoft's Company Communicator does: the app is installed in the person's personal scope
(``POST /users/{id}/teamwork/installedApps``, permission
``TeamsAppInstallation.ReadWriteSelfForUser.All``), then the chat between them and the bot is
read (``…/installedApps/{installation}/chat``); its id is the conversation the Bot Connector
writes into. Someone who already has the app only costs the two reads.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from adapters.calendar.http import CalendarHttp
from adapters.graph.token import GraphToken, GraphTokenRefused
from bot.calendar.mailbox import CalendarRefused, Refusal

logger = logging.getLogger("tandem.graph")


class InstallationRefused(Exception):
    """The app could not be installed or its chat read: ``refusal`` says why (consent
    missing, the person not found, Graph busy or down)."""

    def __init__(self, refusal: Refusal, detail: str) -> None:
        super().__init__(f"{refusal.value}: {detail}")
        self.refusal = refusal


class TeamsAppInstaller:
    def __init__(self, token: GraphToken, http: CalendarHttp, api_url: str, app_id: str) -> None:
        self.token = token
        self.http = http
        self.api_url = api_url.rstrip("/")
        # The manifest's id (the bot's app id): the catalog knows the app by it as externalId.
        self.app_id = app_id
        self._catalog_id: str | None = None

    @property
    def tenant_id(self) -> str:
        return self.token.tenant_id

    async def personal_chat(self, user_id: str) -> str:
        """The id of the chat between the person (Azure AD object id) and the bot; the app is
        installed for them first when it is not."""
        try:
            token = await self.token.get()
            installation = await self._installation(token, user_id)
            if installation is None:
                await self._install(token, user_id)
                installation = await self._installation(token, user_id)
            if installation is None:
                raise InstallationRefused(Refusal.DOWN, "installed but not listed")
            chat = await self.http.call(
                "GET",
                f"{self._installed_apps(user_id)}/{quote(installation, safe='')}/chat",
                token=token,
            )
        except GraphTokenRefused as refused:
            raise InstallationRefused(
                Refusal.DOWN if refused.temporary else Refusal.CONSENT, refused.error
            ) from refused
        except CalendarRefused as refused:
            raise InstallationRefused(refused.refusal, str(refused)) from refused
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        if not chat_id:
            raise InstallationRefused(Refusal.DOWN, "no chat id")
        return str(chat_id)

    def _installed_apps(self, user_id: str) -> str:
        return f"{self.api_url}/users/{quote(user_id, safe='')}/teamwork/installedApps"

    async def _installation(self, token: str, user_id: str) -> str | None:
        answer = await self.http.call(
            "GET",
            self._installed_apps(user_id),
            token=token,
            params={"$expand": "teamsApp", "$filter": f"teamsApp/externalId eq '{self.app_id}'"},
        )
        for installed in (answer or {}).get("value") or []:
            if (installed.get("teamsApp") or {}).get("externalId") == self.app_id:
                return str(installed["id"])
        return None

    async def _install(self, token: str, user_id: str) -> None:
        catalog_id = await self._catalog(token)
        await self.http.call(
            "POST",
            self._installed_apps(user_id),
            token=token,
            json={"teamsApp@odata.bind": f"{self.api_url}/appCatalogs/teamsApps/{catalog_id}"},
            # Installed meanwhile (by the person, or another replica): the next read says so.
            already_done=(409,),
        )
        logger.info("Tandem installed for a person who never opened it")

    async def _catalog(self, token: str) -> str:
        """The app's id in the organisation's catalog (not the manifest's id)."""
        if self._catalog_id is None:
            answer = await self.http.call(
                "GET",
                f"{self.api_url}/appCatalogs/teamsApps",
                token=token,
                params={"$filter": f"externalId eq '{self.app_id}'"},
            )
            apps = (answer or {}).get("value") or []
            if not apps:
                # The admin never uploaded the app to the organisation's catalog.
                raise InstallationRefused(Refusal.CONSENT, "app not in the catalog")
            self._catalog_id = str(apps[0]["id"])
        return self._catalog_id
