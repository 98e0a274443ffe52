"""One HTTP call to a calendar API: bounded in time, 429s retried within a short budget, and
every failure turned into a ``CalendarRefused`` with the reason the owners are told.

A turn waits for this, so the budget is short: past it the session is booked with the .ics
fallback rather than keeping the person waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Mapping
from typing import Any

import aiohttp

from bot.calendar.mailbox import CalendarRefused, Refusal

logger = logging.getLogger("tandem.calendar")
# A 429 or 503 without Retry-After: wait this long before the next try.
DEFAULT_RETRY_AFTER = 1.0
# A delete's answers when the thing is gone already: what was asked.
GONE = (404, 410)
# Requests in flight at once from one process: Graph allows four per mailbox and throttles an
# application that floods a tenant; batches of mailboxes keep this from being the bottleneck.
MAX_IN_FLIGHT = 8


def refusal_of(status: int) -> Refusal:
    if status in (401, 403):
        return Refusal.CONSENT
    if status in (404, 410):
        return Refusal.NOT_FOUND
    if status == 429:
        return Refusal.THROTTLED
    return Refusal.DOWN


class CalendarHttp:
    def __init__(
        self,
        *,
        timeout_seconds: float,
        retry_budget_seconds: float,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.retry_budget = retry_budget_seconds
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._session: aiohttp.ClientSession | None = None
        # Requests sent (the benchmark's figure), retries included.
        self.sent = 0

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(
        self,
        method: str,
        url: str,
        *,
        token: str,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        already_done: Collection[int] = (),
    ) -> Any:
        """The JSON answer (None for an empty one, or for a status of ``already_done``: what
        was asked is so already, e.g. ``GONE`` for a delete, 409 for an install)."""
        deadline = time.monotonic() + self.retry_budget
        sending = {"Authorization": f"Bearer {token}", **(headers or {})}
        while True:
            self.sent += 1
            try:
                async with (
                    self._in_flight,
                    self.session().request(
                        method, url, json=json, params=params, headers=sending
                    ) as response,
                ):
                    status = response.status
                    retry_after = response.headers.get("Retry-After")
                    text = await response.text()
            except (TimeoutError, aiohttp.ClientError) as error:
                logger.warning("calendar %s %s failed: %r", method, _path(url), error)
                raise CalendarRefused(Refusal.DOWN, type(error).__name__) from error
            if status < 300:
                return _json(text)
            if status in already_done:
                return None
            if status in (429, 503):
                wait = _seconds(retry_after)
                if time.monotonic() + wait <= deadline:
                    await asyncio.sleep(wait)
                    continue
            logger.warning("calendar %s %s answered %s", method, _path(url), status)
            raise CalendarRefused(refusal_of(status), f"HTTP {status}")


def _json(text: str) -> Any:
    import json

    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise CalendarRefused(Refusal.DOWN, "not JSON") from error


def _seconds(retry_after: str | None) -> float:
    try:
        return max(0.0, float(retry_after)) if retry_after else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _path(url: str) -> str:
    # Mailbox addresses sit in the paths: the log keeps the host and the API's last word only.
    head, _, tail = url.rpartition("/")
    return f"{head.split('/users/')[0].split('/calendars/')[0]}/…/{tail}"
