"""The product's web server answers over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import make_app, run_server
from bot.settings import Settings


async def test_health_check_over_http() -> None:
    async with TestClient(TestServer(make_app())) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        assert await response.json() == {"status": "ok"}
        assert (await client.get("/nowhere")).status == 404


async def test_sharing_the_port_between_processes_needs_postgresql(tmp_path: Path) -> None:
    # Two processes on one SQLite file would each take over the other's inbox rows.
    settings = Settings(database_url=f"sqlite:///{tmp_path}/tandem.db", tandem_reuse_port=True)
    with pytest.raises(ValueError, match=r"TANDEM_REUSE_PORT .* PostgreSQL"):
        await run_server(settings)
    assert not (tmp_path / "tandem.db").exists(), "refused before anything was written"
