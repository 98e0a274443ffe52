"""The Bot Connector's HTTP calls on the event loop, over one pooled aiohttp session.

botbuilder's connector client sends each call with ``requests`` in a thread of the default
executor (msrest's ``AsyncRequestsHTTPSender``): every reply is a hand-over to a thread and back,
the replies of a burst queue for that executor's few threads, and the bot's token is fetched
from Entra ID inside the event loop when it expires (``signed_session``, a blocking call). The
pipeline here keeps botbuilder's serialization and error handling (``ErrorResponseException``
and its response's status and headers, as ``adapters.teams.sending`` reads them), and changes
only how the bytes travel and where the token comes from:

- one aiohttp session for every connector client of the process (keep-alive connections to
  each service URL, no thread);
- the token from ``GraphToken`` (msal in a thread, kept well within its life) for the
  credentials' own authority and scope, never asked for when the bot has no app id (local
  use with the Emulator);
- no retries of its own: ``adapters.teams.sending`` and the outbox retry what is worth it;
- no client-side validation of the activities against msrest's model.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import aiohttp
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AppCredentials, AuthenticationConstants
from msrest.pipeline import Request, Response
from msrest.pipeline.aiohttp import AioHTTPSender
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.aiohttp import AioHttpClientResponse
from msrest.universal_http.async_abc import AsyncHTTPSender

from adapters.graph.token import LOGIN_URL, GraphToken

# A Bot Connector call that takes longer than this is given up (then retried as transient).
CALL_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)


class ConnectorHttp:
    """What every connector client of the process sends through; ``close`` at shutdown."""

    def __init__(self, login_url: str = LOGIN_URL) -> None:
        self.login_url = login_url
        self._session: aiohttp.ClientSession | None = None
        self._tokens: dict[tuple[str, str, str], GraphToken] = {}

    def session(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop that will use it.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=CALL_TIMEOUT)
        return self._session

    def equip(self, client: ConnectorClient) -> ConnectorClient:
        """Sends ``client``'s calls through this session, with its credentials' token."""
        config = client.config
        policies: list[Any] = [
            config.user_agent_policy,
            _BearerToken(self._token_for(config.credentials)),
            RawDeserializer(),
            config.http_logger_policy,
        ]
        driver: Any = _AiohttpDriver(self)
        config.pipeline = AsyncPipeline(policies, AioHTTPSender(driver))
        # msrest checks each activity against the connector's model before sending it (about
        # 0.4 ms a reply); Teams checks what it receives, and the tests check every payload
        # against Teams' own schemas.
        client._serialize.client_side_validation = False
        return client

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _token_for(self, credentials: Any) -> GraphToken | None:
        if not isinstance(credentials, AppCredentials):
            return None
        app_id = credentials.microsoft_app_id or ""
        if not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID:
            return None  # unauthenticated (the Emulator without an app id): no token at all
        password = str(getattr(credentials, "microsoft_app_password", "") or "")
        # The authority is Entra ID's host and a tenant ("botframework.com" for a multi-tenant
        # bot); the host may be pointed elsewhere (GRAPH_LOGIN_URL), the tenant stays.
        tenant = urlsplit(credentials.oauth_endpoint).path.strip("/") or "botframework.com"
        scope = credentials.oauth_scope.rstrip("/")
        scope = scope if scope.endswith("/.default") else f"{scope}/.default"
        key = (app_id, tenant, scope)
        token = self._tokens.get(key)
        if token is None:
            token = self._tokens[key] = GraphToken(
                tenant_id=tenant,
                client_id=app_id,
                client_secret=password,
                login_url=self.login_url,
                scope=scope,
            )
        return token


class _BearerToken(AsyncHTTPPolicy):  # type: ignore[type-arg]
    def __init__(self, token: GraphToken | None) -> None:
        super().__init__()
        self.token = token

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        if self.token is not None:
            bearer = await self.token.get()
            request.http_request.headers["Authorization"] = f"Bearer {bearer}"
        assert self.next is not None  # the pipeline links every policy to the next
        answer: Response[Any, Any] = await self.next.send(request, **kwargs)
        return answer


class _AiohttpDriver(AsyncHTTPSender):
    """msrest's own aiohttp driver sends neither headers nor body; this one sends both."""

    def __init__(self, http: ConnectorHttp) -> None:
        self.http = http

    async def __aenter__(self) -> _AiohttpDriver:
        return self

    async def __aexit__(self, *exc_details: Any) -> None:
        return None

    async def send(self, request: ClientRequest, **config: Any) -> AioHttpClientResponse:
        if request.files:
            raise NotImplementedError("the Bot Connector is never sent a multipart form here")
        answer = await self.http.session().request(
            request.method, request.url, headers=request.headers, data=request.data
        )
        response = AioHttpClientResponse(request, answer)
        await response.load_body()
        return response
