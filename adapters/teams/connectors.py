"""One Bot Connector client per service URL and audience, kept for the process's life.

botbuilder makes a new connector client for every turn and every proactive message, and with
it a new HTTP session: each reply then pays a TCP (and TLS) handshake before it is sent. The
authentication here is botbuilder's own, with the clients it creates kept and reused; their
credentials refresh their tokens by themselves.
"""

from __future__ import annotations

from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import ClaimsIdentity, ConnectorFactory


class ReusedConnectors(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: ConnectorFactory, clients: dict[tuple[Any, ...], ConnectorClient]):
        self.inner = inner
        self.clients = clients

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (getattr(self.inner, "_app_id", None), service_url, audience)
        client = self.clients.get(key)
        if client is None:
            client = await self.inner.create(service_url, audience)
            self.clients[key] = client
        return client


class PooledBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    def __init__(self, configuration: Any) -> None:
        super().__init__(configuration)
        self._clients: dict[tuple[Any, ...], ConnectorClient] = {}

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return ReusedConnectors(super().create_connector_factory(claims_identity), self._clients)
