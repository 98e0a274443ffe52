"""The matching page: the proposal under review, and the owner's actions on it.

An action clicked in the browser is the chat command it stands for (``/tandem match swap @a
@b``), run by the engine as the owner's own turn: the same checks, the same audit, the same
kickoff messages on approval, the same refusals. Nothing here changes a proposal by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.dashboard.model import ProgramSummary
from bot.dashboard.pages import NotFound
from bot.domain import Program
from bot.events import EventKind, InboundEvent, Sender
from bot.i18n import Renderer
from bot.matching import service
from bot.matching.cohort import Candidate
from bot.matching.proposal import Proposal
from bot.matching.settings import MatchSettings
from bot.messages import Message
from bot.ports import UnitOfWork, UnitOfWorkFactory

# What the page offers, as the chat's ``/tandem match`` sub-verbs ("propose": none).
ACTIONS = ("propose", "rerun", "swap", "exclude", "include", "approve")
# What the page can say was done: the actions, and an approval that found the proposal changed.
DONE = (*ACTIONS, "changed")
# Quotes that end a quoted word in a command line (bot.commands.tokens): a program name holding
# one cannot be quoted, and is then named by being the owner's only open program.
_DOUBLE_QUOTES = ('"', "“", "”", "„", "«", "»")


class TurnRunner(Protocol):
    """The engine, as the dashboard uses it: one event in, the replies to its sender out."""

    async def handle(self, event: InboundEvent) -> list[Message]: ...


@dataclass(frozen=True)
class Person:
    """Someone the owner can act on: the value is their chat id (``@id`` in the command)."""

    user_id: str
    name: str
    role: str


@dataclass(frozen=True)
class ProposedPairView:
    mentor: str
    mentee: str
    score: int
    topics: str
    goal: str
    goal_fit: int
    languages: tuple[str, ...]
    shared_hours: float
    reciprocal: tuple[tuple[str, int], ...]
    checked: str


@dataclass(frozen=True)
class UnmatchedView:
    name: str
    role: str
    reason: str


@dataclass(frozen=True)
class BrokenView:
    mentor: str
    mentee: str
    why: str


@dataclass(frozen=True)
class MatchingPage:
    program: ProgramSummary
    # False: no proposal under review (none asked yet, or the last one was approved).
    under_review: bool
    updated_at: datetime | None = None
    pairs: tuple[ProposedPairView, ...] = ()
    unmatched: tuple[UnmatchedView, ...] = ()
    excluded: tuple[Person, ...] = ()
    arrived: tuple[str, ...] = ()
    broken: tuple[BrokenView, ...] = ()
    average: int = 0
    capacity: int = 1
    # Who can be swapped or left out: everyone in the proposal but the excluded.
    in_proposal: tuple[Person, ...] = ()


@dataclass(frozen=True)
class ActionOutcome:
    """What came of an action: ``done`` names what happened ("changed": an approval of a
    proposal that changed meanwhile, so nothing was created); ``refusal`` is the engine's
    localized reason, ``problem`` the key of what the form lacked; either way nothing changed."""

    done: str = ""
    refusal: str | None = None
    problem: str = ""


def missing_choice(action: str, people: Sequence[str]) -> str:
    """What the form lacks for the action, as a text key (the engine checks everything else)."""
    if action not in ACTIONS:
        return "unknown_action"
    if action == "swap" and (len(people) != 2 or people[0] == people[1]):
        return "swap_two"
    if action in ("exclude", "include") and not people:
        return "choose_someone"
    return ""


def command_text(action: str, user_ids: Sequence[str], program_name: str) -> str:
    """The chat command an action stands for, with the people as quoted mentions."""
    words = ["tandem", "match"]
    if action != "propose":
        words.append(action)
    words.extend(f'"@{user_id}"' for user_id in user_ids)
    if not any(quote in program_name for quote in _DOUBLE_QUOTES):
        words.append(f'program: "{program_name}"')
    return " ".join(words)


def _person(candidate: Candidate) -> Person:
    return Person(candidate.user_id, candidate.name, candidate.role.value)


class MatchingDesk:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        renderer: Renderer,
        engine: TurnRunner,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._renderer = renderer
        self._engine = engine

    async def _owned(self, uow: UnitOfWork, person_id: int, program_id: int) -> Program:
        program = await uow.program(program_id)
        if program is None or not await uow.is_owner(program_id, person_id):
            raise NotFound
        return program

    async def page(self, person_id: int, program_id: int, locale: str) -> MatchingPage:
        """The proposal as it stands today (what ``approve`` would create), read only."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            summary = ProgramSummary.of(program)
            record = await uow.open_match_proposal(program_id)
            if record is None:
                return MatchingPage(summary, under_review=False)
            _, proposal = await service.reviewed(uow, program, record, now)
            settings = MatchSettings.for_program(program)
            return self._page(summary, proposal, settings, locale, record.updated_at)

    def _page(
        self,
        program: ProgramSummary,
        proposal: Proposal,
        settings: MatchSettings,
        locale: str,
        updated_at: datetime,
    ) -> MatchingPage:
        text = self._renderer.render
        hours = f"{settings.min_overlap_hours:g}"
        data = service.view(proposal, settings)
        pairs = tuple(
            ProposedPairView(
                mentor=pair["mentor"],
                mentee=pair["mentee"],
                score=round(pair["score"] * 100),
                topics=text(locale, "matching.topics", **pair),
                goal=text(locale, "matching.goal", goal=pair["goal"]),
                goal_fit=round(pair["components"]["goal"] * 100),
                languages=tuple(pair["languages"]),
                shared_hours=round(pair["shared_hours"], 1),
                reciprocal=tuple((t["topic"], t["level"]) for t in pair["reciprocal"]),
                checked=text(locale, "matching.checked", codes=pair["checked"], min_hours=hours),
            )
            for pair in data["pairs"]
        )
        unmatched = tuple(
            UnmatchedView(
                line["name"],
                line["role"],
                text(locale, "matching.reason", **line, capacity=settings.capacity),
            )
            for line in data["unmatched"]
        )
        broken = tuple(
            BrokenView(
                line["mentor"],
                line["mentee"],
                text(locale, "matching.broken", codes=line["constraints"], min_hours=hours),
            )
            for line in data["broken"]
        )
        placed = [c for p in proposal.pairs for c in (p.mentor, p.mentee)]
        placed += [u.candidate for u in proposal.unmatched]
        unique = {c.enrollment_id: c for c in placed}
        in_proposal = sorted(
            (_person(c) for c in unique.values()), key=lambda p: (p.role, p.name.lower())
        )
        return MatchingPage(
            program,
            under_review=True,
            updated_at=updated_at,
            pairs=pairs,
            unmatched=unmatched,
            excluded=tuple(_person(c) for c in proposal.excluded),
            arrived=tuple(data["arrived"]),
            broken=broken,
            average=data["average"],
            capacity=data["capacity"],
            in_proposal=tuple(in_proposal),
        )

    async def act(
        self, person_id: int, program_id: int, action: str, user_ids: Sequence[str]
    ) -> ActionOutcome:
        """Runs the action as the owner's ``/tandem match …`` turn in the engine."""
        problem = missing_choice(action, user_ids)
        if problem:
            return ActionOutcome(problem=problem)
        async with self._uow_factory() as uow:
            program = await self._owned(uow, person_id, program_id)
            owner = await uow.person(person_id)
            if owner is None:
                raise NotFound
            sender = Sender(owner.platform, owner.workspace, owner.user_id)
            text = command_text(action, user_ids, program.name)
        replies = await self._engine.handle(
            InboundEvent(kind=EventKind.COMMAND, sender=sender, text=text)
        )
        refused = [reply.text for reply in replies if reply.refused]
        if refused:
            return ActionOutcome(refusal="\n".join(refused))
        if action == "approve" and await self.under_review(person_id, program_id):
            # The proposal changed since the page showed it: the engine approved nothing.
            return ActionOutcome(done="changed")
        return ActionOutcome(done=action)

    async def under_review(self, person_id: int, program_id: int) -> bool:
        async with self._uow_factory() as uow:
            await self._owned(uow, person_id, program_id)
            return await uow.open_match_proposal(program_id) is not None
