"""The deliverer's parts that are not about one message: policy, pacing, and the two writers
that keep the database told while sends go on (attempts marked, outcomes recorded)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from aiolimiter import AsyncLimiter

from bot.domain import OutboxMessage
from bot.ports import DeliveryError, Pace

logger = logging.getLogger("tandem.delivery")
T = TypeVar("T")

# How long a stopping deliverer keeps trying to reach the database before it gives up on
# recording what it sent (those rows are then looked up by the next deliverer).
RECORD_DEADLINE_WHEN_STOPPING = 10.0
RETRY_FIRST_DELAY = 0.2
RETRY_MAX_DELAY = 2.0


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int = 200
    # How long a claimed row is reserved; renewed every third of it while the deliverer works.
    lease: timedelta = timedelta(seconds=30)
    max_attempts: int = 8
    first_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(hours=1)
    concurrency: int = 32
    # Outcomes are written at least this often while a batch goes out, so that a crash leaves
    # few sends unrecorded (each of those costs a history lookup afterwards).
    record_interval: float = 0.25
    # A message is looked for in history from a little before its send began (clock skew).
    lookup_margin: timedelta = timedelta(minutes=2)

    # Up to this fraction is added at random to each wait, so that messages that failed
    # together (a rate limit, an outage) do not all come back at the same instant.
    jitter: float = 0.25

    @property
    def heartbeat_seconds(self) -> float:
        return self.lease.total_seconds() / 3

    @property
    def send_timeout(self) -> float:
        """A send ends well within the lease its mark renewed, database or not."""
        return self.lease.total_seconds() / 2

    def backoff(
        self, attempts: int, retry_after: float | None, rng: random.Random | None = None
    ) -> timedelta:
        """Exponential from ``first_backoff``, or the platform's ``Retry-After`` (never less)."""
        if retry_after is not None:
            wait = timedelta(seconds=retry_after)
        else:
            wait = min(self.first_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return wait * (1 + (rng or random).uniform(0, self.jitter))


@dataclass
class Outcome:
    platform_id: str | None = None
    error: DeliveryError | None = None
    # Not tried in this round (an earlier message to the same conversation failed).
    released: bool = False
    at: datetime | None = None


@dataclass
class Pacer:
    """Leaky buckets per platform and per conversation, and a pause after a 429."""

    pace: Pace
    overall: AsyncLimiter
    conversations: dict[str, AsyncLimiter] = field(default_factory=dict)
    paused_until: float = 0.0

    @classmethod
    def for_pace(cls, pace: Pace) -> Pacer:
        # The bucket holds the platform's burst, but refills at least every 50 ms: shorter
        # periods make asyncio's timers, not the rate, the limit.
        capacity = max(1.0, min(float(pace.burst), pace.per_second), pace.per_second * 0.05)
        return cls(pace, AsyncLimiter(capacity, capacity / pace.per_second))

    async def wait(self, conversation: str) -> None:
        delay = self.paused_until - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
        limiter = self.conversations.get(conversation)
        if limiter is None:
            limiter = self.conversations[conversation] = AsyncLimiter(
                1, 1 / self.pace.per_conversation_per_second
            )
        await limiter.acquire()
        await self.overall.acquire()

    def stale(self, since: float) -> bool:
        """Whether a permission to send given at loop time ``since`` is too old to use: the
        bucket has refilled since, so sends held that long would go out as one burst."""
        return asyncio.get_running_loop().time() - since > self.overall.time_period

    def back_off(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self.paused_until = max(self.paused_until, loop.time() + seconds)


async def unless_stopped(
    work: Coroutine[Any, Any, T], stop: asyncio.Event
) -> tuple[bool, T | None]:
    """Run ``work`` unless ``stop`` is set first (it is then cancelled): (finished, result)."""
    if stop.is_set():
        work.close()
        return False, None
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if task.done():
        return True, task.result()
    task.cancel()
    return False, None


class AttemptMarks:
    """Marks rows as "a send begins" before each send, many at once: every mark asked for
    while one write is under way goes into the next write (a group commit)."""

    def __init__(self, write: Callable[[list[int]], Awaitable[set[int]]]) -> None:
        self._write = write
        self._waiting: dict[int, asyncio.Future[bool]] = {}
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, message_id: int) -> bool:
        """True once the mark is stored; False when the row is no longer ours. Raises when
        the database could not be reached (the send must then wait)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[message_id] = future
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        return await future

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                marked = await self._write(list(batch))
            except Exception as error:  # the database is away: each sender waits and retries
                for future in batch.values():
                    if not future.done():
                        future.set_exception(error)
                continue
            for message_id, future in batch.items():
                if not future.done():
                    future.set_result(message_id in marked)


class Recorder:
    """Outcomes waiting to be written, written in the background every ``interval`` and
    retried with backoff for as long as the database does not answer."""

    def __init__(
        self, write: Callable[[dict[int, Outcome]], Awaitable[None]], interval: float
    ) -> None:
        self._write = write
        self.interval = interval
        self.pending: dict[int, Outcome] = {}
        self.recorded = 0
        self._lock = asyncio.Lock()

    def add(self, outcomes: dict[int, Outcome]) -> None:
        self.pending.update(outcomes)

    async def run(self) -> None:
        """Write in the background, one try at a time (so that a ``flush`` can take over),
        less often while the database does not answer."""
        delay = self.interval
        while True:
            await asyncio.sleep(delay)
            if not self.pending:
                continue
            try:
                async with self._lock:
                    await self._write_pending()
                delay = self.interval
            except Exception as error:
                logger.warning("recording outcomes failed: %r", error)
                delay = min(delay * 2, RETRY_MAX_DELAY)

    async def flush(self, stop: asyncio.Event | None = None) -> bool:
        """Write every outcome added so far, retrying while the database does not answer;
        False if ``stop`` was set and it stayed away for a while longer."""
        async with self._lock:
            while self.pending:
                if not await retry(self._write_pending, stop, "recording outcomes"):
                    logger.error(
                        "could not record sent messages; they will be looked up",
                        extra={"outcomes": len(self.pending)},
                    )
                    return False
        return True

    async def _write_pending(self) -> None:
        batch = dict(self.pending)
        await self._write(batch)
        for message_id, outcome in batch.items():
            if self.pending.get(message_id) is outcome:
                del self.pending[message_id]
        self.recorded += len(batch)


async def retry(
    work: Callable[[], Awaitable[object]], stop: asyncio.Event | None, what: str
) -> bool:
    """Run ``work`` until it succeeds, with backoff (the database may be restarting). Once
    ``stop`` is set, give up after ``RECORD_DEADLINE_WHEN_STOPPING`` more seconds."""
    loop = asyncio.get_running_loop()
    delay = RETRY_FIRST_DELAY
    stop_seen: float | None = None
    while True:
        try:
            await work()
            return True
        except Exception as error:
            if delay == RETRY_FIRST_DELAY:
                logger.warning("%s failed, retrying: %r", what, error)
        if stop is not None and stop.is_set():
            if stop_seen is None:
                stop_seen = loop.time()
            if loop.time() - stop_seen > RECORD_DEADLINE_WHEN_STOPPING:
                return False
        await asyncio.sleep(delay)
        delay = min(delay * 2, RETRY_MAX_DELAY)


def conversation_of(message: OutboxMessage) -> str:
    """Messages of one conversation go out in order, one after the other."""
    if message.channel is not None:
        return "channel:" + json.dumps(message.channel, sort_keys=True)
    return f"person:{message.person_id}"
