"""Every change that may move what the scheduler owes someone marks it due, in its own flush.

The tick reads only the enrollments and pairs whose ``next_due_at`` has come (``due_index``).
That is only right if no change can make something due earlier without the row saying so: so
every flush that adds, changes or deletes something the tick's steps read (an enrollment, a
pair, a person's time zone or working hours, a program's settings, a check-in, a session
logged or planned, a charter, a feedback request, an assessment, a profile) sets the rows it
concerns to "due now" and bumps their ``due_mark`` in the same transaction. The next tick then
evaluates them as a full scan would, and writes their real next moment; ``due_mark`` keeps
it from overwriting a change committed while it was evaluating them (see ``due_index``).

Over-marking is always safe (one more evaluation); a change that marked nothing is the only
way to miss a message, which is why this listens to the ORM rather than trusting each
command to remember.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from bot.domain import (
    Charter,
    Checkin,
    Enrollment,
    FeedbackRequest,
    Pair,
    Person,
    PlannedSession,
    Profile,
    Program,
    SessionLog,
    SkillAssessment,
)
from storage import tables

# session.info keys: the marks collected before a flush, and the subjects a tick is
# evaluating (it writes their next moment itself).
PENDING = "tandem.due_marks"
EVALUATING = "tandem.due_evaluating"
CHUNK = 500

# The person's attributes a schedule depends on (a display name changes no moment).
PERSON_TIMING = ("timezone", "working_hours", "country", "left_at")
# Their program's name and digest channel move nothing either; every other setting may.
PROGRAM_UNTIMED = frozenset({"name", "digest_channel", "locale", "topics", "reciprocal_topics"})


@dataclass
class Marks:
    enrollments: set[int] = field(default_factory=set)
    pairs: set[int] = field(default_factory=set)
    # The pairs having one of these enrollments as a member.
    pairs_of_enrollments: set[int] = field(default_factory=set)
    # Everything of these people (their enrollments and their pairs) or programs.
    persons: set[int] = field(default_factory=set)
    programs: set[int] = field(default_factory=set)
    # The enrollments of these people only (a feedback request is the person's, not a pair's).
    persons_enrollments: set[int] = field(default_factory=set)
    # Objects whose ids exist only once flushed.
    new: list[object] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.enrollments
            or self.pairs
            or self.pairs_of_enrollments
            or self.persons
            or self.programs
            or self.persons_enrollments
        )


class MarkingSession(Session):
    """The sessions of the unit of work: their flushes mark what they may have moved."""


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    marks: Marks = session.info.setdefault(PENDING, Marks())
    marks.new.extend(session.new)
    for entity in session.dirty:
        if session.is_modified(entity, include_collections=False):
            _mark(entity, marks, changed=True)
    deleted = Marks()
    for entity in session.deleted:
        _mark(entity, deleted, changed=False)
    if deleted:
        # Now, while the rows still exist: a deleted enrollment's pairs lose their member id.
        _apply(session.connection(), deleted, excluded=None)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    marks: Marks | None = session.info.pop(PENDING, None)
    if marks is None:
        return
    for entity in marks.new:
        _mark(entity, marks, changed=False)
    marks.new = []
    if marks:
        _apply(session.connection(), marks, excluded=session.info.get(EVALUATING))


def _mark(entity: object, marks: Marks, *, changed: bool) -> None:
    """What ``entity`` being added (``changed`` False) or changed or deleted may move."""
    if isinstance(entity, Enrollment):
        if entity.id is not None:
            marks.enrollments.add(entity.id)
            # Its pairs' nudges and reminders depend on whether both members are active.
            marks.pairs_of_enrollments.add(entity.id)
    elif isinstance(entity, Pair):
        if entity.id is not None:
            marks.pairs.add(entity.id)
        # Assessments are for paired people: the members are evaluated again too.
        marks.enrollments.update(_history(entity, "mentor_enrollment_id", "mentee_enrollment_id"))
    elif isinstance(entity, Person):
        if entity.id is not None and (not changed or _changed(entity, PERSON_TIMING)):
            marks.persons.add(entity.id)
    elif isinstance(entity, Program):
        if entity.id is not None and (not changed or _changed_except(entity, PROGRAM_UNTIMED)):
            marks.programs.add(entity.id)
    elif isinstance(entity, Charter | SessionLog | PlannedSession):
        marks.pairs.add(entity.pair_id)
    elif isinstance(entity, Checkin | SkillAssessment | Profile):
        marks.enrollments.add(entity.enrollment_id)
    elif isinstance(entity, FeedbackRequest):
        marks.persons_enrollments.add(entity.person_id)


def _history(entity: object, *names: str) -> set[int]:
    """The attributes' current values and the values they had before this flush."""
    values: set[int] = set()
    state = inspect(entity)
    for name in names:
        history = state.attrs[name].history
        for value in (*history.added, *history.unchanged, *history.deleted):
            if isinstance(value, int):
                values.add(value)
    return values


def _changed(entity: object, names: Iterable[str]) -> bool:
    state = inspect(entity)
    return any(state.attrs[name].history.has_changes() for name in names)


def _changed_except(entity: object, untimed: frozenset[str]) -> bool:
    state = inspect(entity)
    return any(
        attribute.history.has_changes() for attribute in state.attrs if attribute.key not in untimed
    )


def _apply(connection: sa.Connection, marks: Marks, *, excluded: Any) -> None:
    """Set the marked rows due now and bump their ``due_mark``. ``excluded``: the enrollment
    and pair ids a tick is evaluating, whose next moment it writes itself (their own changes
    only: a person's or a program's change still marks everything of theirs)."""
    enrollment, pair = tables.enrollment, tables.pair
    own_enrollments, own_pairs = marks.enrollments, marks.pairs
    pairs_of = marks.pairs_of_enrollments
    if excluded is not None:
        own_enrollments = own_enrollments - excluded[0]
        own_pairs = own_pairs - excluded[1]
        pairs_of = pairs_of - excluded[0]
    # A tick only answers the feedback requests of people whose every enrollment it is
    # evaluating: those need no mark.
    persons_enrollments = marks.persons_enrollments if excluded is None else set()
    enrollment_where = [
        *(enrollment.c.id.in_(chunk) for chunk in _chunks(own_enrollments)),
        *(enrollment.c.person_id.in_(chunk) for chunk in _chunks(marks.persons)),
        *(enrollment.c.person_id.in_(chunk) for chunk in _chunks(persons_enrollments)),
        *(enrollment.c.program_id.in_(chunk) for chunk in _chunks(marks.programs)),
    ]
    pair_where = [
        *(pair.c.id.in_(chunk) for chunk in _chunks(own_pairs)),
        *(pair.c.program_id.in_(chunk) for chunk in _chunks(marks.programs)),
    ]
    for chunk in _chunks(pairs_of):
        pair_where += [
            pair.c.mentor_enrollment_id.in_(chunk),
            pair.c.mentee_enrollment_id.in_(chunk),
        ]
    for chunk in _chunks(marks.persons):
        of_persons = sa.select(enrollment.c.id).where(enrollment.c.person_id.in_(chunk))
        pair_where += [
            pair.c.mentor_enrollment_id.in_(of_persons),
            pair.c.mentee_enrollment_id.in_(of_persons),
        ]
    for table, where in ((enrollment, enrollment_where), (pair, pair_where)):
        if where:
            connection.execute(
                sa.update(table)
                .where(sa.or_(*where))
                .values(next_due_at=tables.DUE_NOW, due_mark=table.c.due_mark + 1)
            )


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


event.listen(MarkingSession, "before_flush", _before_flush)
event.listen(MarkingSession, "after_flush", _after_flush)
