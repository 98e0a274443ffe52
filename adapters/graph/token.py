"""A Microsoft Entra ID application token (client credentials), from ``msal``.

msal answers from its own cache until the token is about to expire; its answer is kept here
too, for a while well within the token's life, so that a call asks msal (a thread, since msal
may have to reach the login service) only now and then. One Graph token serves every Graph
adapter of the process: the calendar, the directory and the proactive installation of the
Teams app; the bot's replies to Teams carry a Bot Framework token made the same way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import requests

logger = logging.getLogger("tandem.graph")
LOGIN_URL = "https://login.microsoftonline.com"
SCOPE = "https://graph.microsoft.com/.default"
# A token is asked of msal again after this long, or sooner when its life is shorter: Entra ID
# gives tokens an hour or more, and msal renews the ones it holds ahead of their expiry.
REUSE_SECONDS = 300.0


class GraphTokenRefused(Exception):
    """No token: ``error`` is Entra ID's code (never the secret); ``temporary`` when trying
    again later may work (the login service down), else an admin has something to fix."""

    def __init__(self, error: str, *, temporary: bool) -> None:
        super().__init__(error)
        self.error = error
        self.temporary = temporary


class _Rerouted(requests.Session):
    """msal only accepts https authorities on their real host; a test (or a sovereign-cloud
    proxy) points the login host elsewhere through this session instead."""

    def __init__(self, login_url: str) -> None:
        super().__init__()
        self.login_url = login_url.rstrip("/")

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        text = url.decode() if isinstance(url, bytes) else url
        if text.startswith(LOGIN_URL):
            text = self.login_url + text[len(LOGIN_URL) :]
        return super().request(method, text, *args, **kwargs)


class GraphToken:
    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        login_url: str = LOGIN_URL,
        scope: str = SCOPE,
    ) -> None:
        self.tenant_id = tenant_id
        self.scope = scope
        self._client_id = client_id
        self._client_secret = client_secret
        self._login_url = login_url.rstrip("/")
        self._kept: tuple[str, float] | None = None
        # Made at the first token: msal reads the tenant's OpenID configuration when it is
        # made, a blocking request that belongs in a thread, not in the event loop.
        self._app: Any = None
        self._lock = asyncio.Lock()

    def _acquire(self) -> Any:
        # Imported when first used: msal takes a while to load, and most processes never
        # ask Graph anything.
        import msal

        if self._app is None:
            self._app = msal.ConfidentialClientApplication(
                self._client_id,
                client_credential=self._client_secret,
                authority=f"{LOGIN_URL}/{self.tenant_id}",
                http_client=_Rerouted(self._login_url) if self._login_url != LOGIN_URL else None,
            )
        return self._app.acquire_token_for_client([self.scope])

    async def get(self) -> str:
        import msal.exceptions

        kept = self._kept
        if kept is not None and time.monotonic() < kept[1]:
            return kept[0]
        async with self._lock:
            try:
                result = await asyncio.to_thread(self._acquire)
            except (requests.RequestException, ValueError, msal.exceptions.MsalError) as error:
                logger.warning(
                    "Entra ID token request failed (%s): %r", self.scope, type(error).__name__
                )
                raise GraphTokenRefused("token", temporary=True) from error
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            code = str(result.get("error", "")) if isinstance(result, dict) else ""
            # The error code only (invalid_client, unauthorized_client...): never the secret.
            logger.warning("Entra ID refused the token (%s): %s", self.scope, code)
            raise GraphTokenRefused(code, temporary=code == "temporarily_unavailable")
        lifetime = float(result.get("expires_in") or 0)
        self._kept = (str(token), time.monotonic() + min(REUSE_SECONDS, lifetime / 4))
        return str(token)
