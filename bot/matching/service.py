"""Proposals read from and written to storage, through the unit of work only."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.domain import MatchProposal, Program, ProposalStatus
from bot.matching.cohort import Cohort, load_cohort
from bot.matching.proposal import Proposal, propose, revise
from bot.matching.settings import MatchSettings
from bot.ports import UnitOfWork


async def fresh(
    uow: UnitOfWork, program: Program, now: datetime, excluded: Iterable[int] = ()
) -> tuple[Cohort, Proposal]:
    cohort = await load_cohort(uow, program, now)
    return cohort, propose(cohort, MatchSettings.for_program(program), set(excluded))


async def reviewed(
    uow: UnitOfWork, program: Program, record: MatchProposal, now: datetime
) -> tuple[Cohort, Proposal]:
    """The stored proposal as it stands today (see ``revise``), with who arrived since."""
    cohort = await load_cohort(uow, program, now)
    unmatched = [int(u["enrollment"]) for u in record.unmatched]
    proposal = revise(
        cohort,
        MatchSettings.for_program(program),
        stored_assignment(record),
        set(record.excluded),
        unmatched,
    )
    known = {e for pair in stored_assignment(record) for e in pair}
    known |= set(unmatched) | set(record.excluded)
    arrived = tuple(c for c in (*cohort.mentors, *cohort.mentees) if c.enrollment_id not in known)
    return cohort, dataclasses.replace(proposal, arrived=arrived)


def stored_assignment(record: MatchProposal) -> list[tuple[int, int]]:
    return [(int(p["mentor"]), int(p["mentee"])) for p in record.pairs]


def save(record: MatchProposal, proposal: Proposal, now: datetime) -> None:
    record.pairs = proposal.stored_pairs()
    record.unmatched = proposal.stored_unmatched()
    record.excluded = proposal.excluded_ids()
    record.updated_at = now


async def start_new(
    uow: UnitOfWork, program: Program, proposal: Proposal, now: datetime, by: int | None
) -> MatchProposal:
    """Store a new proposal for the program; an earlier open one is replaced."""
    assert program.id is not None
    previous = await uow.open_match_proposal(program.id)
    if previous is not None:
        previous.status = ProposalStatus.REPLACED
        previous.updated_at = now
    record = MatchProposal(program_id=program.id, created_at=now, updated_at=now, created_by=by)
    save(record, proposal, now)
    uow.add(record)
    await uow.flush()
    return record


async def names_of(uow: UnitOfWork, program: Program, enrollment_ids: Iterable[int]) -> list[str]:
    """Display names of enrollments of the program (people who erased their data have none)."""
    assert program.id is not None
    wanted = set(enrollment_ids)
    if not wanted:
        return []
    people = {p.id: p.display_name for p in await uow.people_in_program(program.id)}
    return [
        people[e.person_id]
        for e in await uow.enrollments_in_program(program.id)
        if e.id in wanted and e.person_id in people
    ]


def view(proposal: Proposal, settings: MatchSettings) -> dict[str, Any]:
    """What the templates show about a proposal (plain data)."""
    pairs = [
        {"mentor": p.mentor.name, "mentee": p.mentee.name, **p.explanation} for p in proposal.pairs
    ]
    return {
        "pairs": pairs,
        "unmatched": [
            {"name": u.candidate.name, "role": u.candidate.role.value, "reason": u.reason}
            for u in proposal.unmatched
        ],
        "excluded": [c.name for c in proposal.excluded],
        "arrived": [c.name for c in proposal.arrived],
        "broken": [
            {"mentor": b.mentor.name, "mentee": b.mentee.name, "constraints": list(b.constraints)}
            for b in proposal.broken
        ],
        "total": round(proposal.total_score, 2),
        "average": round(100 * proposal.total_score / len(pairs)) if pairs else 0,
        "capacity": settings.capacity,
    }
