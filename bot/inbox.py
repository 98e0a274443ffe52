"""The durable inbox: every platform request is written down before it is acknowledged.

An adapter verifies a request, hands it to :meth:`InboxRunner.accept` (one small insert, keyed by
the platform's own id so that a retry finds the same row) and only then acknowledges it. The
turn runs from the row, in order per conversation, and the row is marked done afterwards. A row
is held by the process that runs it for a short lease, renewed while it runs; when a process dies
its rows' leases run out and the next process (any replica on PostgreSQL, the restarted one on
SQLite) runs them. A graceful stop hands its rows back at once instead.

The engine keeps turns exactly once on top of that: each turn records its delivery id in the
same transaction as its changes (``mark_delivery_processed``), so a row run a second time — its
process froze past the lease, or died between the turn's commit and the row's ``done`` — changes
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.clock import SystemClock

logger = logging.getLogger("tandem.inbox")

PENDING = "pending"
DONE = "done"
FAILED = "failed"
# A turn that fails before the engine ran (the platform's API down, the database gone) is tried
# again later, with this backoff; a turn the engine ran is never failed here (it answers errors).
RETRY_BACKOFF = (2.0, 10.0, 60.0, 300.0)
# Finished rows keep their key (their payload is erased at once) so that a platform's retry of
# a request already run is recognised; after this long nobody retries any more.
KEEP_FINISHED = timedelta(days=2)


@dataclass(frozen=True)
class InboxItem:
    """One request as the platform sent it (after verification), and where it belongs."""

    key: str
    platform: str
    conversation: str
    kind: str
    payload: dict[str, Any]
    id: int | None = None
    attempts: int = 0
    # Who sent it, as the platform names them ("slack:T1:U1", "teams:29:…"): a person forgotten
    # has their requests erased in every conversation, and nobody else's in a shared one.
    sender: str = ""


class InboxStore(Protocol):
    """Where the inbox lives; each call is its own short transaction."""

    async def accept(
        self, item: InboxItem, owner: str, now: datetime, lease: datetime
    ) -> int | None:
        """Writes the row, held by ``owner``; None when the key is there already (a retry)."""
        ...

    async def accept_in_order(
        self, item: InboxItem, owner: str, now: datetime, lease: datetime
    ) -> tuple[int, bool] | None:
        """Like ``accept``, and says whether the row waits for an earlier request of its
        conversation that another process holds or that waits to be taken: it is then
        written unheld, and runs where that one finishes (several replicas)."""
        ...

    async def claim(
        self, owner: str, now: datetime, lease: datetime, limit: int, *, take_over: bool = False
    ) -> Sequence[InboxItem]:
        """The oldest unfinished rows nobody holds, in order, skipping conversations whose
        earlier rows another process still holds; with ``take_over``, whoever held them (a
        lone SQLite process restarting after a crash)."""
        ...

    async def renew(self, owner: str, ids: Sequence[int], lease: datetime) -> set[int]:
        """Extends the lease of the rows ``owner`` still holds; returns their ids."""
        ...

    async def finish(self, item_id: int, owner: str, now: datetime, conversation: str = "") -> bool:
        """Marks the row done; True when later rows of ``conversation`` wait to be taken."""
        ...

    async def retry_later(
        self, item_id: int, owner: str, not_before: datetime, error: str, *, give_up: bool
    ) -> None: ...

    async def release(self, owner: str, ids: Sequence[int] | None = None) -> int:
        """Hands back rows held by ``owner`` (all of them by default) for anyone to run now."""
        ...

    async def purge(self, finished_before: datetime) -> int: ...

    async def unfinished(self) -> int: ...

    async def pending_from(self, sender: str, other_than: int | None) -> int:
        """How many requests of ``sender`` wait to be run, ``other_than`` aside."""
        ...

    async def forget_sender(self, sender: str, now: datetime) -> int:
        """Erase what every request of ``sender`` holds and mark them done (a person
        forgotten: nothing they sent stays, in any conversation, and nothing of theirs runs
        after); returns how many."""
        ...

    async def close(self) -> None: ...


InboxHandler = Callable[[InboxItem], Awaitable[None]]

# The request whose turn is running, for the engine to find its sender's other requests.
RUNNING: contextvars.ContextVar[InboxItem | None] = contextvars.ContextVar(
    "tandem_inbox_running", default=None
)


def process_name() -> str:
    """A name for this process, unique among replicas and restarts."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass
class InboxSettings:
    lease_seconds: float = 30.0
    # Turns that run at once (the others wait their turn): a burst must not exhaust the pool.
    concurrency: int = 4
    # How often rows left by a dead process are looked for.
    poll_seconds: float = 2.0
    claim_batch: int = 200


@dataclass
class _Running:
    item: InboxItem
    task: asyncio.Task[None]


@dataclass
class InboxRunner:
    store: InboxStore
    settings: InboxSettings = field(default_factory=InboxSettings)
    owner: str = field(default_factory=process_name)
    # A lone process (SQLite) takes over whatever a crashed predecessor left, lease or not.
    sole_process: bool = False
    # Leases are measured on the wall clock, never on a virtual clock the engine may run on.
    now: Callable[[], datetime] = field(default_factory=lambda: SystemClock().now)

    def __post_init__(self) -> None:
        self._handlers: dict[str, InboxHandler] = {}
        self._running: dict[int, _Running] = {}
        self._conversations: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._loops: list[asyncio.Task[None]] = []
        self._accepting = True
        self._wake = asyncio.Event()
        # Rows erased while waiting for their turn here (their sender was forgotten).
        self._dropped: set[int] = set()

    def register(self, platform: str, handler: InboxHandler) -> None:
        self._handlers[platform] = handler

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.lease_seconds)

    @property
    def accepting(self) -> bool:
        return self._accepting

    # Receiving
    async def accept(self, item: InboxItem) -> asyncio.Task[None] | None:
        """Writes the request down and starts its turn; returns the running turn, or None for a
        request already received (a platform retry). Raises when the request could not be
        written: the adapter must then not acknowledge it, so that the platform tries again."""
        now = self.now()
        accepted = await self.store.accept_in_order(item, self.owner, now, now + self.lease)
        if accepted is None:
            return None
        item_id, waits = accepted
        if waits:
            # Another replica runs an earlier request of this conversation: this one runs
            # after it, taken by whichever process finishes that one (or finds it free).
            return None
        if not self._accepting:
            # Stopping: the request is safe in the inbox; the next process runs it.
            await self.store.release(self.owner, [item_id])
            return None
        stored = replace(item, id=item_id)
        return self._start(stored)

    # Running
    def _start(self, item: InboxItem) -> asyncio.Task[None]:
        assert item.id is not None
        task = asyncio.create_task(self._run(item))
        self._running[item.id] = _Running(item, task)
        task.add_done_callback(lambda _: self._running.pop(item.id or 0, None))
        return task

    async def _run(self, item: InboxItem) -> None:
        assert item.id is not None
        async with self._conversation(item.conversation), self._slots:
            if item.id in self._dropped:
                # Its sender was forgotten while it waited: the row is erased, nothing runs.
                self._dropped.discard(item.id)
                return
            handler = self._handlers.get(item.platform)
            running = RUNNING.set(item)
            try:
                if handler is None:
                    raise LookupError(f"no handler for {item.platform}")
                await handler(item)
            except asyncio.CancelledError:
                # A stop past its deadline: the row stays for the next process.
                raise
            except Exception as error:
                await self._failed(item, error)
                return
            finally:
                RUNNING.reset(running)
            try:
                if await self.store.finish(item.id, self.owner, self.now(), item.conversation):
                    # Requests of this conversation written meanwhile on another replica wait
                    # for this one: they are taken now rather than at the next poll.
                    self._wake.set()
            except Exception:
                # The turn ran; a second run is harmless (the engine drops it by delivery id).
                logger.warning("could not mark an inbox row done", extra={"inbox_id": item.id})

    # A person forgotten (``/tandem forget-me``)
    async def pending_like(self, item: InboxItem) -> int:
        """How many other requests of the sender of ``item`` wait to be run."""
        return await self.store.pending_from(item.sender, item.id)

    async def forget_like(self, item: InboxItem) -> int:
        """Erase the requests of the sender of ``item``, in every conversation (those waiting
        here are not run), and what ``item`` itself holds. Other people's requests in a shared
        conversation (a Teams channel) run as if nothing happened."""
        for running in self._running.values():
            waiting = running.item
            if waiting.sender == item.sender and waiting.id != item.id:
                self._dropped.add(waiting.id or 0)
        return await self.store.forget_sender(item.sender, self.now())

    async def _failed(self, item: InboxItem, error: Exception) -> None:
        assert item.id is not None
        attempt = item.attempts + 1
        give_up = attempt > len(RETRY_BACKOFF)
        delay = RETRY_BACKOFF[min(attempt, len(RETRY_BACKOFF)) - 1]
        logger.warning(
            "inbox turn failed",
            exc_info=error,
            extra={"inbox_id": item.id, "platform": item.platform, "attempt": attempt},
        )
        with contextlib.suppress(Exception):
            await self.store.retry_later(
                item.id,
                self.owner,
                self.now() + timedelta(seconds=delay),
                type(error).__name__,
                give_up=give_up,
            )

    @contextlib.asynccontextmanager
    async def _conversation(self, conversation: str) -> Any:
        """One lock per conversation while some turn of it waits or runs; freed when idle."""
        lock = self._conversations.get(conversation)
        if lock is None:
            lock = self._conversations[conversation] = asyncio.Lock()
        self._waiting[conversation] = self._waiting.get(conversation, 0) + 1
        try:
            async with lock:
                yield
        finally:
            left = self._waiting[conversation] - 1
            if left:
                self._waiting[conversation] = left
            else:
                del self._waiting[conversation]
                del self._conversations[conversation]

    # Recovery and leases
    async def start(self) -> None:
        """Runs what earlier processes left, then keeps the leases and looks for more."""
        await self.recover()
        self._loops = [
            asyncio.create_task(self._recover_forever()),
            asyncio.create_task(self._renew_forever()),
        ]

    async def recover(self) -> int:
        """Claims rows nobody runs (their process died or stopped) and runs them."""
        if not self._accepting:
            return 0
        now = self.now()
        claimed = await self.store.claim(
            self.owner,
            now,
            now + self.lease,
            self.settings.claim_batch,
            take_over=self.sole_process,
        )
        if len(claimed) == self.settings.claim_batch:
            # There may be more: the next round comes at once.
            self._wake.set()
        started = 0
        for item in claimed:
            assert item.id is not None
            if item.id in self._running:
                continue
            self._start(item)
            started += 1
        if started:
            logger.info("inbox rows recovered", extra={"recovered": started})
        return started

    async def _recover_forever(self) -> None:
        purged_at = self.now()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_seconds)
            self._wake.clear()
            try:
                await self.recover()
                if self.now() - purged_at > timedelta(hours=1):
                    purged_at = self.now()
                    await self.store.purge(purged_at - KEEP_FINISHED)
            except Exception:
                logger.warning("inbox recovery round failed; trying again", exc_info=True)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.lease_seconds / 3)
            ids = list(self._running)
            if not ids:
                continue
            try:
                held = await self.store.renew(self.owner, ids, self.now() + self.lease)
            except Exception:
                logger.warning("could not renew inbox leases", exc_info=True)
                continue
            lost = set(ids) - held
            if lost:
                # Another process took them (this one was frozen past the lease): they run
                # there; the engine drops whichever of the two turns commits second.
                logger.warning("inbox leases lost", extra={"lost": len(lost)})

    async def settled(self) -> None:
        """Returns once every turn started so far is done."""
        while self._running:
            await asyncio.gather(
                *(running.task for running in list(self._running.values())),
                return_exceptions=True,
            )

    async def stop(self, deadline_seconds: float) -> int:
        """Stops taking new rows, lets running turns finish within the deadline, then hands
        back at once whatever is left (cancelled turns, queued ones). Returns how many."""
        self._accepting = False
        for loop in self._loops:
            loop.cancel()
        for loop in self._loops:
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        self._loops = []
        if self._running:
            tasks = [running.task for running in self._running.values()]
            _, pending = await asyncio.wait(tasks, timeout=deadline_seconds)
            for task in pending:
                task.cancel()
            if pending:
                # Cancelled turns roll back; none may hold the stop for long.
                await asyncio.wait(pending, timeout=2.0)
        try:
            return await self.store.release(self.owner)
        except Exception:
            logger.warning("could not hand back inbox rows; their lease will free them")
            return 0

    async def close(self) -> None:
        await self.settled()
        await self.store.close()


@dataclass(frozen=True)
class SenderRequests:
    """The requests of the person speaking that the inbox holds: ``my-data`` counts those not
    run yet, ``forget-me`` erases them (after its turn commits)."""

    runner: InboxRunner
    item: InboxItem

    async def waiting(self) -> int:
        return await self.runner.pending_like(self.item)

    async def erase(self) -> int:
        return await self.runner.forget_like(self.item)
