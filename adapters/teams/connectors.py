"""One Bot Connector client per service URL and audience (and one user-token client per app
id), kept for the process's life.

botbuilder makes a new connector client for every turn and every proactive message, and with
it a new HTTP session: each reply then pays a TCP (and TLS) handshake before it is sent. The
authentication here is botbuilder's own, with the clients it creates kept and reused; their
credentials refresh their tokens by themselves.
"""

from __future__ import annotations

from typing import Any

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)


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
        self._token_clients: dict[str | None, UserTokenClient] = {}

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return ReusedConnectors(super().create_connector_factory(claims_identity), self._clients)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        # Built for every turn by the SDK (new credentials each time, about 4 ms), though it
        # depends only on the bot's app id; Tandem does not sign users in, so it is rarely used.
        app_id = _app_id(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            self._token_clients[app_id] = client
        return client


def _app_id(claims_identity: ClaimsIdentity) -> str | None:
    # Where the SDK itself looks: the audience, else the app id claim (the Emulator's).
    app_id = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if app_id is None:
        app_id = claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return str(app_id) if app_id is not None else None
