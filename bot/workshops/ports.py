"""What the workshops need from storage (storage/workshop_queries.py implements it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.digest.figures import DigestPeriod
from bot.workshops.model import Workshop, WorkshopFigures, WorkshopRow, WorkshopSeat


class WorkshopQueries(Protocol):
    async def workshop(self, workshop_id: int, *, locked: bool = False) -> Workshop | None:
        """The workshop; ``locked`` until the end of the transaction (seats are counted under
        that lock, so two people never take the last seat together)."""
        ...

    async def workshop_seat(self, seat_id: int) -> WorkshopSeat | None: ...

    async def seats_of(self, workshop_id: int) -> Sequence[WorkshopSeat]:
        """Every seat and waitlist place, in the order they were asked for."""
        ...

    async def seat_of(self, workshop_id: int, person_id: int) -> WorkshopSeat | None: ...

    async def upcoming_seats_of(self, person_id: int, after: datetime) -> Sequence[WorkshopSeat]:
        """The person's seats and waitlist places (not given up) in workshops not cancelled
        that start after ``after``."""
        ...

    async def workshops_hosted_by(
        self, host_id: int, after: datetime, before: datetime
    ) -> Sequence[Workshop]:
        """The host's workshops not cancelled that start in ``[after, before)``."""
        ...

    async def workshops_starting(self, after: datetime, before: datetime) -> Sequence[Workshop]:
        """Workshops not cancelled that start in ``[after, before)``, by start time."""
        ...

    async def workshop_invitees(self, workshop: Workshop, after: int, limit: int) -> Sequence[int]:
        """The next ``limit`` people (by id, above ``after``) actively enrolled in one of the
        workshop's programs, but its host, each once."""
        ...

    async def workshop_invitee_count(self, workshop: Workshop) -> int:
        """How many people ``workshop_invitees`` gives in all."""
        ...

    async def workshop_figures(self, period: DigestPeriod) -> WorkshopFigures: ...

    async def workshop_rows(self, program_id: int) -> Sequence[WorkshopRow]: ...
