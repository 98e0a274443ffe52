"""A local stand-in for the Bot Framework's token signing: OpenID metadata, its JWKS, and
tokens signed with a generated RSA key, the way the Bot Connector signs what it posts.

``HangingHost`` is the other side: a TCP server that accepts every connection and never
answers, like a key host that hangs.
"""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

CHANNEL_ISSUER = "https://api.botframework.com"
EMULATOR_ISSUER = "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0"
KEY_ID = "fake-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(key: rsa.RSAPrivateKey, key_id: str, endorsements: list[str] | None) -> dict[str, Any]:
    numbers = key.public_key().public_numbers()
    entry: dict[str, Any] = {
        "kty": "RSA",
        "use": "sig",
        "kid": key_id,
        "n": _b64(numbers.n),
        "e": _b64(numbers.e),
    }
    if endorsements is not None:
        entry["endorsements"] = endorsements
    return entry


@dataclass
class FakeOpenId:
    """Serves ``/metadata`` and ``/keys``; counts what was asked."""

    endorsements: list[str] | None = field(default_factory=lambda: ["msteams", "emulator"])
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    # The id the key is published under (a rotation changes both).
    key_id: str = KEY_ID
    requests: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    url: str = ""

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/metadata"

    async def start(self) -> None:
        application = web.Application()
        application.router.add_get("/metadata", self._metadata)
        application.router.add_get("/keys", self._keys)
        self._runner = web.AppRunner(application, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metadata(self, request: web.Request) -> web.Response:
        self.requests.append("metadata")
        return web.json_response({"issuer": CHANNEL_ISSUER, "jwks_uri": f"{self.url}/keys"})

    async def _keys(self, request: web.Request) -> web.Response:
        self.requests.append("keys")
        return web.json_response({"keys": [jwk(self.key, self.key_id, self.endorsements)]})

    def token(
        self,
        app_id: str,
        service_url: str,
        *,
        key: rsa.RSAPrivateKey | None = None,
        key_id: str | None = None,
        algorithm: str = "RS256",
        lifetime: float = 3600,
        **claims: Any,
    ) -> str:
        """A token as the Bot Connector signs it; ``claims`` override (None removes one)."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": CHANNEL_ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 10,
            "iat": now - 10,
            "exp": int(now + lifetime),
        }
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode(
            payload, key or self.key, algorithm=algorithm, headers={"kid": key_id or self.key_id}
        )


class HangingHost:
    """Accepts connections and holds them without a byte in answer."""

    def __init__(self) -> None:
        self.connections = 0
        self.connected = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.connected.set()
        self._writers.append(writer)

    async def stop(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
