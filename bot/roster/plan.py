"""The dry run: each line of a roster checked against the program and the platform, counted,
and kept until an owner confirms it. Nothing is written but the import's own row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.domain import Person, Program
from bot.ports import UnitOfWork
from bot.roster.columns import MAX_NAME, language_of, zone_of
from bot.roster.directory import DirectoryPort, Reach
from bot.roster.lines import RosterLine, Verdict, roster_lines
from bot.roster.model import RosterImport
from bot.roster.reading import read_table


@dataclass(frozen=True)
class RosterPlan:
    program: Program
    lines: list[RosterLine]
    counts: dict[str, int]
    warnings: dict[str, int]
    import_id: int | None = None
    # People invited from an earlier roster whom this one no longer lists, by name: marked as
    # having left only if the owner confirms so.
    absent: tuple[str, ...] = ()

    @property
    def to_invite(self) -> int:
        return self.counts.get(Verdict.INVITE.value, 0)

    @property
    def problems(self) -> list[RosterLine]:
        """Lines not invited for a reason someone can fix, then lines with a warning."""
        settled = (Verdict.INVITE, Verdict.ALREADY_INVITED, Verdict.ALREADY_ENROLLED)
        refused = [line for line in self.lines if line.verdict not in settled]
        warned = [line for line in self.lines if line.verdict in settled and line.warnings]
        return refused + warned


async def dry_run(
    uow: UnitOfWork,
    directory: DirectoryPort | None,
    program: Program,
    where: tuple[str, str],
    file_name: str,
    data: bytes,
    requested_by: int | None,
    now: datetime,
) -> RosterPlan:
    """Read and check the file for ``program`` among the people of ``where`` (platform,
    workspace); keep it as an import to confirm."""
    lines = roster_lines(read_table(file_name, data))
    await resolve(uow, directory, where, lines)
    await check_standing(uow, program, where, lines)
    absent = await absent_from(uow, program, where, lines)
    plan = summarised(program, lines)
    assert program.id is not None
    # One dry run waits at a time: an older one's addresses are not kept, and its button
    # no longer works.
    await uow.discard_pending_imports(program.id)
    kept = RosterImport(
        program_id=program.id,
        requested_by=requested_by,
        platform=where[0],
        workspace=where[1],
        file_name=file_name[-300:],
        created_at=now,
        lines=[line.to_json() for line in lines],
        summary={
            "counts": plan.counts,
            "warnings": plan.warnings,
            "absent": [person.id for person in absent],
        },
    )
    uow.add(kept)
    await uow.flush()
    names = tuple(person.display_name for person in absent)
    return RosterPlan(program, lines, plan.counts, plan.warnings, kept.id, names)


async def absent_from(
    uow: UnitOfWork, program: Program, where: tuple[str, str], lines: list[RosterLine]
) -> list[Person]:
    """People of this workspace invited to the program from an earlier roster, who have not
    left, and whom no line of this one names (by e-mail or account), by name."""
    assert program.id is not None
    emails = {line.email.casefold() for line in lines if line.email}
    emails |= {line.raw_email.strip().casefold() for line in lines if line.raw_email}
    accounts = {line.user_id for line in lines if line.user_id}
    absent = [
        person
        for person in await uow.roster_invitees(program.id)
        if (person.platform, person.workspace) == where
        and (person.email or "").casefold() not in emails
        and person.user_id not in accounts
    ]
    return sorted(absent, key=lambda person: (person.display_name.casefold(), person.id or 0))


def summarised(program: Program, lines: list[RosterLine]) -> RosterPlan:
    counts = Counter(line.verdict.value for line in lines)
    warnings = Counter(warning.value for line in lines for warning in line.warnings)
    return RosterPlan(program, lines, dict(counts), dict(warnings))


async def resolve(
    uow: UnitOfWork,
    directory: DirectoryPort | None,
    where: tuple[str, str],
    lines: list[RosterLine],
) -> None:
    """Who each address is: people Tandem already knows by their e-mail first, then the
    platform's directory for the others (none: nobody new can be reached)."""
    platform, workspace = where
    open_lines = [line for line in lines if line.verdict == Verdict.INVITE]
    known = await uow.people_by_emails(platform, workspace, (line.email for line in open_lines))
    asked = sorted({line.email for line in open_lines if line.email not in known})
    answers = await directory.look_up(workspace, asked) if directory and asked else {}
    taken: dict[str, int] = {}
    for line in open_lines:
        person = known.get(line.email)
        entry = answers.get(line.email)
        if person is not None:
            line.user_id, line.platform_name = person.user_id, person.display_name
        elif entry is not None and entry.reach == Reach.FOUND and entry.user_id:
            line.user_id = entry.user_id
            line.platform_name = (entry.display_name or "")[:MAX_NAME] or None
            # What the platform says fills what HR left empty, if Tandem can use it.
            line.timezone = line.timezone or zone_of(entry.timezone or "")
            line.language = line.language or language_of((entry.locale or "")[:2])
        elif entry is not None and entry.reach == Reach.NOT_INSTALLED:
            line.verdict = Verdict.NOT_INSTALLED
            continue
        else:
            line.verdict = Verdict.UNKNOWN_EMAIL
            continue
        assert line.user_id is not None
        # Two addresses of one account (an alias): the first line stands for the person.
        if line.user_id in taken:
            line.verdict, line.detail = Verdict.DUPLICATE, str(taken[line.user_id])
        else:
            taken[line.user_id] = line.line


async def check_standing(
    uow: UnitOfWork, program: Program, where: tuple[str, str], lines: list[RosterLine]
) -> dict[str, Person]:
    """Lines of people already enrolled or already invited change nothing; returns the people
    Tandem already knows among the others, by user id."""
    assert program.id is not None
    open_lines = [line for line in lines if line.verdict == Verdict.INVITE and line.user_id]
    people = await uow.people_by_user_ids(
        where[0], where[1], (line.user_id for line in open_lines if line.user_id)
    )
    standing = await uow.standing_in_program(
        program.id, (p.id for p in people.values() if p.id is not None)
    )
    for line in open_lines:
        person = people.get(line.user_id or "")
        state = standing.get(person.id) if person is not None and person.id is not None else None
        if state == "enrolled":
            line.verdict = Verdict.ALREADY_ENROLLED
        elif state == "invited":
            line.verdict = Verdict.ALREADY_INVITED
    return people
