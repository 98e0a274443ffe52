"""The matching in chat.

Owners: ``/tandem match`` proposes (a dry run, stored for the next commands), ``swap``,
``exclude``, ``include``, ``rerun``, ``approve`` (creates the pairs, kicks them off and tells the
unmatched kindly) and ``settings``. Participants' private preferences live in
``bot.commands.preferences``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.commands.grammar import Command, suggestion_among
from bot.commands.lookup import owned_program
from bot.commands.match_settings import changed_settings
from bot.commands.vocabulary import FRENCH_SUBS
from bot.conversations.kickoff import kickoff
from bot.domain import MatchProposal, Pair, Program, ProposalStatus
from bot.errors import UserError
from bot.matching import service
from bot.matching.cohort import Candidate, Cohort
from bot.matching.proposal import Proposal, revise, swapped, without
from bot.matching.settings import (
    MatchSettings,
)
from bot.people import mention_id
from bot.turn import Turn

# Pairs listed in one chat message; the CLI (and its CSV) shows them all.
MAX_SHOWN = 30


async def match(turn: Turn, command: Command) -> None:
    program = await owned_program(turn, command.options.get("program", ""))
    await _ACTIONS[command.sub](turn, command, program)


# Proposals


async def _propose(turn: Turn, command: Command, program: Program) -> None:
    if command.args:
        raise UserError(
            "errors.match_usage",
            given=" ".join(command.args),
            **suggestion_among(command.args[0], FRENCH_SUBS[("tandem", "match")]),
        )
    _, proposal = await service.fresh(turn.uow, program, turn.now)
    await service.start_new(turn.uow, program, proposal, turn.now, turn.person_id)
    turn.audit("match.proposed", program_id=program.id, pairs=len(proposal.pairs))
    await _show(turn, program, proposal, "new")


async def _rerun(turn: Turn, command: Command, program: Program) -> None:
    assert program.id is not None
    record = await turn.uow.open_match_proposal(program.id)
    excluded = list(record.excluded) if record is not None else []
    _, proposal = await service.fresh(turn.uow, program, turn.now, excluded)
    if record is None:
        await service.start_new(turn.uow, program, proposal, turn.now, turn.person_id)
    else:
        service.save(record, proposal, turn.now)
    turn.audit("match.rerun", program_id=program.id, pairs=len(proposal.pairs))
    await _show(turn, program, proposal, "rerun")


async def _swap(turn: Turn, command: Command, program: Program) -> None:
    if len(command.args) != 2:
        raise UserError("errors.match_swap_usage")
    record = await _open_record(turn, program)
    cohort, current = await service.reviewed(turn.uow, program, record, turn.now)
    first, second = [_candidate(cohort, record, mention, program) for mention in command.args]
    if first.enrollment_id == second.enrollment_id:
        raise UserError("errors.match_swap_usage")
    if first.role != second.role:
        raise UserError("errors.match_swap_roles", first=first.name, second=second.name)
    assignment = current.assignment()
    involved = {first.enrollment_id, second.enrollment_id}
    if not any(involved & set(pair) for pair in assignment):
        raise UserError("errors.match_swap_nothing", first=first.name, second=second.name)
    settings = MatchSettings.for_program(program)
    changed = revise(cohort, settings, swapped(assignment, first, second), set(record.excluded))
    refused = [
        b for b in changed.broken if involved & {b.mentor.enrollment_id, b.mentee.enrollment_id}
    ]
    if refused:
        raise UserError(
            "errors.match_swap_breaks",
            first=first.name,
            second=second.name,
            pairs=[
                {
                    "mentor": b.mentor.name,
                    "mentee": b.mentee.name,
                    "why": await _broken_text(turn, b.constraints, settings),
                }
                for b in refused
            ],
        )
    service.save(record, changed, turn.now)
    turn.audit("match.swapped", program_id=program.id)
    await _show(turn, program, changed, "swap", names=[first.name, second.name])


async def _exclude(turn: Turn, command: Command, program: Program) -> None:
    if not command.args:
        raise UserError("errors.match_exclude_usage", sub="exclude")
    record = await _open_record(turn, program)
    cohort, current = await service.reviewed(turn.uow, program, record, turn.now)
    people = [
        _candidate(cohort, record, mention, program, excluded_ok=True) for mention in command.args
    ]
    ids = {c.enrollment_id for c in people}
    excluded = set(record.excluded) | ids
    changed = revise(
        cohort, MatchSettings.for_program(program), without(current.assignment(), ids), excluded
    )
    service.save(record, changed, turn.now)
    turn.audit("match.excluded", program_id=program.id, count=len(ids))
    await _show(turn, program, changed, "exclude", names=[c.name for c in people])


async def _include(turn: Turn, command: Command, program: Program) -> None:
    if not command.args:
        raise UserError("errors.match_exclude_usage", sub="include")
    record = await _open_record(turn, program)
    cohort, current = await service.reviewed(turn.uow, program, record, turn.now)
    people = [
        _candidate(cohort, record, mention, program, excluded_ok=True) for mention in command.args
    ]
    ids = {c.enrollment_id for c in people}
    excluded = set(record.excluded) - ids
    changed = revise(cohort, MatchSettings.for_program(program), current.assignment(), excluded)
    service.save(record, changed, turn.now)
    turn.audit("match.included", program_id=program.id, count=len(ids))
    await _show(turn, program, changed, "include", names=[c.name for c in people])


async def _approve(turn: Turn, command: Command, program: Program) -> None:
    record = await _open_record(turn, program)
    _, proposal = await service.reviewed(turn.uow, program, record, turn.now)
    if proposal.changed:
        # The owner approves what they saw, or nothing: show the proposal as it stands now.
        gone = await service.names_of(turn.uow, program, proposal.gone)
        service.save(record, proposal, turn.now)
        await _show(
            turn,
            program,
            proposal,
            "changed",
            gone=gone,
            gone_unnamed=len(proposal.gone) - len(gone),
        )
        return
    assert program.id is not None and record.id is not None
    for proposed in proposal.pairs:
        mentor = await turn.uow.person(proposed.mentor.person_id)
        mentee = await turn.uow.person(proposed.mentee.person_id)
        assert mentor is not None and mentee is not None
        pair = Pair(
            program_id=program.id,
            mentor_enrollment_id=proposed.mentor.enrollment_id,
            mentee_enrollment_id=proposed.mentee.enrollment_id,
            created_at=turn.now,
            created_by=turn.person_id,
        )
        turn.uow.add(pair)
        await turn.uow.flush()
        turn.audit(
            "pair.created",
            program_id=program.id,
            subject=f"pair:{pair.id}",
            matched=True,
            score=proposed.score,
        )
        await kickoff(turn, pair, mentor, mentee)
    for unmatched in proposal.unmatched:
        person = await turn.uow.person(unmatched.candidate.person_id)
        assert person is not None
        await turn.notify(
            person,
            "matching.unmatched_kind",
            key=f"match_unmatched:{record.id}:{unmatched.candidate.enrollment_id}",
            purpose="match_unmatched",
            program=program.name,
            role=unmatched.candidate.role.value,
        )
    service.save(record, proposal, turn.now)
    record.status = ProposalStatus.APPROVED
    turn.audit(
        "match.approved",
        program_id=program.id,
        pairs=len(proposal.pairs),
        unmatched=len(proposal.unmatched),
    )
    await turn.say(
        "matching.approved",
        program=program.name,
        pairs=len(proposal.pairs),
        told=len(proposal.unmatched),
        excluded=[c.name for c in proposal.excluded],
    )


async def _open_record(turn: Turn, program: Program) -> MatchProposal:
    assert program.id is not None
    record = await turn.uow.open_match_proposal(program.id)
    if record is None:
        raise UserError("errors.match_no_proposal", program=program.name)
    return record


def _candidate(
    cohort: Cohort,
    record: MatchProposal,
    mention: str,
    program: Program,
    *,
    excluded_ok: bool = False,
) -> Candidate:
    """The candidate named by a mention; refuses people the matching cannot act on."""
    user_id = mention_id(mention)
    for candidate in (*cohort.mentors, *cohort.mentees):
        if candidate.user_id == user_id:
            if candidate.enrollment_id in record.excluded and not excluded_ok:
                raise UserError("errors.match_person_excluded", name=candidate.name)
            return candidate
    raise UserError("errors.match_not_candidate", name=user_id, program=program.name)


async def _broken_text(turn: Turn, constraints: tuple[str, ...], settings: MatchSettings) -> str:
    return await turn.text(
        "matching.broken", codes=list(constraints), min_hours=_hours(settings.min_overlap_hours)
    )


def _hours(value: float) -> str:
    return f"{value:g}"


async def _show(
    turn: Turn, program: Program, proposal: Proposal, event: str, **variables: Any
) -> None:
    """The proposal, pair by pair with its explanation, in the owner's language."""
    settings = MatchSettings.for_program(program)
    data = service.view(proposal, settings)
    min_hours = _hours(settings.min_overlap_hours)
    pairs = []
    for index, pair in enumerate(data["pairs"][:MAX_SHOWN], 1):
        pairs.append(
            await turn.text(
                "matching.pair",
                index=index,
                **pair,
                topics_text=await turn.text("matching.topics", **pair),
                goal_text=await turn.text("matching.goal", goal=pair["goal"]),
                checked_text=await turn.text(
                    "matching.checked", codes=pair["checked"], min_hours=min_hours
                ),
            )
        )
    unmatched = [
        await turn.text(
            "matching.unmatched_line",
            **line,
            reason_text=await turn.text("matching.reason", **line, capacity=settings.capacity),
        )
        for line in data["unmatched"]
    ]
    broken = [
        await turn.text(
            "matching.broken_line",
            **line,
            why=await _broken_text(turn, tuple(line["constraints"]), settings),
        )
        for line in data["broken"]
    ]
    variables.setdefault("names", [])
    variables.setdefault("gone", [])
    variables.setdefault("gone_unnamed", 0)
    await turn.say(
        "matching.proposal",
        program=program.name,
        event=event,
        pairs=pairs,
        count=len(data["pairs"]),
        hidden=max(len(data["pairs"]) - MAX_SHOWN, 0),
        unmatched=unmatched,
        excluded=data["excluded"],
        arrived=data["arrived"],
        broken=broken,
        total=data["total"],
        average=data["average"],
        capacity=data["capacity"],
        **variables,
    )


# Settings


async def _settings(turn: Turn, command: Command, program: Program) -> None:
    settings = MatchSettings.for_program(program)
    if command.args:
        settings = changed_settings(settings, command.args)
        program.matching = settings.overrides() or None
        turn.audit("match.settings", program_id=program.id, **settings.overrides())
    await turn.say(
        "matching.settings", program=program.name, settings=settings, weights=settings.weights
    )


_ACTIONS: dict[str, Callable[[Turn, Command, Program], Awaitable[None]]] = {
    "": _propose,
    "rerun": _rerun,
    "swap": _swap,
    "exclude": _exclude,
    "include": _include,
    "approve": _approve,
    "settings": _settings,
}
