"""A snapshot of who is in which program, loaded in a few queries, and how to write to them.

A tick loads the subjects that are due (``DueIndex``): the enrollments and pairs whose next
moment has come or that a change marked, the people with a feedback request due, the pairs
with a planned session to ask about, and around them what the steps read together (the pairs
of those enrollments, the members of those pairs), with the next stretch of the sweep a
process starts with (``bot.scheduling.sweep``). ``everyone=True`` loads every open program's
people instead: the full scan, kept as the reference the due index is tested against.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import (
    Enrollment,
    EnrollmentStatus,
    OutboxMessage,
    Pair,
    Person,
    Program,
)
from bot.fanout import NewOutboxMessage
from bot.i18n import Renderer
from bot.messages import Choice, Message
from bot.ports import DueSubjects, UnitOfWork
from bot.prompts import Prompt, bound_choices, new_token, offers_of
from bot.scheduling.settings import PAST_SESSIONS_ASKED_FOR, ScheduleSettings
from bot.scheduling.sweep import Sweep
from bot.scheduling.working_hours import WorkingHours
from bot.turn import EngineConfig

logger = logging.getLogger("tandem.scheduler")


@dataclass(frozen=True)
class Scope:
    """What a tick evaluates: these enrollments and pairs (with the ``due_mark`` read before
    them), or, ``everyone``, all of them (its queries then read every row)."""

    marks: DueSubjects
    everyone: bool
    # Whether a feedback request may be due (False: none was, when the scope was read; they
    # are made by turns, never by a tick step, so the tick need not look again).
    feedback_due: bool = True
    # The stretch of the start-up sweep (bot.scheduling.sweep) evaluated with what is due.
    swept: DueSubjects = field(default_factory=lambda: DueSubjects({}, {}))


@dataclass
class Cohort:
    """Open programs, the active and paused enrollments being evaluated, the people behind them
    and their active pairs."""

    uow: UnitOfWork
    now: datetime
    renderer: Renderer
    config: EngineConfig
    scope: Scope
    programs: dict[int, Program]
    enrollments: dict[int, Enrollment]
    persons: dict[int, Person]
    pairs: dict[int, Pair]
    outbox: list[OutboxMessage | NewOutboxMessage] = field(default_factory=list)
    # The prompts of the queued messages that carry buttons, by outbox key.
    prompts: dict[str, Prompt] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)
    # What failed during this tick ("program:3", "pair:12", "step:checkins"), ids only.
    failures: list[str] = field(default_factory=list)
    # Planned sessions found declined or deleted in a calendar this tick: called off by a
    # follow-up right after it, so no reminder for them now.
    called_off: set[int] = field(default_factory=set)
    _by_person: dict[int, Enrollment] | None = None
    _labels: dict[tuple[str, str], str] = field(default_factory=dict)
    # Within one tick, the same inputs give the same text and the same working moment: a
    # round renders once per (locale, message, zone, variables), not once per person.
    _renders: dict[tuple[Any, ...], str] = field(default_factory=dict)
    _locales: dict[tuple[str | None, str | None], str] = field(default_factory=dict)
    _moments: dict[tuple[WorkingHours, datetime, str], datetime] = field(default_factory=dict)
    # A program's settings do not change during a tick: read once each, not once per person.
    _settings: dict[int | None, ScheduleSettings] = field(default_factory=dict)
    _default_hours: dict[tuple[int | None, str | None], WorkingHours] = field(default_factory=dict)

    @classmethod
    async def load(
        cls,
        uow: UnitOfWork,
        now: datetime,
        renderer: Renderer,
        config: EngineConfig,
        *,
        everyone: bool = False,
        sweep: Sweep | None = None,
    ) -> Cohort:
        scope = await (_everyone(uow) if everyone else _due(uow, now, sweep))
        uow.evaluating(scope.marks)
        return cls(uow, now, renderer, config, scope, *await _snapshot(uow, scope))

    async def reload(self) -> None:
        """Read them again, after a tick step was rolled back to its savepoint: what it had
        changed in memory is gone from the database, and read again from it."""
        self.programs, self.enrollments, self.persons, self.pairs = await _snapshot(
            self.uow, self.scope
        )
        self._by_person = None
        self._settings = {}
        self._default_hours = {}

    @property
    def enrollment_scope(self) -> set[int] | None:
        """The enrollment ids the steps' queries are about (None: all)."""
        return None if self.scope.everyone else set(self.scope.marks.enrollments)

    @property
    def pair_scope(self) -> set[int] | None:
        return None if self.scope.everyone else set(self.scope.marks.pairs)

    async def include_members_of(self, pairs: list[Pair]) -> None:
        """Load the members of these pairs too (a program's closing speaks to all its pairs,
        due or not)."""
        wanted = {
            member
            for pair in pairs
            for member in (pair.mentor_enrollment_id, pair.mentee_enrollment_id)
            if member is not None and member not in self.enrollments
        }
        if not wanted:
            return
        found = await self.uow.enrollments_by_id(wanted)
        added = _in_open_programs(found.values(), self.programs)
        self.enrollments.update(added)
        missing = {e.person_id for e in added.values()} - set(self.persons)
        self.persons.update(await self.uow.persons_by_id(missing))
        self._by_person = None

    def isolated(self, subject: str) -> Isolated:
        """The work for one program, pair or person (``subject``, e.g. "pair:12").

        If it fails, it is logged with that id (never with anything people wrote), what it had
        queued is dropped, and the tick goes on with the others; since nothing was written for
        it, the next tick finds it due again and retries."""
        return Isolated(self, subject)

    def drop_queued(self) -> None:
        """Forget what was queued and not yet written (its step was rolled back)."""
        self.outbox = []
        self.prompts = {}

    # About one person
    def zone(self, person: Person, program: Program | None = None) -> ZoneInfo:
        name = person.timezone or (program.timezone if program else None)
        return ZoneInfo(name or self.config.default_timezone)

    def locale(self, person: Person, program: Program | None = None) -> str:
        wanted = (person.locale, program.locale if program else None)
        locale = self._locales.get(wanted)
        if locale is None:
            locale = self._locales[wanted] = self.renderer.locale_for(
                *wanted, self.config.default_locale
            )
        return locale

    def hours(self, person: Person, program: Program | None = None) -> WorkingHours:
        """The person's working hours, less their program's days off."""
        days_off = self.settings(program).days_off if program is not None else None
        if person.working_hours:
            return WorkingHours.of(person, days_off)
        # Most people keep the default hours: one value per program and country, not one per
        # person.
        key = (program.id if program is not None else None, person.country)
        hours = self._default_hours.get(key)
        if hours is None:
            hours = self._default_hours[key] = WorkingHours.of(person, days_off)
        return hours

    def settings(self, program: Program) -> ScheduleSettings:
        settings = self._settings.get(program.id)
        if settings is None:
            settings = self._settings[program.id] = ScheduleSettings.for_program(program)
        return settings

    def is_active(self, enrollment_id: int | None) -> bool:
        enrollment = self.enrollments.get(enrollment_id) if enrollment_id else None
        return enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE

    def enrollment_of_person(self, person_id: int) -> Enrollment | None:
        """The person's active enrollment if any, else a paused one."""
        if self._by_person is None:
            # Active ones are sorted last so that they win over paused ones.
            ordered = sorted(
                self.enrollments.values(), key=lambda e: e.status == EnrollmentStatus.ACTIVE
            )
            self._by_person = {enrollment.person_id: enrollment for enrollment in ordered}
        return self._by_person.get(person_id)

    def pair_members(self, pair: Pair) -> list[tuple[Enrollment, Person]]:
        members = []
        for enrollment_id in (pair.mentor_enrollment_id, pair.mentee_enrollment_id):
            enrollment = self.enrollments.get(enrollment_id) if enrollment_id else None
            person = self.persons.get(enrollment.person_id) if enrollment else None
            if enrollment is not None and person is not None:
                members.append((enrollment, person))
        return members

    # Writing
    def queue(
        self,
        person: Person,
        program: Program,
        message_id: str,
        /,
        *,
        key: str,
        purpose: str,
        choices: tuple[Choice, ...] = (),
        earliest: datetime | None = None,
        expires_at: datetime | None = None,
        **variables: Any,
    ) -> datetime:
        """Queue a message for the next moment in the person's working hours; returns it.
        One still unsent at ``expires_at`` is dropped."""
        assert person.id is not None
        zone = self.zone(person, program)
        start = max(earliest, self.now) if earliest is not None else self.now
        not_before = self.working_moment(self.hours(person, program), start, zone)
        text = self.render(self.locale(person, program), message_id, zone=zone.key, **variables)
        if choices:
            token = new_token()
            self.prompts[key] = Prompt(token, person.id, offers_of(choices, None), self.now)
            choices = bound_choices(choices, token)
        self.outbox.append(
            NewOutboxMessage(
                key=key,
                purpose=purpose,
                platform=person.platform,
                person_id=person.id,
                payload=Message(text=text, choices=choices).to_payload(),
                created_at=self.now,
                not_before=not_before,
                expires_at=expires_at,
            )
        )
        return not_before

    def render(self, locale: str, message_id: str, /, **variables: Any) -> str:
        """The renderer's text, rendered once per tick for each full set of inputs."""
        key = _render_key(locale, message_id, variables)
        if key is None:
            return self.renderer.render(locale, message_id, **variables)
        text = self._renders.get(key)
        if text is None:
            text = self._renders[key] = self.renderer.render(locale, message_id, **variables)
        return text

    def working_moment(self, hours: WorkingHours, start: datetime, zone: ZoneInfo) -> datetime:
        """``hours.next_working_moment(start, zone)``, worked out once per tick per inputs."""
        key = (hours, start, zone.key)
        moment = self._moments.get(key)
        if moment is None:
            moment = self._moments[key] = hours.next_working_moment(start, zone)
        return moment

    def label(self, person: Person, program: Program, label_id: str, value: str) -> Choice:
        return Choice(value=value, label=self.label_text(self.locale(person, program), label_id))

    def label_text(self, locale: str, label_id: str) -> str:
        # The same few labels go on thousands of messages: render each once per locale.
        text = self._labels.get((locale, label_id))
        if text is None:
            text = self._labels[(locale, label_id)] = self.renderer.render(locale, label_id)
        return text

    async def flush_outbox(self) -> None:
        added = await self.uow.enqueue_many(self.outbox)
        for message in self.outbox:
            if message.key in added:
                self.sent[message.purpose] += 1
        # In the outbox rows' transaction; a message already queued keeps its own prompt.
        await self.uow.add_prompts([p for key, p in self.prompts.items() if key in added])
        self.outbox = []
        self.prompts = {}


# Values a render may be cached by: equal ones print alike. (Not so for 1 and True, or for two
# datetimes of one instant in different zones: the key holds each value's type and zone.)
_CACHEABLE = (str, int, float, bool, date, type(None))


def _render_key(locale: str, message_id: str, variables: dict[str, Any]) -> tuple[Any, ...] | None:
    """What a render depends on, or None when a variable is not a plain value."""
    key: list[Any] = [locale, message_id]
    for name in sorted(variables):
        value = variables[name]
        if not isinstance(value, _CACHEABLE):
            return None
        key += (name, type(value), value, getattr(value, "tzinfo", None))
    return tuple(key)


async def _everyone(uow: UnitOfWork) -> Scope:
    return Scope(await uow.due_subjects(None), everyone=True)


async def _due(uow: UnitOfWork, now: datetime, sweep: Sweep | None) -> Scope:
    """The due subjects (and the sweep's next stretch), and what the steps read with them. The
    marks are read before the rows themselves (``_snapshot``), so that a change committed in
    between is never lost."""
    due = await uow.due_subjects(now)
    swept = DueSubjects({}, {})
    if sweep is not None:
        swept = await uow.subjects_after(sweep.enrollment_after, sweep.pair_after, sweep.stretch)
        due = DueSubjects({**swept.enrollments, **due.enrollments}, {**swept.pairs, **due.pairs})
    enrollment_ids = set(due.enrollments)
    feedback_persons = await uow.persons_with_due_feedback(now)
    enrollment_ids |= await uow.enrollment_ids_of_persons(feedback_persons)
    pair_ids = set(due.pairs) | {
        session.pair_id
        for session in await uow.past_planned_sessions(now, now - PAST_SESSIONS_ASKED_FOR)
    }
    pair_ids |= await uow.active_pair_ids_of(enrollment_ids)
    enrollment_ids |= await uow.pair_members(pair_ids)
    more = await uow.due_marks(enrollment_ids - set(due.enrollments), pair_ids - set(due.pairs))
    return Scope(
        DueSubjects(
            {**due.enrollments, **more.enrollments},
            {**due.pairs, **more.pairs},
        ),
        everyone=False,
        feedback_due=bool(feedback_persons),
        swept=swept,
    )


async def _snapshot(
    uow: UnitOfWork, scope: Scope
) -> tuple[dict[int, Program], dict[int, Enrollment], dict[int, Person], dict[int, Pair]]:
    programs = {p.id: p for p in await uow.open_programs() if p.id is not None}
    if scope.everyone:
        found: list[Enrollment] = list(
            await uow.enrollments_with_status([EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED])
        )
        active_pairs = await uow.active_pairs()
    else:
        found = list((await uow.enrollments_by_id(scope.marks.enrollments)).values())
        active_pairs = await uow.active_pairs(scope.marks.pairs)
    enrollments = _in_open_programs(found, programs)
    persons = await uow.persons_by_id(e.person_id for e in enrollments.values())
    pairs = {pair.id: pair for pair in active_pairs if pair.id is not None}
    return programs, enrollments, persons, pairs


def _in_open_programs(
    found: Iterable[Enrollment], programs: dict[int, Program]
) -> dict[int, Enrollment]:
    """The active and paused ones, of open programs: those the steps work for."""
    return {
        e.id: e
        for e in sorted(found, key=lambda e: e.id or 0)
        if e.id is not None
        and e.program_id in programs
        and e.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)
    }


class Isolated:
    """``Cohort.isolated``: a class rather than a generator, since it wraps every person's
    work at every tick (a tenth of the cost)."""

    __slots__ = ("_cohort", "_prompted", "_queued", "_subject")

    def __init__(self, cohort: Cohort, subject: str) -> None:
        self._cohort = cohort
        self._subject = subject

    def __enter__(self) -> None:
        # Only lengths are kept: both grow by appending (dicts keep their insertion order), so
        # what came after them is what this work queued.
        self._queued = len(self._cohort.outbox)
        self._prompted = len(self._cohort.prompts)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool:
        if error is None or not isinstance(error, Exception):
            return False
        cohort = self._cohort
        del cohort.outbox[self._queued :]
        for key in list(cohort.prompts)[self._prompted :]:
            del cohort.prompts[key]
        cohort.failures.append(self._subject)
        logger.warning(
            "tick work failed; retried at the next tick",
            extra={"subject": self._subject, "error": type(error).__name__},
            exc_info=(kind, error, trace),  # type: ignore[arg-type]
        )
        return True
