"""The calendar when none is connected: Tandem's own knowledge for free/busy, ``.ics`` invites.

Everyone is taken as free outside the sessions and workshops Tandem knows about; each event is
an invitation file the people open in whatever calendar they use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.calendar.invitation import CANCEL, REQUEST, ics
from bot.calendar.known import known_busy
from bot.calendar.port import Booking, SessionEvent
from bot.calendar.slots import Interval
from bot.clock import Clock
from bot.domain import Person
from bot.ports import UnitOfWork


class IcsCalendar:
    """``CalendarPort`` with no calendar behind it."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def free_busy(
        self, people: Sequence[Person], window: Interval
    ) -> dict[int, tuple[Interval, ...]]:
        return await known_busy(self.uow, people, window)

    async def create_event(self, event: SessionEvent) -> Booking:
        return self._booking(event, REQUEST)

    async def update_event(self, event_id: str, event: SessionEvent) -> Booking:
        return self._booking(event, REQUEST)

    async def cancel_event(self, event_id: str, event: SessionEvent) -> Booking:
        return self._booking(event, CANCEL)

    def _booking(self, event: SessionEvent, method: str) -> Booking:
        now: datetime = self.clock.now()
        return Booking(event_id=event.uid, invitation=ics(event, method, now))
