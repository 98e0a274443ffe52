"""The re-evaluation of everyone a process starts with, a stretch of ids at a time.

The next moments stored in the due index are those an earlier release worked out; this one may
work some out differently (a delay changed). So a process goes over every enrollment and pair
once, ``SWEEP_STRETCH`` of each per tick, alongside what is due: at 100,000 people that is
fifty ticks of a few thousand subjects each, instead of one tick loading a whole company (half
a minute and more than a gigabyte of memory, at every restart)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ports import DueSubjects

SWEEP_STRETCH = 2_000


@dataclass(frozen=True)
class Sweep:
    """How far the sweep has got: the last enrollment and pair ids evaluated (None: that kind
    is done)."""

    enrollment_after: int | None = 0
    pair_after: int | None = 0
    # How many of each a tick takes on.
    stretch: int = SWEEP_STRETCH

    def after(self, swept: DueSubjects) -> Sweep | None:
        """Where the next tick goes on, once ``swept`` was evaluated; None when all was."""
        enrollments = _next(self.enrollment_after, swept.enrollments, self.stretch)
        pairs = _next(self.pair_after, swept.pairs, self.stretch)
        if enrollments is None and pairs is None:
            return None
        return Sweep(enrollments, pairs, self.stretch)


def _next(after: int | None, swept: dict[int, int], stretch: int) -> int | None:
    if after is None or len(swept) < stretch:
        return None
    return max(swept)
