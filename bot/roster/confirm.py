"""The confirmation of a dry run: in one transaction, the people of the roster are written
(newcomers created, what HR said kept as hints where the person has said nothing yet), each
gets an invitation, and the invitations are queued in the outbox in bulk, paced by the
deliverer like any other message. Nobody is enrolled: each person still chooses to join."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import InvitationStatus, Person, Program
from bot.errors import UserError
from bot.fanout import NewOutboxMessage
from bot.i18n import Renderer
from bot.messages import Choice, Message
from bot.ports import UnitOfWork
from bot.prompts import Prompt, bound_choices, new_token, offers_of
from bot.roster.lines import RosterLine, Verdict
from bot.roster.model import RosterImport
from bot.roster.plan import check_standing
from bot.scheduling.working_hours import WorkingHours

CHOICE_LABELS = {
    "mentor": "labels.join_mentor",
    "mentee": "labels.join_mentee",
}


# Marks someone as having left the company, in the confirmation's transaction.
Leave = Callable[[Person], Awaitable[None]]
# Why, in the history and the owners' messages, for someone a roster no longer lists.
NOT_ON_ROSTER = "roster_absent"


@dataclass(frozen=True)
class Confirmed:
    program: Program
    invited: int
    created: int
    unchanged: int
    left: int = 0


@dataclass(frozen=True)
class _Invitee:
    line: RosterLine
    person_id: int
    locale: str
    timezone: str
    working_hours: dict[str, Any] | None


async def confirm_import(
    uow: UnitOfWork,
    renderer: Renderer,
    roster: RosterImport,
    owner: Person,
    default_timezone: str,
    now: datetime,
    leave: Leave | None = None,
) -> Confirmed:
    """Carry out a dry run; a second confirmation of the same one is refused. With ``leave``,
    the people of an earlier roster this one no longer lists are marked as having left."""
    if roster.confirmed_at is not None:
        raise UserError("roster.already_confirmed")
    program = await uow.program(roster.program_id)
    if program is None or program.closed:
        raise UserError("roster.program_gone")
    where = (roster.platform, roster.workspace)
    lines = [RosterLine.from_json(values) for values in roster.lines]
    # Someone may have joined or been invited since the dry run.
    known = await check_standing(uow, program, where, lines)
    inviting = [line for line in lines if line.verdict == Verdict.INVITE and line.user_id]
    invitees, created = await _people(uow, program, where, known, inviting, default_timezone, now)
    managers = await _manager_ids(uow, where, lines)
    assert owner.id is not None and program.id is not None
    invitation_ids = await uow.insert_invitations(
        [
            {
                "program_id": program.id,
                "person_id": invitee.person_id,
                "invited_by": owner.id,
                "status": InvitationStatus.PENDING,
                "created_at": now,
                "hints": _hints(invitee.line, managers),
            }
            for invitee in invitees
        ]
    )
    messages, prompts = _invitations(
        renderer, roster.platform, program, owner, invitees, invitation_ids, now
    )
    await uow.enqueue_many(messages)
    await uow.add_prompts(prompts)
    left = await _absent_leave(uow, roster, leave) if leave is not None else 0
    roster.confirmed_at = now
    # The addresses now live in the people's rows; the import keeps its counts only.
    roster.lines = []
    roster.summary = {
        **roster.summary,
        "invited": len(invitees),
        "created": created,
        "left": left,
    }
    return Confirmed(program, len(invitees), created, len(lines) - len(invitees), left)


async def _absent_leave(uow: UnitOfWork, roster: RosterImport, leave: Leave) -> int:
    """Those the dry run found missing from the roster leave, unless they left meanwhile."""
    left = 0
    for person_id in roster.summary.get("absent", []):
        person = await uow.person(int(person_id))
        if person is None or person.left_at is not None:
            continue
        await leave(person)
        left += 1
    return left


async def _people(
    uow: UnitOfWork,
    program: Program,
    where: tuple[str, str],
    known: dict[str, Person],
    lines: list[RosterLine],
    default_timezone: str,
    now: datetime,
) -> tuple[list[_Invitee], int]:
    platform, workspace = where
    newcomers: list[RosterLine] = []
    invitees: list[_Invitee] = []
    for line in lines:
        person = known.get(line.user_id or "")
        if person is None:
            newcomers.append(line)
            continue
        _keep_hints(person, line)
        assert person.id is not None
        invitees.append(
            _Invitee(
                line,
                person.id,
                person.locale or program.locale,
                person.timezone or default_timezone,
                person.working_hours,
            )
        )
    rows = [
        {
            "platform": platform,
            "workspace": workspace,
            "user_id": line.user_id,
            "display_name": line.name or line.platform_name or line.email.split("@")[0],
            "locale": line.language,
            "timezone": line.timezone,
            "email": line.email,
            "country": line.country,
            "unreachable": False,
            "created_at": now,
        }
        for line in newcomers
    ]
    ids = await uow.insert_people(rows)
    for line, person_id in zip(newcomers, ids, strict=True):
        invitees.append(
            _Invitee(
                line,
                person_id,
                line.language or program.locale,
                line.timezone or default_timezone,
                None,
            )
        )
    return invitees, len(newcomers)


def _keep_hints(person: Person, line: RosterLine) -> None:
    """What HR says fills what the person has not said themselves; nothing they chose moves."""
    if not person.email:
        person.email = line.email
    if not person.locale and line.language:
        person.locale = line.language
    if not person.timezone and line.timezone:
        person.timezone = line.timezone
    if not person.country and line.country:
        person.country = line.country
    if line.name and person.display_name == person.user_id:
        person.display_name = line.name


async def _manager_ids(
    uow: UnitOfWork, where: tuple[str, str], lines: list[RosterLine]
) -> dict[str, str]:
    """manager e-mail -> their user id: from the roster, else from the people Tandem knows."""
    ids = {line.email: line.user_id for line in lines if line.user_id}
    missing = {line.manager for line in lines if line.manager and line.manager not in ids}
    if missing:
        known = await uow.people_by_emails(where[0], where[1], missing)
        ids.update({email: person.user_id for email, person in known.items()})
    return {email: user_id for email, user_id in ids.items() if user_id}


def _hints(line: RosterLine, managers: dict[str, str]) -> dict[str, Any]:
    hints: dict[str, Any] = {"source": "roster", "role": line.role}
    if line.department:
        hints["department"] = line.department
    if line.manager and line.manager in managers:
        hints["manager"] = managers[line.manager]
    return hints


def _invitations(
    renderer: Renderer,
    platform: str,
    program: Program,
    owner: Person,
    invitees: list[_Invitee],
    invitation_ids: list[int],
    now: datetime,
) -> tuple[list[NewOutboxMessage], list[Prompt]]:
    """One invitation message a person, with their own buttons; the texts are rendered once
    per language (they are the same for everyone of a language)."""
    texts: dict[str, str] = {}
    labels: dict[tuple[str, str], str] = {}
    zones: dict[str, ZoneInfo] = {}
    messages: list[NewOutboxMessage] = []
    prompts: list[Prompt] = []
    for invitee, invitation_id in zip(invitees, invitation_ids, strict=True):
        locale = renderer.locale_for(invitee.locale)
        if locale not in texts:
            texts[locale] = renderer.render(
                locale, "participant.invitation", program=program, owner=owner.display_name
            )
            for label in (*CHOICE_LABELS.values(), "labels.not_now"):
                labels[(locale, label)] = renderer.render(locale, label)
        value = f"invite:{invitation_id}"
        # The role HR suggested comes first; the person still chooses.
        roles = ["mentee", "mentor"] if invitee.line.role == "mentee" else ["mentor", "mentee"]
        choices = (
            *(Choice(f"{value}:{role}", labels[(locale, CHOICE_LABELS[role])]) for role in roles),
            Choice(f"{value}:decline", labels[(locale, "labels.not_now")]),
        )
        token = new_token()
        prompts.append(Prompt(token, invitee.person_id, offers_of(choices, None), now))
        zone = zones.setdefault(invitee.timezone, ZoneInfo(invitee.timezone))
        hours = WorkingHours.from_overrides(invitee.working_hours)
        messages.append(
            NewOutboxMessage(
                key=f"invitation:{invitation_id}",
                purpose="invitation",
                platform=platform,
                payload=Message(texts[locale], bound_choices(choices, token)).to_payload(),
                created_at=now,
                not_before=hours.next_working_moment(now, zone),
                person_id=invitee.person_id,
            )
        )
    return messages, prompts
