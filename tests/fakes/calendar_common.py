"""What the fake Graph and Google Calendar servers share: a server on a free port of the
loopback, recorded requests, seeded busy times, scripted failures and a latency."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Failure:
    """An answer given instead of the real one (429 with Retry-After, 403, 404, 5xx)."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeCalendarServer:
    # Seconds every answer waits (the benchmark's realistic latency).
    latency: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    # mailbox -> its busy (start, end) instants, in UTC.
    busy: dict[str, list[tuple[datetime, datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # The mailboxes that exist in the tenant or domain; None: every address asked exists.
    mailboxes: set[str] | None = None
    # operation name -> answers to give, in order, before answering for real.
    failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    # event id -> the event as the vendor keeps it.
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""
    _runner: web.AppRunner | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail(self, operation: str, *failures: Failure) -> None:
        self.failures[operation].extend(failures)

    def exists(self, mailbox: str) -> bool:
        return self.mailboxes is None or mailbox.lower() in self.mailboxes

    def calls(self, method: str, fragment: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and fragment in r.path]

    def routes(self, application: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        application = web.Application(middlewares=[self._record])
        self.routes(application)
        self._runner = web.AppRunner(application, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        text = await request.text()
        body: Any
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = dict(await request.post()) if text else None
        self.requests.append(Recorded(request.method, request.path, dict(request.query), body))
        if self.latency:
            await asyncio.sleep(self.latency)
        return await handler(request)

    def scripted(self, operation: str) -> web.Response | None:
        queue = self.failures.get(operation)
        if not queue:
            return None
        failure = queue.popleft()
        return web.json_response(failure.body, status=failure.status, headers=failure.headers)

    def new_id(self) -> int:
        return next(self._ids)
