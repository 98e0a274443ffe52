"""What a pair's guide depends on, read from storage: its topics and the stage it is at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain import Pair, Program
from bot.guides.choice import GuideBook, pair_topics, sessions_target, stage_of
from bot.guides.library import GuideLibrary, default_library
from bot.guides.model import Stage
from bot.ports import UnitOfWork


@dataclass(frozen=True)
class PairGuideFacts:
    topics: list[str]
    stage: Stage

    @property
    def topic(self) -> str | None:
        return self.topics[0] if self.topics else None


async def pair_guide_facts(
    uow: UnitOfWork, program: Program, pair: Pair, on: date
) -> PairGuideFacts:
    """The pair's topics (best first) and the stage of a session held on ``on``."""
    assert pair.id is not None
    mentor = await uow.profile_of(pair.mentor_enrollment_id) if pair.mentor_enrollment_id else None
    mentee = await uow.profile_of(pair.mentee_enrollment_id) if pair.mentee_enrollment_id else None
    charter = await uow.charter_of(pair.id)
    done = await uow.session_count(pair.id)
    return PairGuideFacts(
        topics=pair_topics(program, mentor, mentee),
        stage=stage_of(program, done, sessions_target(program, charter), on),
    )


async def guide_book(
    uow: UnitOfWork, program: Program | None, library: GuideLibrary | None = None
) -> GuideBook:
    """The guides of ``program`` (its owners' first), or the defaults alone without one."""
    owner_guides = await uow.owner_guides(program.id) if program and program.id else ()
    return GuideBook(library or default_library(), owner_guides)
