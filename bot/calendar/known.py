"""The busy times Tandem knows without any calendar: planned sessions and workshops."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.calendar.slots import Interval
from bot.domain import Person, PlannedSession
from bot.ports import UnitOfWork
from bot.workshops.model import SeatStatus

# A planned session of unknown length (planned before lengths were kept) blocks this long.
DEFAULT_MINUTES = 60


def session_interval(planned: PlannedSession, minutes: int | None = None) -> Interval:
    length = planned.minutes or minutes or DEFAULT_MINUTES
    return Interval(planned.starts_at, planned.starts_at + timedelta(minutes=length))


async def known_busy(
    uow: UnitOfWork, people: Sequence[Person], window: Interval
) -> dict[int, tuple[Interval, ...]]:
    """Each person's planned sessions (in any of their pairs, not cancelled) and workshops
    (hosted, or a seat taken) that overlap ``window``."""
    busy: dict[int, list[Interval]] = {}
    # A session that began up to a day before the window may still run into it.
    since = window.start - timedelta(days=1)
    workshops = await uow.workshops_starting(since, window.end)
    for person in people:
        assert person.id is not None
        mine = busy.setdefault(person.id, [])
        for enrollment in await uow.enrollments_of_person(person.id):
            assert enrollment.id is not None
            for pair in await uow.pairs_of_enrollment(enrollment.id):
                assert pair.id is not None
                for planned in await uow.planned_sessions(pair.id, since):
                    mine.append(session_interval(planned))
        for workshop in workshops:
            assert workshop.id is not None
            seat = await uow.seat_of(workshop.id, person.id)
            if workshop.host_id == person.id or (
                seat is not None and seat.status == SeatStatus.JOINED
            ):
                mine.append(Interval(workshop.starts_at, workshop.ends_at))
    return {
        person_id: tuple(
            sorted({i for i in intervals if i.overlaps(window)}, key=lambda i: (i.start, i.end))
        )
        for person_id, intervals in busy.items()
    }
