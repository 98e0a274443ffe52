"""One tick: work out from the database what is due now and write it to the outbox.

Nothing is kept in memory between ticks, so a restart or a missed tick loses nothing: the next
tick finds the same things due, and the outbox keys make sure each goes out once.

One program's, pair's or person's bad value never stops the others: inside a step the work for
each one is isolated (``Cohort.isolated``), and a step the database refuses is rolled back
alone. What failed is logged with its id and tried again at the next tick;
``Ticker.last_failures`` says what failed in the last tick.

Rolling back one step alone takes a savepoint per step: two more statements each, a fifth of
an idle tick. So a tick first runs every step in its one transaction, and commits only if
nothing at all failed; otherwise it is rolled back whole and run again carefully, a savepoint
per step, and so are the ticks of the next ``CAREFUL_FOR`` (a bad row stays bad until someone
mends it: it should not cost two ticks each time).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.digest import closing, weekly
from bot.i18n import Renderer
from bot.leaving import inactivity, retention
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.prompts import EXPIRED_EXPLAINED, UNANSWERED_KEPT
from bot.roster.model import DRY_RUN_KEPT
from bot.scheduling import (
    assessments,
    calendar_answers,
    checkins,
    next_due,
    nudges,
    regular_slots,
    workshops,
)
from bot.scheduling.cohort import Cohort
from bot.scheduling.sweep import Sweep
from bot.turn import EngineConfig

logger = logging.getLogger("tandem.scheduler")
Fence = Callable[[UnitOfWork], Awaitable[bool]]
Step = Callable[[Cohort], Awaitable[None]]

# In this order: a pause that ends today lets its check-in open in the same tick.
STEPS: tuple[tuple[str, Step], ...] = (
    ("end_pauses", nudges.end_pauses),
    ("checkin_reminders", checkins.remind_and_expire),
    ("checkins", checkins.open_new_checkins),
    # After the check-ins expired in this tick: they count towards a silence.
    ("inactivity", inactivity.apply_inactivity_policy),
    ("assessments", assessments.ask_due_assessments),
    # Before the reminders: a session declined in a calendar gets no reminder.
    ("calendar_answers", calendar_answers.read_calendar_answers),
    ("regular_slots", regular_slots.book_regular_slots),
    ("session_reminders", nudges.remind_planned_sessions),
    ("quiet_pairs", nudges.nudge_quiet_pairs_and_charters),
    ("feedback_requests", nudges.ask_for_feedback),
    # The closing report first: a program it closes gets no digest after it.
    ("final_reports", closing.post_final_reports),
    ("weekly_digests", weekly.post_weekly_digests),
    ("past_sessions", nudges.ask_about_past_sessions),
    ("workshops", workshops.remind_workshops),
    # Last: an erasure changes nothing the other steps read.
    ("retention", retention.erase_expired_leavers),
)


# Steps that only tidy up after days have passed (see ``Ticker.housekept_at``).
HOUSEKEEPING_STEPS = frozenset({"retention"})
HOUSEKEEPING_EVERY = timedelta(hours=1)
# After a tick that had to be run again with a savepoint per step, the next ones run so too.
CAREFUL_FOR = timedelta(hours=1)


class LeadershipLostError(RuntimeError):
    """The tick was about to commit after another replica took the scheduler: rolled back."""


class _RunAgainCarefully(Exception):
    """A tick run without savepoints had a failure: rolled back, to be run with them."""


class Ticker:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        renderer: Renderer,
        config: EngineConfig,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.renderer = renderer
        self.config = config
        # What failed in the last tick (ids such as "pair:12", "step:checkins"), for /readyz.
        self.last_failures: list[str] = []
        # A process re-evaluates everyone, a stretch per tick: the next moments it records are
        # this version's (a new release may change a delay), whatever an earlier one wrote.
        # None: done (or not wanted).
        self.sweep: Sweep | None = Sweep()
        # How many enrollments and pairs the last tick evaluated.
        self.last_evaluated = 0
        # When the housekeeping (purges, retention) last ran: hourly is soon enough for work
        # counted in days, and spares every other tick its statements.
        self.housekept_at: datetime | None = None
        # Until when ticks run a savepoint per step (see the module's docstring).
        self.careful_until: datetime | None = None

    async def tick(self, fence: Fence | None = None) -> Counter[str]:
        """Queue everything due now; returns how many messages were queued, by purpose.

        ``fence``, checked in the tick's transaction just before it commits, keeps a leader
        that lost its lease (frozen, cut off) from committing alongside its successor."""
        started = time.perf_counter()
        now = self.clock.now()
        if self.careful_until is None or now >= self.careful_until:
            try:
                return await self._tick(fence, started, careful=False)
            except _RunAgainCarefully:
                self.careful_until = now + CAREFUL_FOR
        return await self._tick(fence, started, careful=True)

    async def _tick(self, fence: Fence | None, started: float, *, careful: bool) -> Counter[str]:
        sweep = self.sweep
        async with self.uow_factory() as uow:
            cohort = await Cohort.load(
                uow, self.clock.now(), self.renderer, self.config, sweep=sweep
            )
            housekeeping = (
                self.housekept_at is None or cohort.now - self.housekept_at >= HOUSEKEEPING_EVERY
            )
            for name, step in STEPS:
                if name in HOUSEKEEPING_STEPS and not housekeeping:
                    continue
                if careful:
                    await self._run_step(uow, cohort, name, step)
                else:
                    await self._run_step_at_once(cohort, name, step)
            if not careful and cohort.failures:
                raise _RunAgainCarefully(cohort.failures[0])
            if housekeeping:
                now = self.clock.now()
                await uow.purge_prompts(now - EXPIRED_EXPLAINED, now - UNANSWERED_KEPT)
                await uow.purge_unconfirmed_imports(now - DRY_RUN_KEPT)
            await uow.flush()
            await next_due.record(cohort)
            if fence is not None and not await fence(uow):
                raise LeadershipLostError("the scheduler lease was lost during the tick")
            await uow.commit()
        if housekeeping:
            self.housekept_at = cohort.now
        if sweep is not None:
            self.sweep = sweep.after(cohort.scope.swept)
        marks = cohort.scope.marks
        self.last_evaluated = len(marks.enrollments) + len(marks.pairs)
        self.last_failures = cohort.failures
        if cohort.sent:
            logger.info(
                "tick queued messages",
                extra={
                    "queued": dict(cohort.sent),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return cohort.sent

    async def _run_step_at_once(self, cohort: Cohort, name: str, step: Step) -> None:
        """One step and its messages in the tick's transaction; any failure has the whole tick
        run again carefully."""
        try:
            await step(cohort)
            await cohort.flush_outbox()
            await cohort.uow.flush()
        except Exception as error:
            raise _RunAgainCarefully(f"step:{name}") from error

    async def _run_step(self, uow: UnitOfWork, cohort: Cohort, name: str, step: Step) -> None:
        """One step and its messages in a savepoint: if the database refuses what it wrote,
        that step alone is rolled back, and the others still run."""
        try:
            async with uow.savepoint():
                await step(cohort)
                await cohort.flush_outbox()
                await uow.flush()
        except Exception as error:
            cohort.drop_queued()
            cohort.failures.append(f"step:{name}")
            logger.warning(
                "tick step failed; retried at the next tick",
                extra={"step": name, "error": type(error).__name__},
                exc_info=True,
            )
            await cohort.reload()
