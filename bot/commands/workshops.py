"""``/tandem workshop …``: announce a group workshop (one line or a form), list, join, leave,
cancel, and log who came (one line or a form); the Join, Leave and rating buttons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.commands.grammar import Command
from bot.errors import UserError
from bot.follow_ups import WORKSHOP_ANNOUNCED, defer
from bot.messages import Choice, FieldKind, Form, FormField
from bot.people import mention_id
from bot.turn import Turn
from bot.workshops import fields, seats
from bot.workshops.model import SeatStatus, Workshop

FORM_ID = "workshop_new"
ATTENDANCE_FORM_ID = "workshop_attendance"
# A field of the attendance form: ``came:<workshop id>:<person id>``, answered yes or no.
CAME = "came"
YES, NO = "yes", "no"
# What may be typed for each answer where the options are not buttons (the console).
ANSWERS = {"yes": YES, "oui": YES, "1": YES, "no": NO, "non": NO, "2": NO}
# The longest workshop (parse_duration's limit): another of the host's that starts this long
# before a new one may still be running when it begins.
LONGEST = timedelta(hours=8)
LISTED_AHEAD = timedelta(days=90)
# Invitations written in one follow-up transaction (see ``invite``).
INVITED_AT_ONCE = 500


async def workshop(turn: Turn, command: Command) -> None:
    if command.sub == "new":
        await _new(turn, command)
    elif command.sub == "list":
        await _list(turn)
    elif command.sub == "join":
        await seats.join(turn, _workshop_id(command))
    elif command.sub == "leave":
        await seats.leave(turn, _workshop_id(command))
    elif command.sub == "cancel":
        await _cancel(turn, _workshop_id(command))
    else:
        await _attendance(turn, command)


def _workshop_id(command: Command) -> int:
    if not command.args or not command.args[0].isascii() or not command.args[0].isdigit():
        raise UserError("workshops.err_which", sub=command.sub)
    return int(command.args[0])


# Announcing
async def _new(turn: Turn, command: Command) -> None:
    if not command.args and not command.options:
        await fields.hosted_programs(turn)
        await turn.say("workshops.form_intro", form=await _form(turn, {}, {}))
        return
    if len(command.args) > 1:
        raise UserError("workshops.err_usage", extra=list(command.args[1:]))
    values = {"title": command.args[0] if command.args else "", **command.options}
    announcement = await fields.checked(turn, values)
    await _announce(turn, announcement)


async def on_form(turn: Turn, values: dict[str, str]) -> None:
    errors: dict[str, str] = {}
    try:
        announcement = await fields.checked(turn, values, errors)
        await _refuse_overlap(turn, announcement)
    except UserError as problem:
        if not errors:
            errors["time"] = await turn.text(problem.message_id, **problem.variables)
        await turn.say("workshops.form_errors", form=await _form(turn, values, errors))
        return
    await _announce(turn, announcement)


async def check_form_fields(turn: Turn, values: dict[str, str]) -> None:
    await fields.check_some(turn, values)


async def on_form_cancelled(turn: Turn) -> None:
    await turn.say("workshops.form_cancelled")


async def _form(turn: Turn, values: dict[str, str], errors: dict[str, str]) -> Form:
    owned, mentoring = await fields.hosted_programs(turn)
    audiences = [Choice(p.name, p.name) for p in [*owned, *mentoring]]
    if len(owned) > 1:
        audiences.insert(0, Choice("all", await turn.text("workshops.audience_everyone")))

    async def field(name: str, kind: FieldKind = FieldKind.TEXT, **more: object) -> FormField:
        return FormField(
            name,
            await turn.text(f"workshops.field_{name}"),
            kind,
            hint=await turn.text(f"workshops.hint_{name}"),
            **more,  # type: ignore[arg-type]
        )

    form_fields = (
        await field("title"),
        await field("topic"),
        await field("date", FieldKind.DATE),
        await field("time"),
        await field("length", initial="1h"),
        await field("place"),
        await field("capacity", initial="10"),
        await field(
            "audience", FieldKind.SELECT, options=tuple(audiences), initial=audiences[0].value
        ),
    )
    return Form(
        form_id=FORM_ID,
        title=await turn.text("workshops.form_title"),
        submit_label=await turn.text("workshops.form_submit"),
        fields=form_fields,
        errors=errors,
        values={k: v for k, v in values.items() if k in fields.FIELDS},
    )


async def _refuse_overlap(turn: Turn, announcement: fields.Announcement) -> None:
    ends_at = announcement.starts_at + timedelta(minutes=announcement.minutes)
    for other in await turn.uow.workshops_hosted_by(
        turn.person_id, announcement.starts_at - LONGEST, ends_at
    ):
        if other.ends_at > announcement.starts_at:
            raise UserError(
                "workshops.err_overlap",
                title=other.title,
                starts_at=other.starts_at,
                ends_at=other.ends_at,
                zone=turn.timezone_of(turn.person),
            )


async def _announce(turn: Turn, announcement: fields.Announcement) -> None:
    await _refuse_overlap(turn, announcement)
    workshop = Workshop(
        host_id=turn.person_id,
        topic=announcement.topic,
        title=announcement.title,
        starts_at=announcement.starts_at,
        minutes=announcement.minutes,
        place=announcement.place,
        capacity=announcement.capacity,
        created_at=turn.now,
        program_ids=[p.id for p in announcement.programs if p.id is not None],
        everyone=announcement.everyone,
    )
    turn.uow.add(workshop)
    await turn.uow.flush()
    invited = await turn.uow.workshop_invitee_count(workshop)
    # Each person's invitation right after this answer, not inside it: a program may hold
    # thousands of people, each with their own rendering (bot.follow_ups).
    await defer(turn, WORKSHOP_ANNOUNCED, str(workshop.id), workshop_id=workshop.id)
    for program in announcement.programs:
        await turn.post_to_channel(
            program,
            "workshops.channel_announcement",
            key=f"workshop_channel:{workshop.id}:{program.id}",
            purpose="workshop_announcement",
            w=workshop,
            host=turn.person.display_name,
            zone=program.timezone,
        )
    for program in announcement.programs:
        turn.audit("workshop.announced", program_id=program.id, subject=f"workshop:{workshop.id}")
    await turn.say(
        "workshops.announced",
        w=workshop,
        invited=invited,
        programs=[p.name for p in announcement.programs],
        zone=turn.timezone_of(turn.person),
    )


async def invite(turn: Turn, arguments: dict[str, Any]) -> None:
    """The announcement's follow-up: each person invited gets it with a Join button, once
    (unless the workshop was cancelled meanwhile).

    A company-wide workshop reaches thousands: ``INVITED_AT_ONCE`` people per follow-up, each
    handing the rest (``after`` the last person invited) to the next one, so that no
    transaction holds the whole program and a crash resumes where it stopped."""
    workshop = await turn.uow.workshop(int(arguments["workshop_id"]))
    if workshop is None or workshop.cancelled_at is not None:
        return
    after = int(arguments.get("after", 0))
    wanted = await turn.uow.workshop_invitees(workshop, after, INVITED_AT_ONCE)
    people = await turn.uow.persons_by_id(wanted)
    for person in (people[person_id] for person_id in wanted if person_id in people):
        await turn.notify(
            person,
            "workshops.announcement",
            key=f"workshop_announce:{workshop.id}:{person.id}",
            purpose="workshop_announcement",
            choices=(await seats.join_button(turn, workshop, person),),
            w=workshop,
            host=turn.person.display_name,
            zone=turn.timezone_of(person),
        )
    if len(wanted) == INVITED_AT_ONCE:
        await defer(
            turn,
            WORKSHOP_ANNOUNCED,
            f"{workshop.id}:{wanted[-1]}",
            workshop_id=workshop.id,
            after=wanted[-1],
        )


# Listing and cancelling
async def _list(turn: Turn) -> None:
    programs = {e.program_id for e in await turn.uow.enrollments_of_person(turn.person_id)}
    programs |= {p.id for p in await turn.uow.programs_owned_by(turn.person_id) if p.id}
    coming = [
        w
        for w in await turn.uow.workshops_starting(turn.now, turn.now + LISTED_AHEAD)
        if w.host_id == turn.person_id or programs & set(w.program_ids)
    ]
    rows = []
    for w in coming:
        assert w.id is not None
        all_seats = await turn.uow.seats_of(w.id)
        mine = next((s for s in all_seats if s.person_id == turn.person_id), None)
        rows.append(
            {
                "w": w,
                "taken": sum(1 for s in all_seats if s.status == SeatStatus.JOINED),
                "waiting": sum(1 for s in all_seats if s.status == SeatStatus.WAITING),
                "mine": mine.status.value if mine is not None else "",
                "hosting": w.host_id == turn.person_id,
            }
        )
    await turn.say("workshops.list", rows=rows, zone=turn.timezone_of(turn.person))


async def _hosted(turn: Turn, workshop_id: int) -> Workshop:
    """The workshop, if the speaker hosts it or owns one of its programs."""
    workshop = await seats.open_workshop(turn, workshop_id)
    if workshop.host_id == turn.person_id:
        return workshop
    for program_id in workshop.program_ids:
        if await turn.uow.is_owner(program_id, turn.person_id):
            return workshop
    raise UserError("workshops.err_not_yours", title=workshop.title)


async def _cancel(turn: Turn, workshop_id: int) -> None:
    workshop = await _hosted(turn, workshop_id)
    if workshop.starts_at <= turn.now:
        raise UserError("workshops.err_cancel_started", title=workshop.title)
    workshop.cancelled_at = turn.now
    assert workshop.id is not None
    told = 0
    for seat in await turn.uow.seats_of(workshop.id):
        person = await turn.uow.person(seat.person_id)
        if seat.status == SeatStatus.LEFT or person is None:
            continue
        told += await turn.notify(
            person,
            "workshops.cancelled_notice",
            key=f"workshop_cancelled:{workshop.id}:{person.id}",
            purpose="workshop_cancelled",
            w=workshop,
            zone=turn.timezone_of(person),
        )
    turn.audit("workshop.cancelled", subject=f"workshop:{workshop.id}")
    await turn.say("workshops.cancelled", w=workshop, told=told)


# Attendance
async def _attendance(turn: Turn, command: Command) -> None:
    workshop = await _hosted(turn, _workshop_id(command))
    if workshop.starts_at > turn.now:
        raise UserError("workshops.err_attendance_early", title=workshop.title)
    if workshop.attendance_at is not None:
        raise UserError("workshops.err_attendance_logged", title=workshop.title)
    assert workshop.id is not None
    holders = [s for s in await turn.uow.seats_of(workshop.id) if s.status != SeatStatus.LEFT]
    if not holders:
        raise UserError("workshops.err_nobody_registered", title=workshop.title)
    if len(command.args) == 1:
        await turn.say(
            "workshops.attendance_intro",
            form=await _attendance_form(turn, workshop, holders),
            w=workshop,
        )
        return
    came: set[int] = set()
    names = {}
    for seat in holders:
        person = await turn.uow.person(seat.person_id)
        if person is not None:
            names[person.user_id] = seat.person_id
    for mention in command.args[1:]:
        person_id = names.get(mention_id(mention))
        if person_id is None:
            raise UserError("workshops.err_not_registered", name=mention, title=workshop.title)
        came.add(person_id)
    await seats.log_attendance(turn, workshop, came)


async def _attendance_form(turn: Turn, workshop: Workshop, holders: list) -> Form:  # type: ignore[type-arg]
    answers = (
        Choice(YES, await turn.text("workshops.came_yes")),
        Choice(NO, await turn.text("workshops.came_no")),
    )
    form_fields = []
    for seat in holders:
        person = await turn.uow.person(seat.person_id)
        if person is None:
            continue
        form_fields.append(
            FormField(
                f"{CAME}:{workshop.id}:{person.id}",
                person.display_name,
                FieldKind.SELECT,
                initial=YES if seat.status == SeatStatus.JOINED else NO,
                options=answers,
            )
        )
    return Form(
        form_id=ATTENDANCE_FORM_ID,
        title=await turn.text("workshops.attendance_title"),
        submit_label=await turn.text("workshops.form_submit"),
        fields=tuple(form_fields),
    )


async def on_attendance_form(turn: Turn, values: dict[str, str]) -> None:
    workshop_ids, came = set(), set()
    for name, answer in values.items():
        kind, _, rest = name.partition(":")
        workshop_id, _, person_id = rest.partition(":")
        if kind != CAME or not workshop_id.isdigit() or not person_id.isdigit():
            raise UserError("errors.stale_choice")
        workshop_ids.add(int(workshop_id))
        if _came(answer) == YES:
            came.add(int(person_id))
    if len(workshop_ids) != 1:
        raise UserError("errors.stale_choice")
    workshop = await _hosted(turn, workshop_ids.pop())
    if workshop.attendance_at is not None:
        raise UserError("workshops.err_attendance_logged", title=workshop.title)
    await seats.log_attendance(turn, workshop, came)


async def check_attendance_fields(turn: Turn, values: dict[str, str]) -> None:
    for answer in values.values():
        _came(answer)


def _came(answer: str) -> str:
    found = ANSWERS.get(answer.strip().lower())
    if found is None:
        raise UserError("workshops.err_came_answer", value=answer)
    return found


async def on_attendance_cancelled(turn: Turn) -> None:
    await turn.say("workshops.attendance_cancelled")


# Buttons
async def on_workshop_choice(turn: Turn, rest: str) -> None:
    """``<workshop id>:join``, ``<workshop id>:leave`` or ``<workshop id>:rate:<1-5>``."""
    workshop_id, _, action = rest.partition(":")
    if not workshop_id.isdigit():
        raise UserError("errors.stale_choice")
    if action == "join":
        await seats.join(turn, int(workshop_id))
    elif action == "leave":
        await seats.leave(turn, int(workshop_id))
    elif action.startswith("rate:"):
        await seats.rate(turn, int(workshop_id), action.removeprefix("rate:"))
    else:
        raise UserError("errors.stale_choice")
