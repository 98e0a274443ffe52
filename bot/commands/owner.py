"""Program owners' commands: create a program, invite, add owners, pair, set the digest channel,
get the digest or the program report."""

from __future__ import annotations

from bot import lifecycle
from bot.commands import closing
from bot.commands.days_off import DAYS_OFF_OPTIONS, set_days_off
from bot.commands.grammar import Command
from bot.commands.lookup import find_program, only_one, owned_program
from bot.commands.policy_settings import POLICY_OPTIONS, set_policy
from bot.commands.values import (
    parse_cadence,
    parse_duration,
    parse_positive_int,
    parse_program_end,
    parse_program_start,
)
from bot.conversations.kickoff import kickoff
from bot.digest import report as program_report
from bot.digest import weekly
from bot.domain import (
    EnrollmentStatus,
    Invitation,
    Pair,
    Program,
    ProgramOwner,
    Role,
)
from bot.errors import UserError
from bot.people import resolve_mention
from bot.scheduling.settings import ScheduleSettings
from bot.turn import Turn

MAX_SESSIONS = 52
MAX_NAME = 200
# Below three, "anonymous" words could be told apart by whoever knows who took part.
MIN_QUOTE_GROUP = 3
MAX_QUOTE_GROUP = 100


async def program(turn: Turn, command: Command) -> None:
    if command.sub == "new":
        await _new_program(turn, command)
    elif command.sub == "list":
        await _list_programs(turn)
    elif command.sub == "set":
        await _set_program(turn, command)
    elif command.sub == "close":
        await closing.close_program(turn, command)
    else:
        await _show_program(turn, command)


async def _new_program(turn: Turn, command: Command) -> None:
    admins = turn.config.admins
    if admins and turn.person.user_id not in admins:
        raise UserError("errors.admins_only")
    name = " ".join(command.args).strip()
    if not name:
        raise UserError("errors.program_name_missing")
    if len(name) > MAX_NAME:
        raise UserError("errors.answer_too_long", maximum=MAX_NAME)
    if await turn.uow.programs_named(name):
        raise UserError("errors.program_exists", name=name)
    options = command.options
    today = turn.today_for(turn.person)
    starts_on = parse_program_start(options["start"], today) if "start" in options else today
    ends_on = parse_program_end(options["until"], today, starts_on) if "until" in options else None
    locale = await turn.locale_of(turn.person)
    new = Program(
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=turn.now,
        locale=locale,
        timezone=turn.timezone_of(turn.person),
        sessions_planned=parse_positive_int(options.get("sessions", "6"), maximum=MAX_SESSIONS),
        cadence_days=parse_cadence(options.get("every", "2w")),
        session_minutes=parse_duration(options.get("length", "60m")),
        topics=turn.renderer.lines(locale, "catalogue.digital"),
        reciprocal_topics=turn.renderer.lines(locale, "catalogue.reciprocal"),
    )
    turn.uow.add(new)
    await turn.uow.flush()
    assert new.id is not None
    turn.uow.add(ProgramOwner(program_id=new.id, person_id=turn.person_id))
    turn.audit("program.created", program_id=new.id, subject=name)
    await turn.say("owner.program_created", program=new)


async def _set_program(turn: Turn, command: Command) -> None:
    """``program set [until: DATE] [quotes: N] [program: NAME]``: the end date, and how many
    people must have written before their words reach owners anonymously."""
    target = await owned_program(turn, command.options.get("program", ""))
    options = command.options
    if not {"until", "quotes", *DAYS_OFF_OPTIONS, *POLICY_OPTIONS} & set(options):
        raise UserError("errors.program_set_usage")

    if "until" in options:
        today = turn.today_for(turn.person)
        ends_on = parse_program_end(options["until"], today, target.starts_on)
        if not lifecycle.is_running(target, turn.now):
            # Extending an ending or closed program: it runs again until the new last day.
            if ends_on < lifecycle.local_today(target, turn.now):
                raise UserError("errors.program_extend_in_past", value=options["until"])
            lifecycle.reopen(target, ends_on)
            turn.audit("program.reopened", program_id=target.id, subject=target.name)
        target.ends_on = ends_on
    if "quotes" in options:
        minimum = parse_positive_int(options["quotes"], maximum=MAX_QUOTE_GROUP)
        if minimum < MIN_QUOTE_GROUP:
            raise UserError("errors.quote_group_too_small", minimum=MIN_QUOTE_GROUP)
        target.quote_min_group = minimum
    # A mistake in any option refuses the whole command: the turn is rolled back.
    days_off = {name: options[name] for name in DAYS_OFF_OPTIONS if name in options}
    if days_off:
        set_days_off(target, days_off)
    policy = {name: options[name] for name in POLICY_OPTIONS if name in options}
    if policy:
        set_policy(target, policy)
    turn.audit("program.settings", program_id=target.id, subject=target.name)
    settings = ScheduleSettings.for_program(target)
    await turn.say("owner.program_set", program=target, days_off=settings)


async def _list_programs(turn: Turn) -> None:
    """Open programs, which anyone may join (opt-in): their names and start dates only, with
    what the speaker is to each; then the closed ones the speaker owned or took part in.
    Owners and counts are for ``program show``, to owners."""
    owned = {p.id for p in await turn.uow.programs_owned_by(turn.person_id)}
    enrolled = {
        e.program_id
        for e in await turn.uow.enrollments_of_person(turn.person_id)
        if e.status != EnrollmentStatus.LEFT
    }
    programs = list(await turn.uow.open_programs())
    listed = {p.id for p in programs}
    # Closed programs only to those who owned or took part in them.
    related = {program_id for program_id in owned | enrolled if program_id is not None}
    closed = [p for p in await turn.uow.programs_by_id(related) if p.id not in listed]
    if not programs and not closed:
        raise UserError("errors.no_open_program")
    await turn.say(
        "owner.program_list",
        programs=programs,
        closed=closed,
        phases={p.id: lifecycle.phase(p, turn.now) for p in programs},
        owned=owned,
        enrolled=enrolled,
    )


async def _show_program(turn: Turn, command: Command) -> None:
    """What a program's page shows depends on who asks.

    - Its owners and Tandem administrators (``TANDEM_ADMINS``): everything, owners and counts.
    - Anyone else: what they would join or have joined (name, dates, rhythm), for an open
      program (anyone may join one) or one they take or took part in; never its owners, who
      is enrolled or how many.
    - A closed program someone never took part in is answered as if it did not exist.
    """
    name = command.options.get("program", "") or " ".join(command.args)
    shown = await find_program(turn, name) if name else await _own_or_current_program(turn)
    assert shown.id is not None
    if await _sees_everything(turn, shown):
        await _program_details(turn, shown)
        return
    enrollment = await turn.uow.enrollment_of(shown.id, turn.person_id)
    if shown.closed and enrollment is None:
        programs = await turn.uow.open_programs()
        raise UserError("errors.unknown_program", name=name, programs=[p.name for p in programs])
    await turn.say(
        "owner.program_summary",
        program=shown,
        phase=lifecycle.phase(shown, turn.now),
        enrolled=enrollment is not None and enrollment.status != EnrollmentStatus.LEFT,
    )


async def _sees_everything(turn: Turn, program: Program) -> bool:
    assert program.id is not None
    admins = turn.config.admins
    if admins and turn.person.user_id in admins:
        return True
    return await turn.uow.is_owner(program.id, turn.person_id)


async def _own_or_current_program(turn: Turn) -> Program:
    """``program show`` without a name: the latest program owned, else the one taken part in."""
    owned = await turn.uow.programs_owned_by(turn.person_id)
    if owned:
        return only_one(owned)
    enrollment = await turn.current_enrollment()
    program = await turn.uow.program(enrollment.program_id) if enrollment else None
    if program is None:
        raise UserError("errors.not_enrolled")
    return program


async def _program_details(turn: Turn, shown: Program) -> None:
    assert shown.id is not None
    headcount = await turn.uow.program_headcount(shown.id)
    owners = await turn.uow.owners_of(shown.id)
    await turn.say(
        "owner.program_details",
        program=shown,
        phase=lifecycle.phase(shown, turn.now),
        owners=[o.display_name for o in owners],
        mentors=headcount.mentors,
        mentees=headcount.mentees,
        pairs=headcount.pairs,
    )


async def invite(turn: Turn, command: Command) -> None:
    target = await owned_program(turn, command.options.get("program", ""))
    if not command.args:
        raise UserError("errors.invite_nobody")
    assert target.id is not None
    people = [await resolve_mention(turn, mention) for mention in command.args]
    if any(person.id == turn.person_id for person in people):
        raise UserError("errors.invite_yourself", program=target.name)
    invited, skipped = [], []
    for person in people:
        assert person.id is not None
        enrollment = await turn.uow.enrollment_of(target.id, person.id)
        already = enrollment is not None and enrollment.status != EnrollmentStatus.LEFT
        if already or await turn.uow.pending_invitation(target.id, person.id):
            skipped.append(person.display_name)
            continue
        invitation = Invitation(
            program_id=target.id,
            person_id=person.id,
            invited_by=turn.person_id,
            created_at=turn.now,
        )
        turn.uow.add(invitation)
        await turn.uow.flush()
        value = f"invite:{invitation.id}"
        await turn.notify(
            person,
            "participant.invitation",
            key=f"invitation:{invitation.id}",
            purpose="invitation",
            choices=(
                await turn.choice("labels.join_mentor", f"{value}:mentor", person),
                await turn.choice("labels.join_mentee", f"{value}:mentee", person),
                await turn.choice("labels.not_now", f"{value}:decline", person),
            ),
            program=target,
            owner=turn.person.display_name,
        )
        invited.append(person.display_name)
    turn.audit("program.invited", program_id=target.id, count=len(invited))
    await turn.say("owner.invited", invited=invited, skipped=skipped, program=target.name)


async def owners(turn: Turn, command: Command) -> None:
    target = await owned_program(turn, command.options.get("program", ""))
    if not command.args:
        raise UserError("errors.invite_nobody")
    assert target.id is not None
    people = [await resolve_mention(turn, mention) for mention in command.args]
    if any(person.id == turn.person_id for person in people):
        raise UserError("errors.owners_add_yourself", program=target.name)
    added = []
    for person in people:
        assert person.id is not None
        if await turn.uow.is_owner(target.id, person.id):
            continue
        turn.uow.add(ProgramOwner(program_id=target.id, person_id=person.id))
        await turn.notify(
            person,
            "owner.you_are_owner",
            key=f"owner_added:{target.id}:{person.id}",
            purpose="owner_info",
            program=target.name,
            by=turn.person.display_name,
        )
        added.append(person.display_name)
    turn.audit("program.owners_added", program_id=target.id, count=len(added))
    await turn.say("owner.owners_added", added=added, program=target.name)


async def pair(turn: Turn, command: Command) -> None:
    target = await owned_program(turn, command.options.get("program", ""))
    if len(command.args) != 2:
        raise UserError("errors.pair_usage")
    assert target.id is not None
    mentor = await resolve_mention(turn, command.args[0])
    mentee = await resolve_mention(turn, command.args[1])
    if mentor.id == mentee.id:
        raise UserError("errors.pair_same_person", name=mentor.display_name)
    enrollments = []
    for person, role in ((mentor, Role.MENTOR), (mentee, Role.MENTEE)):
        assert person.id is not None
        enrollment = await turn.uow.enrollment_of(target.id, person.id)
        if enrollment is None or enrollment.status == EnrollmentStatus.LEFT:
            raise UserError(
                "errors.pair_not_enrolled", name=person.display_name, program=target.name
            )
        if enrollment.role != role:
            raise UserError("errors.pair_wrong_role", name=person.display_name, role=role.value)
        assert enrollment.id is not None
        if await turn.uow.active_pair_of(enrollment.id) is not None:
            raise UserError("errors.pair_already_paired", name=person.display_name)
        profile = await turn.uow.profile_of(enrollment.id)
        if profile is None or profile.completed_at is None:
            raise UserError("errors.pair_intake_unfinished", name=person.display_name)
        enrollments.append(enrollment)
    new_pair = Pair(
        program_id=target.id,
        mentor_enrollment_id=enrollments[0].id,
        mentee_enrollment_id=enrollments[1].id,
        created_at=turn.now,
        created_by=turn.person_id,
    )
    turn.uow.add(new_pair)
    await turn.uow.flush()
    turn.audit("pair.created", program_id=target.id, subject=f"pair:{new_pair.id}")
    await kickoff(turn, new_pair, mentor, mentee)
    await turn.say(
        "owner.paired", mentor=mentor.display_name, mentee=mentee.display_name, program=target.name
    )


async def digest(turn: Turn, command: Command) -> None:
    target = await owned_program(turn, command.options.get("program", ""))
    if command.sub == "now":
        locale = await turn.locale_of(turn.person)
        turn.replies.append(await weekly.render(turn.uow, turn.renderer, locale, target, turn.now))
        return
    where = command.args[0] if command.args else ""
    if where.lower() in ("here", "ici"):
        if not turn.event.channel:
            raise UserError("errors.digest_here_needs_channel")
        channel = dict(turn.event.channel)
    elif where.startswith("#") and len(where) > 1:
        channel = {"channel": where[1:]}
    else:
        raise UserError("errors.digest_channel_usage")
    channel.setdefault("platform", turn.person.platform)
    channel.setdefault("workspace", turn.person.workspace)
    target.digest_channel = channel
    turn.audit("program.digest_channel", program_id=target.id)
    await turn.post_to_channel(
        target,
        "owner.digest_channel_hello",
        key=f"digest_hello:{target.id}:{turn.now.isoformat()}",
        purpose="digest_hello",
        program=target.name,
    )
    await turn.say("owner.digest_channel_set", channel=channel["channel"], program=target.name)


async def report(turn: Turn, command: Command) -> None:
    """The program report (figures since the start, with the chart), to the owner who asks."""
    name = command.options.get("program", "") or " ".join(command.args).strip()
    target = await owned_program(turn, name)
    locale = await turn.locale_of(turn.person)
    turn.replies.append(
        await program_report.render(turn.uow, turn.renderer, locale, target, turn.now)
    )
