"""The console prints the link and ``tandem serve`` serves it: two real processes on one
SQLite file, as an owner trying Tandem on the embedded default would run them."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import aiohttp

from adapters.dashboard.app import COOKIE
from tests.adapters.dashboard.support import LINK
from tests.adapters.serve_process import ROOT, ServeProcess

SCRIPT = """\
@hr /tandem language en
@hr /tandem program new "Pilot"
@hr /tandem dashboard
"""


async def test_the_console_link_opens_on_tandem_serve(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/tandem.db"
    script = tmp_path / "owner.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    environment = {"DATABASE_URL": database, "TANDEM_LOCALE": "en"}
    console = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "console",
        "--script",
        str(script),
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **environment, "PUBLIC_URL": "https://tandem.example.com"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await console.communicate()
    assert console.returncode == 0, err.decode()
    printed = out.decode()
    found = LINK.search(printed)
    assert found and found.group(0).startswith("https://tandem.example.com/dashboard/open/"), (
        printed
    )

    server = await ServeProcess.start(environment)
    try:
        async with aiohttp.ClientSession() as http:
            link = f"{server.url}/dashboard/open/{found.group(1)}"
            async with http.get(link, allow_redirects=False) as response:
                assert response.status == 303
                session = response.cookies[COOKIE].value
                overview = response.headers["Location"]
            headers = {"Cookie": f"{COOKIE}={session}"}
            async with http.get(server.url + overview, headers=headers) as response:
                assert response.status == 200
                assert "<h1>Pilot</h1>" in await response.text()
            async with http.get(link, allow_redirects=False) as response:
                assert response.status == 410
    finally:
        assert await server.stop(signal.SIGTERM) == 0
