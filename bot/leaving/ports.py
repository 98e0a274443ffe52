"""What the leavers' handling needs from storage, beyond the unit of work's basics."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class PeopleChange:
    """One line of the digest's "comings and goings": someone left the company, came back,
    was paused for their silence, or their pair was closed for lack of activity."""

    action: str
    at: datetime
    # None once the person's data was erased.
    name: str | None
    details: dict[str, object]


@dataclass(frozen=True)
class ReachCounts:
    """The reach report's counts for the digest, the report and the export: the messages owed
    to everyone invited to or enrolled in a program, by state, and the people behind them."""

    people: int = 0
    delivered: int = 0
    waiting: int = 0
    retrying: int = 0
    failed: int = 0
    # People the bot has no way to write to yet (on Teams, they never opened the app).
    never_opened: int = 0
    # People with a message failed or retrying, or who never opened the app.
    not_reached: int = 0


@dataclass(frozen=True)
class PersonReach:
    """Where the messages owed to one person stand (the dashboard's people page)."""

    delivered: int = 0
    waiting: int = 0
    retrying: int = 0
    failed: int = 0
    never_opened: bool = False
    # The platforms' refusals of the failed ones, as recorded (``bot.leaving.reach.reason_of``).
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotReached:
    """One line of the reach report: someone the bot does not reach, and why."""

    person_id: int
    name: str
    left: bool
    reach: PersonReach


class LeaverQueries(Protocol):
    async def skip_outbox_to(self, person_id: int) -> int:
        """Mark every message still waiting for the person as skipped (never sent); returns
        how many."""
        ...

    async def people_changes(
        self, program_id: int, start: datetime, end: datetime, actions: Sequence[str]
    ) -> Sequence[PeopleChange]:
        """The program's audit lines of these actions in [start, end), oldest first."""
        ...

    async def recent_checkins(
        self, enrollment_ids: Collection[int] | None
    ) -> dict[int, list[tuple[datetime, bool]]]:
        """enrollment id -> its check-ins no longer open since its latest answered one (those
        an unanswered streak is made of), newest first, as (due at, answered); None: every
        enrollment's (the tick's full scan)."""
        ...

    async def left_before(self, moment: datetime, limit: int) -> Sequence[int]:
        """Ids of people who left at or before ``moment`` and are still stored (by the index on
        ``left_at``), oldest departures first."""
        ...

    async def reach_counts(self, program_id: int, now: datetime) -> ReachCounts:
        """The messages owed to everyone invited to or enrolled in the program, counted by
        state in the database: one row read, whatever the size of the program."""
        ...

    async def not_reached(self, program_id: int, now: datetime, limit: int) -> Sequence[NotReached]:
        """The program's people some message does not reach (failed, retrying, or who never
        opened the app), by name, at most ``limit``."""
        ...

    async def failed_people(self, program_id: int) -> Sequence[int]:
        """Ids of the program's people with a failed message."""
        ...

    async def reach_of_people(
        self, person_ids: Collection[int], now: datetime
    ) -> dict[int, PersonReach]:
        """Each of these people's ``PersonReach`` (counted as ``reach_counts`` does)."""
        ...

    async def retry_failed(self, person_ids: Collection[int], now: datetime) -> int:
        """Failed messages to these people go out again now; returns how many."""
        ...
