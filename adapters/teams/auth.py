"""Bot Framework tokens checked without ever blocking the event loop.

botbuilder fetches the signing keys with ``requests`` (a blocking call, no timeout) inside the
event loop, once at the first request and again whenever a token names a key id it does not
know: a forged token with a made-up ``kid`` could freeze the whole server for as long as the
key host cared to hang. Its failures (an unknown key, HS256, ``alg: none``...) also escaped as
bare exceptions: 500 and a traceback each.

Here the OpenID metadata and its JWKS are fetched with aiohttp under a short timeout, one
fetch at a time per metadata URL, kept, and refreshed in the background once they age: a
request waits for a fetch only when no key set was ever had, or for an unknown key id, and
then at most ``timeout`` seconds. Unknown key ids trigger a refresh at most once every
``UNKNOWN_KEY_REFRESH_SECONDS``. A token is checked as Microsoft documents ("Authenticate
requests from the Bot Connector service"): a ``Bearer`` JWT signed RS256/384/512 by a key of
the metadata whose endorsements include the activity's channel, issued by the Bot Framework,
for this bot (``aud``), within its validity (five minutes' leeway), and whose ``serviceurl``
claim is the activity's ``serviceUrl``. Tokens of the Bot Framework Emulator are accepted as
botbuilder accepts them (Entra ID issuers, the bot's app id in ``appid`` or ``azp``).

Every refusal raises ``TokenRefused`` (a ``PermissionError``: 401 through botbuilder and the
app) after one short log line; ``KeysUnavailable`` (503) when no key could be had.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger("tandem.teams")

CHANNEL_ISSUER = "https://api.botframework.com"
CHANNEL_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
EMULATOR_METADATA_URL = (
    "https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration"
)
# The issuers botbuilder accepts for Emulator tokens (Bot Framework and Microsoft tenants).
EMULATOR_ISSUERS = frozenset(
    {
        "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
        "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
        "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
        "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        "https://sts.windows.net/cab8a31a-1906-4287-a0d8-4eef66b95f6e/",
        "https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0",
        "https://login.microsoftonline.us/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.us/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
    }
)
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")
CLOCK_SKEW_SECONDS = 5 * 60
MAX_TOKEN_LENGTH = 16 * 1024
# Microsoft rotates its keys slowly and publishes new ones ahead of use: a day-old set is
# refreshed in the background while it goes on serving.
REFRESH_AFTER_SECONDS = 12 * 3600
# A made-up key id must not turn into a stream of fetches.
UNKNOWN_KEY_REFRESH_SECONDS = 300.0
# After a failed fetch, the next one is not tried before this (requests meanwhile are refused).
RETRY_AFTER_FAILURE_SECONDS = 30.0


class TokenRefused(PermissionError):
    """The token does not prove that the Bot Framework (or the Emulator) sent this request."""


class KeysUnavailable(Exception):
    """No signing key could be had in time: the request cannot be checked now."""


@dataclass(frozen=True)
class SigningKey:
    public_key: Any
    endorsements: frozenset[str]


@dataclass
class KeySet:
    """The signing keys published behind one OpenID metadata URL."""

    metadata_url: str
    timeout: float
    now: Callable[[], float] = time.monotonic
    keys: dict[str, SigningKey] | None = None
    fetched_at: float = float("-inf")
    attempted_at: float = float("-inf")
    failed: bool = False
    _fetch: asyncio.Task[None] | None = field(default=None, repr=False)

    async def key(self, key_id: str) -> SigningKey | None:
        """The key named ``key_id``, or None when the metadata has no such key."""
        if self.keys is not None:
            if self.now() - self.fetched_at > REFRESH_AFTER_SECONDS:
                self._start_fetch(RETRY_AFTER_FAILURE_SECONDS)
            if key_id in self.keys:
                return self.keys[key_id]
            fetch = self._start_fetch(UNKNOWN_KEY_REFRESH_SECONDS)
        else:
            fetch = self._start_fetch(RETRY_AFTER_FAILURE_SECONDS)
        if fetch is not None:
            # Shielded: the fetch is shared, and outlives a request that gives up on it.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(fetch), self.timeout)
        if self.keys is None:
            raise KeysUnavailable(self.metadata_url)
        return self.keys.get(key_id)

    def _start_fetch(self, min_interval: float) -> asyncio.Task[None] | None:
        """The fetch under way, or a new one unless the last began less than
        ``min_interval`` ago (``RETRY_AFTER_FAILURE_SECONDS`` after a failure)."""
        if self._fetch is not None and not self._fetch.done():
            return self._fetch
        interval = RETRY_AFTER_FAILURE_SECONDS if self.failed else min_interval
        if self.now() - self.attempted_at < interval:
            return None
        self.attempted_at = self.now()
        self._fetch = asyncio.create_task(self._refresh())
        return self._fetch

    async def _refresh(self) -> None:
        try:
            keys = await self._download()
        except Exception as error:  # any failure of a remote host: keep what we had
            self.failed = True
            logger.warning(
                "bot framework signing keys could not be fetched",
                extra={"url": self.metadata_url, "error": type(error).__name__},
            )
            return
        self.keys, self.fetched_at, self.failed = keys, self.now(), False

    async def _download(self) -> dict[str, SigningKey]:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(self.metadata_url) as response:
                response.raise_for_status()
                metadata = await response.json(content_type=None)
            async with session.get(str(metadata["jwks_uri"])) as response:
                response.raise_for_status()
                document = await response.json(content_type=None)
        keys: dict[str, SigningKey] = {}
        for entry in document["keys"]:
            if entry.get("kty") != "RSA" or not isinstance(entry.get("kid"), str):
                continue
            keys[entry["kid"]] = SigningKey(
                RSAAlgorithm.from_jwk(json.dumps(entry)),
                frozenset(str(e) for e in entry.get("endorsements") or ()),
            )
        return keys

    def close(self) -> None:
        if self._fetch is not None:
            self._fetch.cancel()


class BotTokenValidator:
    """Checks the ``Authorization`` header of an activity; returns the token's claims."""

    def __init__(
        self,
        app_id: str,
        *,
        tenant_id: str = "",
        channel_metadata_url: str = CHANNEL_METADATA_URL,
        emulator_metadata_url: str = EMULATOR_METADATA_URL,
        timeout: float = 5.0,
    ) -> None:
        self.app_id = app_id
        self.channel_keys = KeySet(channel_metadata_url, timeout)
        self.emulator_keys = KeySet(emulator_metadata_url, timeout)
        self.emulator_issuers = set(EMULATOR_ISSUERS)
        if tenant_id:
            # A single-tenant bot's Emulator tokens come from its own tenant.
            self.emulator_issuers |= {
                f"https://sts.windows.net/{tenant_id}/",
                f"https://login.microsoftonline.com/{tenant_id}/v2.0",
            }

    @classmethod
    def from_settings(cls, settings: Any) -> BotTokenValidator:
        return cls(
            settings.microsoft_app_id or "",
            tenant_id=settings.microsoft_app_tenant_id or "",
            channel_metadata_url=settings.microsoft_openid_metadata_url,
            emulator_metadata_url=settings.microsoft_emulator_openid_metadata_url,
            timeout=settings.microsoft_openid_timeout_seconds,
        )

    async def claims(
        self, auth_header: str, channel_id: str | None, service_url: str | None
    ) -> dict[str, Any]:
        try:
            return await self._claims(auth_header, channel_id or "", service_url)
        except TokenRefused as refused:
            logger.warning("teams token refused", extra={"status": 401, "reason": str(refused)})
            raise
        except KeysUnavailable:
            logger.warning("teams token not checked: no signing keys", extra={"status": 503})
            raise

    async def _claims(
        self, auth_header: str, channel_id: str, service_url: str | None
    ) -> dict[str, Any]:
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token:
            raise TokenRefused("no bearer token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenRefused("token too long")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise TokenRefused("not a JWT") from None
        algorithm, key_id = header.get("alg"), header.get("kid")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise TokenRefused(f"algorithm {str(algorithm)[:16]!r} not allowed")
        if not isinstance(key_id, str) or not key_id or len(key_id) > 256:
            raise TokenRefused("no key id")
        issuer = unverified.get("iss")
        if issuer == CHANNEL_ISSUER:
            keys, emulator = self.channel_keys, False
        elif isinstance(issuer, str) and issuer in self.emulator_issuers:
            keys, emulator = self.emulator_keys, True
        else:
            raise TokenRefused("unknown issuer")
        key = await keys.key(key_id)
        if key is None:
            raise TokenRefused("unknown key id")
        if key.endorsements and channel_id not in key.endorsements:
            raise TokenRefused("key not endorsed for this channel")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.public_key,
                algorithms=[algorithm],
                issuer=issuer,
                audience=None if emulator else self.app_id,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss"], "verify_aud": not emulator},
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(type(error).__name__) from None
        if emulator:
            self._check_emulator(claims)
        elif service_url is None or claims.get("serviceurl") != service_url:
            raise TokenRefused("serviceurl claim does not match the activity")
        return claims

    def _check_emulator(self, claims: dict[str, Any]) -> None:
        # Version 1.0 tokens name the app in ``appid``, 2.0 tokens in ``azp``.
        version = claims.get("ver")
        if version == "1.0":
            app_id = claims.get("appid")
        elif version == "2.0":
            app_id = claims.get("azp")
        else:
            raise TokenRefused("emulator token without a known version")
        if not self.app_id or app_id != self.app_id:
            raise TokenRefused("emulator token for another app")

    def close(self) -> None:
        self.channel_keys.close()
        self.emulator_keys.close()
