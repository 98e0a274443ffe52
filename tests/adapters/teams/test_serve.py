"""``tandem serve`` in a real process, with no credentials: Teams answers on /api/messages,
unauthenticated and saying so, and replies reach the (fake) Bot Connector."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp

from tests.fakes.bot_connector import TENANT, FakeBotConnector

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_tandem_serve_answers_teams_without_credentials(
    tmp_path: Path, fake_connector: FakeBotConnector
) -> None:
    port = _free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_", "MICROSOFT_"))
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        PORT=str(port),
        TANDEM_LOCALE="en",
        MICROSOFT_SERVICE_URL=fake_connector.url,
    )
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=tmp_path,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            activity = {
                "type": "message",
                "id": "1",
                "serviceUrl": fake_connector.url,
                "channelId": "msteams",
                "from": {"id": "29:someone", "name": "Someone"},
                "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": "a:1"},
                "recipient": {"id": "28:bot", "name": "Tandem"},
                "locale": "en-US",
                "text": "help",
            }
            async with http.post(
                f"http://127.0.0.1:{port}/api/messages", json=activity
            ) as response:
                assert response.status == 200
        (reply,) = await fake_connector.wait_for(1, within=20)
        assert reply.conversation_id == "a:1"
        assert "session log" in reply.text
    finally:
        server.terminate()
        _, errors = await server.communicate()
    assert b"NOT authenticated" in errors
