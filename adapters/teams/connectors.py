"""Bot Framework authentication for ``/api/messages``: tokens checked by ``BotTokenValidator``
(never blocking the event loop), and one Bot Connector client per service URL and audience (and
one user-token client per app id), kept for the process's life.

botbuilder makes a new connector client for every turn and every proactive message, and with
it a new HTTP session: each reply then pays a TCP (and TLS) handshake before it is sent. The
authentication here is botbuilder's own, with the clients it creates kept and reused, each
sending through ``ConnectorHttp`` (aiohttp on the event loop, its token kept fresh off it).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from adapters.teams.auth import BotTokenValidator, KeysUnavailable
from adapters.teams.connector_http import ConnectorHttp

# What botbuilder writes as the caller of activities from the public Azure channels.
PUBLIC_AZURE_CALLER = "urn:botframework:azure"


class ReusedConnectors(ConnectorFactory):  # type: ignore[misc]
    def __init__(
        self,
        inner: ConnectorFactory,
        clients: dict[tuple[Any, ...], ConnectorClient],
        http: ConnectorHttp,
    ):
        self.inner = inner
        self.clients = clients
        self.http = http

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (getattr(self.inner, "_app_id", None), service_url, audience)
        client = self.clients.get(key)
        if client is None:
            client = self.http.equip(await self.inner.create(service_url, audience))
            self.clients[key] = client
        return client


class PooledBotFrameworkAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    def __init__(
        self,
        configuration: Any,
        tokens: BotTokenValidator | None = None,
        http: ConnectorHttp | None = None,
    ) -> None:
        super().__init__(configuration)
        self.http = http or ConnectorHttp()
        self.app_id = str(getattr(configuration, "APP_ID", "") or "")
        self.tokens = tokens or BotTokenValidator(
            self.app_id, tenant_id=str(getattr(configuration, "APP_TENANTID", "") or "")
        )
        self._clients: dict[tuple[Any, ...], ConnectorClient] = {}
        self._token_clients: dict[str | None, UserTokenClient] = {}

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        """What botbuilder's own would return, from a token checked off the blocking path.

        Raises ``TokenRefused`` (a ``PermissionError``: 401) for any token that does not check
        out, and a 503 when the signing keys cannot be had.
        """
        if not self.app_id:
            # Local use (the Emulator without an app id): nobody to check a token against.
            if auth_header:
                raise PermissionError("a token was sent to a bot without an app id")
            identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
            caller_id = None
        else:
            try:
                claims = await self.tokens.claims(
                    auth_header, activity.channel_id, activity.service_url
                )
            except KeysUnavailable:
                raise web.HTTPServiceUnavailable(headers={"Retry-After": "30"}) from None
            identity = ClaimsIdentity(claims, True)
            caller_id = PUBLIC_AZURE_CALLER
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = self.get_originating_audience()
        result.caller_id = caller_id
        result.connector_factory = self.create_connector_factory(identity)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        # Tandem serves no streaming (Direct Line ASE) connection; botbuilder's path would fetch
        # the signing keys with a blocking call.
        raise PermissionError("streaming connections are not served")

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        raise PermissionError("skill callbacks are not served")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return ReusedConnectors(
            super().create_connector_factory(claims_identity), self._clients, self.http
        )

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
