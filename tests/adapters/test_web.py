"""The product's web server answers over real HTTP."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from adapters.web import make_app


async def test_health_check_over_http() -> None:
    async with TestClient(TestServer(make_app())) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok"}
        assert (await client.get("/nowhere")).status == 404
