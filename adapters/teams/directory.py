"""What the Teams adapter learns from the activities it receives, to write to people first.

A person who never talked to the bot has no conversation yet: one is created for them with
their tenant's service URL and the bot's own id, both seen on any activity from that tenant.
Before any activity (a fresh process), the configured service URL (Teams' global endpoint) is
used; Teams answers there for every tenant.
"""

from __future__ import annotations

from typing import Any

from adapters.teams.activities import tenant_of


class TenantDirectory:
    def __init__(self, default_service_url: str, bot_id: str | None) -> None:
        self.default_service_url = default_service_url
        self._bot_id = bot_id
        self._service_urls: dict[str, str] = {}
        # Personal conversations created by this process: tenant and user -> reference.
        self._created: dict[tuple[str, str], dict[str, Any]] = {}

    def learn(self, activity: dict[str, Any]) -> None:
        tenant = tenant_of(activity)
        service_url = activity.get("serviceUrl")
        if tenant and service_url:
            self._service_urls[tenant] = str(service_url)
        recipient = (activity.get("recipient") or {}).get("id")
        if recipient and not self._bot_id:
            self._bot_id = str(recipient)

    def service_url(self, tenant: str) -> str:
        return self._service_urls.get(tenant, self.default_service_url)

    @property
    def bot_id(self) -> str:
        # Teams names a bot "28:<app id>"; without an app id (local use), any id will do.
        return self._bot_id or "28:tandem"

    def created(self, tenant: str, user_id: str) -> dict[str, Any] | None:
        return self._created.get((tenant, user_id))

    def remember_created(self, tenant: str, user_id: str, reference: dict[str, Any]) -> None:
        self._created[(tenant, user_id)] = reference
