"""A Microsoft Graph application token (client credentials), from ``msal``.

msal answers from its own cache until the token is about to expire, so asking before every
call costs nothing. One token serves every Graph adapter of the process: the calendar, the
directory and the proactive installation of the Teams app.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import requests

logger = logging.getLogger("tandem.graph")
LOGIN_URL = "https://login.microsoftonline.com"
SCOPE = "https://graph.microsoft.com/.default"


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
        self, *, tenant_id: str, client_id: str, client_secret: str, login_url: str = LOGIN_URL
    ) -> None:
        self.tenant_id = tenant_id
        self._client_id = client_id
        self._client_secret = client_secret
        self._login_url = login_url.rstrip("/")
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
        return self._app.acquire_token_for_client([SCOPE])

    async def get(self) -> str:
        import msal.exceptions

        async with self._lock:
            try:
                result = await asyncio.to_thread(self._acquire)
            except (requests.RequestException, ValueError, msal.exceptions.MsalError) as error:
                logger.warning("Microsoft Graph token request failed: %r", type(error).__name__)
                raise GraphTokenRefused("token", temporary=True) from error
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            code = str(result.get("error", "")) if isinstance(result, dict) else ""
            # The error code only (invalid_client, unauthorized_client...): never the secret.
            logger.warning("Microsoft Graph refused the token: %s", code)
            raise GraphTokenRefused(code, temporary=code == "temporarily_unavailable")
        return str(token)
