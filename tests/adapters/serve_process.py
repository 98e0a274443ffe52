"""``tandem serve`` in a real process of its own, for crash, shutdown and failover tests.

The process talks to the test's fake vendor servers; the test sends it signed requests over
real HTTP, kills it (SIGKILL) or stops it (SIGTERM), starts another, and reads the database to
see what was applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Enrollment, Pair, Person, Program, Role
from storage.database import create_engine
from storage.inbox_store import inbox_file_url
from storage.unit_of_work import SqlUnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServeProcess:
    process: asyncio.subprocess.Process
    url: str = ""
    # Every line the process logged so far: read as it comes, so that a chatty process never
    # blocks on a full pipe.
    lines: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, environment: dict[str, str]) -> ServeProcess:
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TANDEM_", "SLACK_", "MICROSOFT_", "TEAMS_", "DATABASE_"))
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            cwd=ROOT,
            env={
                **inherited,
                # The system picks a free port, which the process logs: no two test workers can
                # ever share one.
                "PORT": "0",
                "TANDEM_LOG_LEVEL": "INFO",
                "TANDEM_LOG_FORMAT": "json",
                **environment,
            },
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        server = cls(process)
        server._reader = asyncio.create_task(server._read())
        port = await server._listening_port()
        server.url = f"http://127.0.0.1:{port}"
        await server.healthy()
        return server

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace"))

    async def _listening_port(self, within: float = 30.0) -> int:
        async with asyncio.timeout(within):
            while True:
                for line in self.lines:
                    with contextlib.suppress(ValueError):
                        record = json.loads(line)
                        if record.get("message") == "web server listening":
                            return int(record["port"])
                if self.process.returncode is not None:
                    raise RuntimeError(f"tandem serve exited at start: {self.log[-2000:]}")
                await asyncio.sleep(0.05)

    async def healthy(self, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(f"tandem serve exited at start: {self.log[-2000:]}")
                try:
                    async with http.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError("tandem serve did not answer /healthz")
                await asyncio.sleep(0.1)

    async def stop(self, number: signal.Signals, within: float = 30.0) -> int:
        self.process.send_signal(number)
        try:
            async with asyncio.timeout(within):
                code = await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            tail = "".join(self.lines[-30:])
            raise AssertionError(f"{number.name} did not stop it in {within} s:\n{tail}") from None
        if self._reader is not None:
            # Whatever it wrote before it ended; a pipe some other process kept open cannot hold
            # the test.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._reader), 5)
        return code

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def errors(self) -> str:
        """What the process logged (all of it once it has stopped)."""
        if self.process.returncode is not None and self._reader is not None:
            await self._reader
        return self.log


async def seed_pairs(
    uow_factory: SqlUnitOfWorkFactory, platform: str, workspace: str, mentors: list[str]
) -> None:
    """One program; each mentor paired with a mentee of their own (``<mentor>-mentee``)."""
    now = datetime.now(UTC)
    async with uow_factory() as uow:
        program = Program("Pilot", now.date(), now, "en", "Europe/Paris", sessions_planned=50)
        uow.add(program)
        await uow.flush()
        assert program.id is not None
        for mentor in mentors:
            people = [
                Person(platform, workspace, user, user, now, locale="en")
                for user in (mentor, f"{mentor}-mentee")
            ]
            for person in people:
                uow.add(person)
            await uow.flush()
            assert people[0].id is not None and people[1].id is not None
            enrollments = [
                Enrollment(program.id, people[0].id, Role.MENTOR, now),
                Enrollment(program.id, people[1].id, Role.MENTEE, now),
            ]
            for enrollment in enrollments:
                uow.add(enrollment)
            await uow.flush()
            assert enrollments[0].id is not None and enrollments[1].id is not None
            uow.add(Pair(program.id, enrollments[0].id, enrollments[1].id, now))
        await uow.commit()


def inbox_engine(uow_factory: SqlUnitOfWorkFactory) -> AsyncEngine:
    """Where the inbox is: its own file beside a SQLite database, the database itself else."""
    side = inbox_file_url(uow_factory.engine.url.render_as_string(hide_password=False))
    return create_engine(side) if side is not None else uow_factory.engine


async def logged_topics(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    async with uow_factory.engine.connect() as connection:
        rows = await connection.execute(sa.text("SELECT topics FROM session_log"))
        return [str(row[0]) for row in rows]


async def _count(uow_factory: SqlUnitOfWorkFactory, where: str) -> int:
    engine = inbox_engine(uow_factory)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(sa.text(f"SELECT count(*) FROM inbox WHERE {where}"))
            return int(count or 0)
    finally:
        if engine is not uow_factory.engine:
            await engine.dispose()


async def unfinished_inbox(uow_factory: SqlUnitOfWorkFactory) -> int:
    return await _count(uow_factory, "status = 'pending'")


async def held_inbox_rows(uow_factory: SqlUnitOfWorkFactory, pid: int) -> int:
    """Rows still held by the process ``pid`` (process names are ``host:pid:random``)."""
    return await _count(uow_factory, f"status = 'pending' AND claimed_by LIKE '%:{pid}:%'")


async def drained(uow_factory: SqlUnitOfWorkFactory, within: float) -> None:
    """Waits until the inbox holds nothing left to run (the database is polled: the work
    happens in another process)."""
    async with asyncio.timeout(within):
        while await unfinished_inbox(uow_factory):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
