"""The guide that comes with the reminder of a planned session: the session's guide for the
mentor, a short "come with a real case" note for the mentee; once each per session."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Enrollment, Pair, Person, PlannedSession, Role
from bot.guides.choice import GuideBook
from bot.guides.pairs import PairGuideFacts, guide_book, pair_guide_facts
from bot.scheduling.cohort import Cohort


@dataclass(frozen=True)
class _Reminded:
    session: PlannedSession
    pair: Pair
    enrollment: Enrollment
    person: Person
    partner: Person | None

    @property
    def key(self) -> str:
        return f"session_guide:{self.session.id}:{self.person.id}"


class GuidesWithReminders:
    """Collects who was reminded of a session during a tick step, then queues each their guide
    unless it was queued before: the reminders step runs at every tick, the guide goes once."""

    def __init__(self, cohort: Cohort) -> None:
        self._cohort = cohort
        self._reminded: list[_Reminded] = []
        self._books: dict[int, GuideBook] = {}

    def add(
        self,
        session: PlannedSession,
        pair: Pair,
        enrollment: Enrollment,
        person: Person,
        partner: Person | None,
    ) -> None:
        self._reminded.append(_Reminded(session, pair, enrollment, person, partner))

    async def queue(self) -> None:
        if not self._reminded:
            return
        cohort = self._cohort
        present = await cohort.uow.outbox_keys_present(r.key for r in self._reminded)
        by_session: dict[int | None, list[_Reminded]] = {}
        for reminded in self._reminded:
            if reminded.key not in present:
                by_session.setdefault(reminded.session.id, []).append(reminded)
        self._reminded = []
        for members in by_session.values():
            with cohort.isolated(f"pair:{members[0].pair.id}"):
                await self._queue_session(members)

    async def _queue_session(self, members: list[_Reminded]) -> None:
        cohort = self._cohort
        first = members[0]
        program = cohort.programs.get(first.pair.program_id)
        if program is None or program.id is None:
            return
        zone = cohort.zone(first.person, program)
        on = first.session.starts_at.astimezone(zone).date()
        facts = await pair_guide_facts(cohort.uow, program, first.pair, on)
        if facts.topic is None:
            return
        if program.id not in self._books:
            self._books[program.id] = await guide_book(cohort.uow, program)
        for reminded in members:
            self._queue_one(reminded, facts, self._books[program.id])

    def _queue_one(self, reminded: _Reminded, facts: PairGuideFacts, book: GuideBook) -> None:
        cohort, session = self._cohort, reminded.session
        program = cohort.programs[reminded.pair.program_id]
        locale = cohort.locale(reminded.person, program)
        assert facts.topic is not None
        partner = reminded.partner.display_name if reminded.partner else ""
        if reminded.enrollment.role == Role.MENTOR:
            guide = book.guide(facts.topic, facts.stage, locale)
            if guide is not None:
                cohort.queue(
                    reminded.person,
                    program,
                    "guides.mentor",
                    key=reminded.key,
                    purpose="session_guide",
                    expires_at=session.starts_at,
                    starts_at=session.starts_at,
                    partner=partner,
                    guide=guide,
                )
            return
        cohort.queue(
            reminded.person,
            program,
            "guides.mentee_note",
            key=reminded.key,
            purpose="session_guide_mentee",
            expires_at=session.starts_at,
            starts_at=session.starts_at,
            partner=partner,
            stage=facts.stage.value,
            topic=book.topic_name(facts.topic, locale),
            real_case=book.real_case(facts.topic, locale),
        )
