"""Workshops and their seats: reads by start time (indexed) and the owners' figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.figures import DigestPeriod
from bot.domain import EnrollmentStatus
from bot.workshops.model import SeatStatus, Workshop, WorkshopFigures, WorkshopRow, WorkshopSeat
from storage import tables


class SqlWorkshopQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def workshop(self, workshop_id: int, *, locked: bool = False) -> Workshop | None:
        if not locked:
            return await self.session.get(Workshop, workshop_id)
        return await self.session.get(Workshop, workshop_id, with_for_update=True)

    async def workshop_invitees(self, workshop: Workshop, after: int, limit: int) -> Sequence[int]:
        rows = await self.session.execute(
            sa.select(tables.enrollment.c.person_id)
            .where(_invited(workshop), tables.enrollment.c.person_id > after)
            .distinct()
            .order_by(tables.enrollment.c.person_id)
            .limit(limit)
        )
        return list(rows.scalars())

    async def workshop_invitee_count(self, workshop: Workshop) -> int:
        e = tables.enrollment.c
        count = await self.session.scalar(
            sa.select(sa.func.count(sa.distinct(e.person_id))).where(_invited(workshop))
        )
        return int(count or 0)

    async def workshop_seat(self, seat_id: int) -> WorkshopSeat | None:
        return await self.session.get(WorkshopSeat, seat_id)

    async def seats_of(self, workshop_id: int) -> Sequence[WorkshopSeat]:
        seat = tables.workshop_seat.c
        return (
            await self.session.scalars(
                sa.select(WorkshopSeat)
                .where(seat.workshop_id == workshop_id)
                .order_by(seat.joined_at, seat.id)
            )
        ).all()

    async def seat_of(self, workshop_id: int, person_id: int) -> WorkshopSeat | None:
        seat = tables.workshop_seat.c
        return (
            await self.session.scalars(
                sa.select(WorkshopSeat).where(
                    seat.workshop_id == workshop_id, seat.person_id == person_id
                )
            )
        ).first()

    async def upcoming_seats_of(self, person_id: int, after: datetime) -> Sequence[WorkshopSeat]:
        seat, workshop = tables.workshop_seat.c, tables.workshop.c
        return (
            await self.session.scalars(
                sa.select(WorkshopSeat)
                .join(tables.workshop, workshop.id == seat.workshop_id)
                .where(
                    seat.person_id == person_id,
                    seat.status != SeatStatus.LEFT,
                    workshop.starts_at > after,
                    workshop.cancelled_at.is_(None),
                )
                .order_by(workshop.starts_at, seat.id)
            )
        ).all()

    async def workshops_hosted_by(
        self, host_id: int, after: datetime, before: datetime
    ) -> Sequence[Workshop]:
        workshop = tables.workshop.c
        return (
            await self.session.scalars(
                sa.select(Workshop)
                .where(
                    workshop.host_id == host_id,
                    workshop.starts_at >= after,
                    workshop.starts_at < before,
                    workshop.cancelled_at.is_(None),
                )
                .order_by(workshop.starts_at)
            )
        ).all()

    async def workshops_starting(self, after: datetime, before: datetime) -> Sequence[Workshop]:
        workshop = tables.workshop.c
        return (
            await self.session.scalars(
                sa.select(Workshop)
                .where(
                    workshop.starts_at >= after,
                    workshop.starts_at < before,
                    workshop.cancelled_at.is_(None),
                )
                .order_by(workshop.starts_at, workshop.id)
            )
        ).all()

    async def _seat_counts(self, workshop_ids: list[int]) -> dict[int, Counter[str]]:
        """workshop id -> counts of "joined", "waiting", "came", and "rated"/"rating_sum"."""
        counts: dict[int, Counter[str]] = {wid: Counter() for wid in workshop_ids}
        if not workshop_ids:
            return counts
        seat = tables.workshop_seat.c
        rows = await self.session.execute(
            sa.select(
                seat.workshop_id,
                seat.status,
                sa.func.count(),
                sa.func.count(sa.case((seat.attended.is_(True), 1))),
                sa.func.count(seat.rating),
                sa.func.coalesce(sa.func.sum(seat.rating), 0),
            )
            .where(seat.workshop_id.in_(workshop_ids))
            .group_by(seat.workshop_id, seat.status)
        )
        for workshop_id, status, seats, came, rated, rating_sum in rows.all():
            counted = counts[workshop_id]
            counted[str(status)] += seats
            counted["came"] += came
            counted["rated"] += rated
            counted["rating_sum"] += rating_sum
        return counts

    async def _workshops_of_program(
        self, program_id: int, after: datetime | None = None, before: datetime | None = None
    ) -> list[Workshop]:
        workshop = tables.workshop.c
        statement = sa.select(Workshop).order_by(workshop.starts_at, workshop.id)
        if after is not None:
            statement = statement.where(workshop.starts_at >= after)
        if before is not None:
            statement = statement.where(workshop.starts_at < before)
        # The audience is a short JSON list, read here rather than with each backend's JSON
        # operators: a program's workshops in a period are few.
        found = (await self.session.scalars(statement)).all()
        return [w for w in found if program_id in (w.program_ids or [])]

    async def workshop_figures(self, period: DigestPeriod) -> WorkshopFigures:
        found = await self._workshops_of_program(
            period.program_id, period.start_at, max(period.end_at, period.now) + _UPCOMING
        )
        live = [w for w in found if w.cancelled_at is None]
        held = [w for w in live if w.starts_at < period.end_at and w.ends_at <= period.now]
        upcoming = sum(1 for w in live if w.starts_at > period.now)
        logged = [w.id for w in held if w.attendance_at is not None and w.id is not None]
        counts = await self._seat_counts(logged)
        registered = sum(c[SeatStatus.JOINED] for c in counts.values())
        attended = sum(c["came"] for c in counts.values())
        rated = sum(c["rated"] for c in counts.values())
        rating_sum = sum(c["rating_sum"] for c in counts.values())
        topics = Counter(w.topic for w in held)
        return WorkshopFigures(
            held=len(held),
            registered=registered,
            attended=attended,
            attendance_rate=round(100 * attended / registered) if registered else None,
            topics=tuple(sorted(topics.items(), key=lambda item: (-item[1], item[0]))),
            ratings=rated,
            rating=round(rating_sum / rated, 1) if rated else None,
            upcoming=upcoming,
        )

    async def workshop_rows(self, program_id: int) -> Sequence[WorkshopRow]:
        found = await self._workshops_of_program(program_id)
        counts = await self._seat_counts([w.id for w in found if w.id is not None])
        rows = []
        for w in found:
            assert w.id is not None
            counted = counts[w.id]
            rows.append(
                WorkshopRow(
                    workshop_id=w.id,
                    title=w.title,
                    topic=w.topic,
                    starts_at=w.starts_at,
                    minutes=w.minutes,
                    capacity=w.capacity,
                    seats_taken=counted[SeatStatus.JOINED],
                    waiting=counted[SeatStatus.WAITING],
                    attended=counted["came"] if w.attendance_at is not None else None,
                    rating=(
                        round(counted["rating_sum"] / counted["rated"], 1)
                        if counted["rated"]
                        else None
                    ),
                    cancelled=w.cancelled_at is not None,
                )
            )
        return rows


# How far ahead the digest counts workshops announced and still to come.
_UPCOMING = timedelta(days=60)


def _invited(workshop: Workshop) -> sa.ColumnElement[bool]:
    """The enrollments a workshop's announcement reaches: active, in its programs, not its
    host's."""
    e = tables.enrollment.c
    return sa.and_(
        e.program_id.in_(workshop.program_ids),
        e.status == EnrollmentStatus.ACTIVE,
        e.person_id != workshop.host_id,
    )
