"""A workshop and the seats taken in it: plain dataclasses, mapped onto tables by storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class SeatStatus(StrEnum):
    JOINED = "joined"
    # Asked for a seat when all were taken: promoted, in order, when one frees up.
    WAITING = "waiting"
    LEFT = "left"


@dataclass(eq=False)
class Workshop:
    host_id: int | None
    topic: str
    title: str
    starts_at: datetime
    minutes: int
    place: str
    capacity: int
    created_at: datetime
    # The programs whose enrolled people are invited (several: "everyone in my programs").
    program_ids: list[int] = field(default_factory=list)
    everyone: bool = False
    # When the host said who came; None until then.
    attendance_at: datetime | None = None
    cancelled_at: datetime | None = None
    id: int | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass(eq=False)
class WorkshopSeat:
    """One person's place in a workshop: a seat, a place on the waitlist, or one given up."""

    workshop_id: int
    person_id: int
    status: SeatStatus
    joined_at: datetime
    left_at: datetime | None = None
    # When a place on the waitlist became a seat.
    promoted_at: datetime | None = None
    # Set when the host logs attendance: True came, False did not.
    attended: bool | None = None
    # Their feedback afterwards, 1–5.
    rating: int | None = None
    rated_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class WorkshopFigures:
    """The workshops of a program that took place in a period, for the digest and the report."""

    held: int = 0
    # Over the workshops whose attendance was logged: seats taken, and people who came.
    registered: int = 0
    attended: int = 0
    attendance_rate: int | None = None
    topics: tuple[tuple[str, int], ...] = ()
    ratings: int = 0
    rating: float | None = None
    # Announced and still to come.
    upcoming: int = 0


@dataclass(frozen=True)
class WorkshopRow:
    """One workshop in HR's export."""

    workshop_id: int
    title: str
    topic: str
    starts_at: datetime
    minutes: int
    capacity: int
    seats_taken: int
    waiting: int
    attended: int | None
    rating: float | None
    cancelled: bool
