"""Taking a seat, waiting for one, giving it up, and what follows the workshop.

Seats are counted under a lock on the workshop row (``workshop(id, locked=True)``): two people
clicking "Join" for the last seat at once get one seat and one waitlist place, in that order.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.domain import EnrollmentStatus, Person
from bot.errors import UserError
from bot.follow_ups import WORKSHOP_ATTENDED, defer
from bot.messages import Choice
from bot.quiz.bank import topics_in_text
from bot.quiz.start import start_quiz
from bot.turn import Turn
from bot.workshops import calendar
from bot.workshops.model import SeatStatus, Workshop, WorkshopSeat

CHOICE_PREFIX = "workshop"
RATINGS = range(1, 6)


async def open_workshop(turn: Turn, workshop_id: int) -> Workshop:
    """The workshop, locked for this turn; refused when unknown or cancelled."""
    workshop = await turn.uow.workshop(workshop_id, locked=True)
    if workshop is None:
        raise UserError("workshops.err_unknown", value=str(workshop_id))
    if workshop.cancelled_at is not None:
        raise UserError("workshops.err_cancelled", title=workshop.title)
    return workshop


async def in_audience(turn: Turn, workshop: Workshop, person_id: int) -> bool:
    for enrollment in await turn.uow.enrollments_of_person(person_id):
        if (
            enrollment.program_id in workshop.program_ids
            and enrollment.status == EnrollmentStatus.ACTIVE
        ):
            return True
    return False


async def leave_button(turn: Turn, workshop: Workshop, person: Person | None = None) -> Choice:
    return await turn.choice(
        "workshops.label_leave", f"{CHOICE_PREFIX}:{workshop.id}:leave", person
    )


async def join_button(turn: Turn, workshop: Workshop, person: Person) -> Choice:
    return await turn.choice("workshops.label_join", f"{CHOICE_PREFIX}:{workshop.id}:join", person)


async def join(turn: Turn, workshop_id: int) -> None:
    workshop = await open_workshop(turn, workshop_id)
    if workshop.starts_at <= turn.now:
        raise UserError("workshops.err_join_started", title=workshop.title)
    if workshop.host_id == turn.person_id:
        raise UserError("workshops.err_host_joins", title=workshop.title)
    if not await in_audience(turn, workshop, turn.person_id):
        raise UserError("workshops.err_not_in_audience", title=workshop.title)
    assert workshop.id is not None
    seats = await turn.uow.seats_of(workshop.id)
    mine = next((s for s in seats if s.person_id == turn.person_id), None)
    if mine is not None and mine.status != SeatStatus.LEFT:
        raise UserError(
            "workshops.err_already_joined",
            title=workshop.title,
            waiting=mine.status == SeatStatus.WAITING,
            id=workshop.id,
        )
    taken = sum(1 for s in seats if s.status == SeatStatus.JOINED)
    status = SeatStatus.JOINED if taken < workshop.capacity else SeatStatus.WAITING
    if mine is None:
        mine = WorkshopSeat(workshop.id, turn.person_id, status, joined_at=turn.now)
        turn.uow.add(mine)
    else:
        # Back after leaving: at the end of the line, like anyone asking now.
        mine.status, mine.joined_at, mine.left_at, mine.promoted_at = status, turn.now, None, None
    turn.audit("workshop.joined", subject=f"workshop:{workshop.id}", status=status.value)
    position = sum(1 for s in seats if s.status == SeatStatus.WAITING) + 1
    await turn.say(
        "workshops.joined" if status == SeatStatus.JOINED else "workshops.waitlisted",
        choices=(await leave_button(turn, workshop),),
        w=workshop,
        position=position,
        zone=turn.timezone_of(turn.person),
    )
    if status == SeatStatus.JOINED:
        # The seat's confirmation carries the workshop for the person's own calendar.
        title = await turn.text("workshops.ics_title", w=workshop)
        turn.replies[-1] = dataclasses.replace(
            turn.replies[-1], attachment=calendar.attachment(workshop, turn.now, title)
        )


async def leave(turn: Turn, workshop_id: int) -> None:
    workshop = await open_workshop(turn, workshop_id)
    assert workshop.id is not None
    mine = await turn.uow.seat_of(workshop.id, turn.person_id)
    if mine is None or mine.status == SeatStatus.LEFT:
        raise UserError("workshops.err_not_joined", title=workshop.title, id=workshop.id)
    if workshop.starts_at <= turn.now:
        raise UserError("workshops.err_leave_started", title=workshop.title)
    had_seat = mine.status == SeatStatus.JOINED
    mine.status, mine.left_at = SeatStatus.LEFT, turn.now
    turn.audit("workshop.left", subject=f"workshop:{workshop.id}")
    if had_seat:
        await turn.uow.flush()
        await promote_waiting(turn, workshop)
    await turn.say(
        "workshops.left", choices=(await join_button(turn, workshop, turn.person),), w=workshop
    )


async def release_seats(turn: Turn, person_id: int, *, unless_still_invited: bool) -> None:
    """Give up the person's seats and waitlist places in workshops still to come, moving the
    waitlist up: when they leave a program (``unless_still_invited``: except the workshops
    another of their programs still invites them to) or ask to be forgotten."""
    for seat in await turn.uow.upcoming_seats_of(person_id, turn.now):
        workshop = await turn.uow.workshop(seat.workshop_id, locked=True)
        if workshop is None:
            continue
        if unless_still_invited and await in_audience(turn, workshop, person_id):
            continue
        had_seat = seat.status == SeatStatus.JOINED
        seat.status, seat.left_at = SeatStatus.LEFT, turn.now
        turn.audit("workshop.left", subject=f"workshop:{workshop.id}")
        if had_seat:
            await turn.uow.flush()
            await promote_waiting(turn, workshop)


async def promote_waiting(turn: Turn, workshop: Workshop) -> None:
    """Give the seats that freed up to the first people on the waitlist, and tell them."""
    assert workshop.id is not None
    seats = await turn.uow.seats_of(workshop.id)
    free = workshop.capacity - sum(1 for s in seats if s.status == SeatStatus.JOINED)
    for seat in [s for s in seats if s.status == SeatStatus.WAITING][: max(free, 0)]:
        seat.status, seat.promoted_at = SeatStatus.JOINED, turn.now
        person = await turn.uow.person(seat.person_id)
        if person is None:
            continue
        await turn.notify(
            person,
            "workshops.promoted",
            key=f"workshop_promoted:{workshop.id}:{person.id}:{int(turn.now.timestamp())}",
            purpose="workshop_promoted",
            choices=(await leave_button(turn, workshop, person),),
            w=workshop,
            zone=turn.timezone_of(person),
        )


async def log_attendance(turn: Turn, workshop: Workshop, came: set[int]) -> None:
    """``came``: the person ids of those who came; every other seat holder did not."""
    assert workshop.id is not None
    seats = [s for s in await turn.uow.seats_of(workshop.id) if s.status != SeatStatus.LEFT]
    attendees = []
    for seat in seats:
        seat.attended = seat.person_id in came
        if seat.attended:
            attendees.append(seat)
    workshop.attendance_at = turn.now
    turn.audit("workshop.attendance", subject=f"workshop:{workshop.id}", came=len(attendees))
    registered = sum(1 for s in seats if s.status == SeatStatus.JOINED)
    if attendees:
        # Their quiz and feedback request right after this answer (bot.follow_ups); keyed by
        # the moment, so that attendance told again follows up again (the quiz and the
        # request are each sent once per person whatever the number of runs).
        await defer(
            turn,
            WORKSHOP_ATTENDED,
            f"{workshop.id}:{turn.now.isoformat()}",
            workshop_id=workshop.id,
        )
    await turn.say(
        "workshops.attendance_logged", w=workshop, came=len(attendees), registered=registered
    )


async def after_attendance(turn: Turn, arguments: dict[str, Any]) -> None:
    """What those who came get once the host said so (a follow-up of the attendance turn):
    the quiz on the workshop's topic, then the feedback request (five buttons, as after a
    session). The request comes last so that a bare number typed next rates the workshop, as
    the request says; the quiz is answered with its buttons."""
    workshop = await turn.uow.workshop(int(arguments["workshop_id"]))
    if workshop is None or workshop.id is None:
        return
    # Those who came as the host last said (attendance may have been told again since).
    attendees = [
        s
        for s in await turn.uow.seats_of(workshop.id)
        if s.attended and s.status != SeatStatus.LEFT
    ]
    for seat in attendees:
        person = await turn.uow.person(seat.person_id)
        if person is None:
            continue
        await start_quiz(
            turn,
            person,
            # "AI", "SEO", "Negotiation": the catalogue topics the workshop's words name.
            topics_in_text(f"{workshop.topic}. {workshop.title}") or [workshop.topic],
            f"workshop:{workshop.id}",
            # The program's own questions, when the workshop was for one.
            program_id=workshop.program_ids[0] if len(workshop.program_ids) == 1 else None,
        )
        value = f"{CHOICE_PREFIX}:{workshop.id}:rate"
        await turn.notify(
            person,
            "workshops.feedback_request",
            key=f"workshop_feedback:{workshop.id}:{person.id}",
            purpose="workshop_feedback",
            choices=tuple(
                [
                    await turn.choice(f"labels.usefulness_{n}", f"{value}:{n}", person)
                    for n in RATINGS
                ]
            ),
            w=workshop,
        )


async def rate(turn: Turn, workshop_id: int, rating: str) -> None:
    workshop = await turn.uow.workshop(workshop_id)
    seat = await turn.uow.seat_of(workshop_id, turn.person_id) if workshop else None
    if (
        workshop is None
        or seat is None
        or not seat.attended
        or not rating.isdigit()
        or int(rating) not in RATINGS
    ):
        raise UserError("errors.stale_choice")
    if seat.rating is not None:
        raise UserError("workshops.err_already_rated", title=workshop.title)
    seat.rating, seat.rated_at = int(rating), turn.now
    await turn.say("workshops.rated", w=workshop, rating=seat.rating, replaces_prompt=True)
