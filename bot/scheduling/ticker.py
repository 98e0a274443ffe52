"""One tick: work out from the database what is due now and write it to the outbox.

Nothing is kept in memory between ticks, so a restart or a missed tick loses nothing: the next
tick finds the same things due, and the outbox keys make sure each goes out once.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.digest import closing, weekly
from bot.i18n import Renderer
from bot.ports import UnitOfWork, UnitOfWorkFactory
from bot.prompts import UNANSWERED_KEPT
from bot.scheduling import assessments, checkins, nudges
from bot.scheduling.cohort import Cohort
from bot.turn import EngineConfig

logger = logging.getLogger("tandem.scheduler")
Fence = Callable[[UnitOfWork], Awaitable[bool]]


class LeadershipLostError(RuntimeError):
    """The tick was about to commit after another replica took the scheduler: rolled back."""


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

    async def tick(self, fence: Fence | None = None) -> Counter[str]:
        """Queue everything due now; returns how many messages were queued, by purpose.

        ``fence``, checked in the tick's transaction just before it commits, keeps a leader
        that lost its lease (frozen, cut off) from committing alongside its successor."""
        started = time.perf_counter()
        async with self.uow_factory() as uow:
            cohort = await Cohort.load(uow, self.clock.now(), self.renderer, self.config)
            await nudges.end_pauses(cohort)
            await checkins.remind_and_expire(cohort)
            await checkins.open_new_checkins(cohort)
            await assessments.ask_due_assessments(cohort)
            await nudges.remind_planned_sessions(cohort)
            await nudges.nudge_quiet_pairs_and_charters(cohort)
            await nudges.ask_for_feedback(cohort)
            await closing.post_final_reports(cohort)
            await weekly.post_weekly_digests(cohort)
            await nudges.ask_about_past_sessions(cohort)
            await cohort.flush_outbox()
            now = self.clock.now()
            await uow.purge_prompts(now, now - UNANSWERED_KEPT)
            if fence is not None and not await fence(uow):
                raise LeadershipLostError("the scheduler lease was lost during the tick")
            await uow.commit()
        if cohort.sent:
            logger.info(
                "tick queued messages",
                extra={
                    "queued": dict(cohort.sent),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        return cohort.sent
