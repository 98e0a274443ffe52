"""The SQLAlchemy implementation of the engine's UnitOfWork: one session, one transaction."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm.util import identity_key

from bot.domain import (
    AuditEntry,
    Charter,
    Continuation,
    Conversation,
    ConversationStatus,
    Enrollment,
    EnrollmentStatus,
    Invitation,
    InvitationStatus,
    OutboxMessage,
    OutboxStatus,
    Pair,
    PairStatus,
    Person,
    PlannedSession,
    Profile,
    Program,
    ProgramOwner,
)
from storage import tables
from storage.activity_queries import SqlActivityQueries
from storage.bulk_writes import SqlBulkWrites
from storage.dashboard_queries import SqlDashboardQueries
from storage.database import session_factory
from storage.digest_queries import SqlDigestQueries
from storage.due_index import SqlDueIndex
from storage.export_queries import SqlExportQueries
from storage.feedback_queries import SqlFeedbackQueries
from storage.guide_queries import SqlGuideQueries
from storage.leaver_queries import SqlLeaverQueries
from storage.mapping import map_domain
from storage.matching_queries import SqlMatchingQueries
from storage.outbox_queries import SqlOutboxQueries
from storage.outcome_queries import SqlOutcomeQueries
from storage.privacy_queries import SqlPrivacyQueries
from storage.program_queries import SqlProgramQueries
from storage.prompt_queries import SqlPromptStore
from storage.quiz_queries import SqlQuizQueries
from storage.roster_queries import SqlRosterQueries
from storage.scheduling_queries import SqlSchedulingQueries
from storage.session_queries import SqlSessionQueries
from storage.workshop_queries import SqlWorkshopQueries

T = TypeVar("T")


@functools.cache
def _claimable_outbox() -> sa.Select[OutboxMessage]:
    """The outbox messages a deliverer may send now, oldest first, for ``:now`` and at most
    ``:limit``. Built once: the deliverer asks every few seconds, and building it (an alias,
    a dozen comparisons) cost several times more than running it."""
    columns = tables.outbox.c
    now = sa.bindparam("now", type_=columns.not_before.type)
    lease_free = sa.or_(columns.claimed_until.is_(None), columns.claimed_until < now)
    # While one message to a person is being sent, the next one waits: a conversation's
    # messages go out in order even when batches overlap.
    other = tables.outbox.alias("other")
    person_busy = (
        sa.exists()
        .where(
            other.c.person_id == columns.person_id,
            other.c.status == OutboxStatus.SENDING,
            other.c.claimed_until >= now,
            other.c.id != columns.id,
        )
        .correlate(tables.outbox)
    )
    return (
        sa.select(OutboxMessage)
        .where(
            sa.or_(
                sa.and_(columns.status == OutboxStatus.PENDING, columns.not_before <= now),
                # Its holder's lease ran out (it died, or froze): taken over.
                columns.status == OutboxStatus.SENDING,
            ),
            lease_free,
            sa.or_(columns.person_id.is_(None), ~person_busy),
        )
        .order_by(columns.not_before, columns.id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .with_for_update(skip_locked=True)
    )


class SqlUnitOfWork(
    SqlSchedulingQueries,
    SqlDueIndex,
    SqlFeedbackQueries,
    SqlMatchingQueries,
    SqlDigestQueries,
    SqlExportQueries,
    SqlActivityQueries,
    SqlOutcomeQueries,
    SqlSessionQueries,
    SqlProgramQueries,
    SqlPromptStore,
    SqlQuizQueries,
    SqlOutboxQueries,
    SqlPrivacyQueries,
    SqlGuideQueries,
    SqlWorkshopQueries,
    SqlDashboardQueries,
    SqlRosterQueries,
    SqlLeaverQueries,
    SqlBulkWrites,
):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._session

    async def __aenter__(self) -> SqlUnitOfWork:
        self._session = self._sessions()
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None

    async def commit(self) -> None:
        await self.session.commit()

    def has_changes(self) -> bool:
        session = self.session
        if session.new or session.deleted or getattr(session.sync_session, "wrote", True):
            return True
        # ``dirty`` holds every entity an attribute was set on, changed or not.
        return any(session.is_modified(entity) for entity in session.dirty)

    async def rollback(self) -> None:
        await self.session.rollback()

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        async with self.session.begin_nested():
            yield

    def add(self, entity: object) -> None:
        self.session.add(entity)

    async def delete(self, entity: object) -> None:
        await self.session.delete(entity)

    async def flush(self) -> None:
        await self.session.flush()

    async def _one(self, statement: sa.Select[T]) -> T | None:
        return (await self.session.scalars(statement.limit(1))).first()

    async def _all(self, statement: sa.Select[T]) -> Sequence[T]:
        return (await self.session.scalars(statement)).all()

    # People and programs
    async def person_by_identity(
        self, platform: str, workspace: str, user_id: str
    ) -> Person | None:
        return await self._one(
            sa.select(Person).where(
                tables.person.c.platform == platform,
                tables.person.c.workspace == workspace,
                tables.person.c.user_id == user_id,
            )
        )

    async def person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def people_in_workspace(self, platform: str, workspace: str) -> Sequence[Person]:
        return await self._all(
            sa.select(Person)
            .where(tables.person.c.platform == platform, tables.person.c.workspace == workspace)
            .order_by(tables.person.c.id)
        )

    async def program(self, program_id: int) -> Program | None:
        return await self.session.get(Program, program_id)

    async def programs_named(self, name: str) -> Sequence[Program]:
        # Compared in Python: SQLite's lower() (and PostgreSQL's under a C ctype) only folds
        # ASCII, so "Éclaireurs" would not even find itself. Programs are few.
        wanted = name.casefold()
        programs = await self._all(sa.select(Program).order_by(tables.program.c.id))
        return [program for program in programs if program.name.casefold() == wanted]

    async def open_programs(self) -> Sequence[Program]:
        return await self._all(
            sa.select(Program)
            .where(tables.program.c.closed.is_(False))
            .order_by(tables.program.c.id)
        )

    async def programs_owned_by(self, person_id: int) -> Sequence[Program]:
        return await self._all(
            sa.select(Program)
            .join(tables.program_owner, tables.program_owner.c.program_id == tables.program.c.id)
            .where(tables.program_owner.c.person_id == person_id)
            .order_by(tables.program.c.id.desc())
        )

    async def owners_of(self, program_id: int) -> Sequence[Person]:
        return await self._all(
            sa.select(Person)
            .join(tables.program_owner, tables.program_owner.c.person_id == tables.person.c.id)
            .where(tables.program_owner.c.program_id == program_id)
            .order_by(tables.person.c.id)
        )

    async def is_owner(self, program_id: int, person_id: int) -> bool:
        found = await self._one(
            sa.select(ProgramOwner).where(
                tables.program_owner.c.program_id == program_id,
                tables.program_owner.c.person_id == person_id,
            )
        )
        return found is not None

    # Participation
    async def invitation(self, invitation_id: int) -> Invitation | None:
        return await self.session.get(Invitation, invitation_id)

    async def pending_invitation(self, program_id: int, person_id: int) -> Invitation | None:
        return await self._one(
            sa.select(Invitation).where(
                tables.invitation.c.program_id == program_id,
                tables.invitation.c.person_id == person_id,
                tables.invitation.c.status == InvitationStatus.PENDING,
            )
        )

    async def enrollment(self, enrollment_id: int) -> Enrollment | None:
        return await self.session.get(Enrollment, enrollment_id)

    async def person_of_enrollment(self, enrollment_id: int) -> Person | None:
        known = self.session.sync_session.identity_map.get(identity_key(Enrollment, enrollment_id))
        # Its loaded value only: an enrollment expired by a rollback would load in sync.
        person_id = sa.inspect(known).dict.get("person_id") if known is not None else None
        if person_id is not None:
            return await self.session.get(Person, person_id)
        # One trip for both (a partner's, in a session log), not the enrollment then the
        # person; both are then known to the session, as they were.
        person, enrollment = tables.person.c, tables.enrollment.c
        result = await self.session.execute(
            sa.select(Person, Enrollment)
            .join(tables.enrollment, enrollment.person_id == person.id)
            .where(enrollment.id == enrollment_id)
        )
        row = result.first()
        return row[0] if row is not None else None

    async def enrollment_of(self, program_id: int, person_id: int) -> Enrollment | None:
        return await self._one(
            sa.select(Enrollment).where(
                tables.enrollment.c.program_id == program_id,
                tables.enrollment.c.person_id == person_id,
            )
        )

    async def enrollments_of_person(self, person_id: int) -> Sequence[Enrollment]:
        return await self._all(
            sa.select(Enrollment)
            .where(tables.enrollment.c.person_id == person_id)
            .order_by(tables.enrollment.c.id.desc())
        )

    async def enrollments_in_program(self, program_id: int) -> Sequence[Enrollment]:
        return await self._all(
            sa.select(Enrollment)
            .where(tables.enrollment.c.program_id == program_id)
            .order_by(tables.enrollment.c.id)
        )

    async def profile_of(self, enrollment_id: int) -> Profile | None:
        return await self._one(
            sa.select(Profile).where(tables.profile.c.enrollment_id == enrollment_id)
        )

    async def pair(self, pair_id: int) -> Pair | None:
        return await self.session.get(Pair, pair_id)

    async def continuations_of(self, pair_id: int) -> dict[int, str]:
        rows = await self._all(
            sa.select(Continuation).where(tables.continuation.c.pair_id == pair_id)
        )
        return {row.person_id: row.choice for row in rows}

    async def planned_session(self, planned_id: int) -> PlannedSession | None:
        return await self.session.get(PlannedSession, planned_id)

    async def programs_by_id(self, program_ids: Iterable[int]) -> Sequence[Program]:
        wanted = list(program_ids)
        if not wanted:
            return []
        return await self._all(
            sa.select(Program).where(tables.program.c.id.in_(wanted)).order_by(tables.program.c.id)
        )

    async def active_pair_of(self, enrollment_id: int) -> Pair | None:
        columns = tables.pair.c
        return await self._one(
            sa.select(Pair)
            .where(
                sa.or_(
                    columns.mentor_enrollment_id == enrollment_id,
                    columns.mentee_enrollment_id == enrollment_id,
                ),
                columns.status == PairStatus.ACTIVE,
            )
            .order_by(columns.id.desc())
        )

    async def active_pair_of_person(self, person_id: int) -> tuple[Enrollment, Pair] | None:
        enrollment, pair = tables.enrollment.c, tables.pair.c
        statement = (
            sa.select(Enrollment, Pair, Program)
            .join(
                Pair,
                sa.or_(
                    pair.mentor_enrollment_id == enrollment.id,
                    pair.mentee_enrollment_id == enrollment.id,
                ),
            )
            .join(Program, tables.program.c.id == enrollment.program_id)
            .where(
                enrollment.person_id == person_id,
                enrollment.status != EnrollmentStatus.LEFT,
                pair.status == PairStatus.ACTIVE,
            )
            .order_by(enrollment.id.desc(), pair.id.desc())
            .limit(1)
        )
        found = (await self.session.execute(statement)).first()
        return (found[0], found[1]) if found is not None else None

    async def pairs_of_enrollment(self, enrollment_id: int) -> Sequence[Pair]:
        columns = tables.pair.c
        return await self._all(
            sa.select(Pair)
            .where(
                sa.or_(
                    columns.mentor_enrollment_id == enrollment_id,
                    columns.mentee_enrollment_id == enrollment_id,
                )
            )
            .order_by(columns.id)
        )

    async def pairs_in_program(self, program_id: int) -> Sequence[Pair]:
        return await self._all(
            sa.select(Pair).where(tables.pair.c.program_id == program_id).order_by(tables.pair.c.id)
        )

    async def charter_of(self, pair_id: int) -> Charter | None:
        return await self._one(sa.select(Charter).where(tables.charter.c.pair_id == pair_id))

    # Conversations and audit
    async def conversation(self, conversation_id: int) -> Conversation | None:
        return await self.session.get(Conversation, conversation_id)

    async def open_conversations(self, person_id: int) -> Sequence[Conversation]:
        columns = tables.conversation.c
        return await self._all(
            sa.select(Conversation)
            .where(columns.person_id == person_id, columns.status == ConversationStatus.OPEN)
            .order_by(columns.updated_at.desc(), columns.id.desc())
        )

    async def open_conversation(
        self, person_id: int, flow: str, subject_id: int
    ) -> Conversation | None:
        columns = tables.conversation.c
        return await self._one(
            sa.select(Conversation).where(
                columns.person_id == person_id,
                columns.flow == flow,
                columns.subject_id == subject_id,
                columns.status == ConversationStatus.OPEN,
            )
        )

    async def audit_of(self, person_id: int) -> Sequence[AuditEntry]:
        columns = tables.audit_entry.c
        return await self._all(
            sa.select(AuditEntry).where(columns.actor_id == person_id).order_by(columns.id)
        )

    async def forget_audit_actor(self, person_id: int) -> int:
        columns = tables.audit_entry.c
        result = await self.session.execute(
            sa.update(tables.audit_entry)
            .where(columns.actor_id == person_id)
            .values(actor_id=None, subject=None, details={}),
            execution_options={"synchronize_session": False},
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def mark_delivery_processed(self, delivery_id: str, at: datetime) -> bool:
        inserted = await self._insert_ignoring_conflict(
            tables.processed_delivery, {"delivery_id": delivery_id, "at": at}, "delivery_id"
        )
        return inserted

    # Outbox
    async def enqueue(self, message: OutboxMessage) -> bool:
        values: dict[str, Any] = {
            column.name: getattr(message, column.name)
            for column in tables.outbox.columns
            if column.name != "id"
        }
        return await self._insert_ignoring_conflict(tables.outbox, values, "key")

    async def outbox_message(self, message_id: int) -> OutboxMessage | None:
        return await self.session.get(OutboxMessage, message_id)

    async def outbox_of(self, person_id: int) -> Sequence[OutboxMessage]:
        columns = tables.outbox.c
        return await self._all(
            sa.select(OutboxMessage).where(columns.person_id == person_id).order_by(columns.id)
        )

    async def held_outbox(self, person_id: int, now: datetime) -> Sequence[OutboxMessage]:
        columns = tables.outbox.c
        return await self._all(
            sa.select(OutboxMessage)
            .where(
                columns.person_id == person_id,
                columns.status == OutboxStatus.PENDING,
                columns.not_before > now,
            )
            .order_by(columns.id)
        )

    async def claim_due_outbox(
        self, now: datetime, lease_until: datetime, limit: int, token: str | None = None
    ) -> Sequence[OutboxMessage]:
        parameters = {"now": now, "limit": limit}
        claimed = (await self.session.scalars(_claimable_outbox(), parameters)).all()
        for message in claimed:
            message.claimed_until = lease_until
            message.claim_token = token
        return claimed

    async def _insert_ignoring_conflict(
        self, table: sa.Table, values: dict[str, Any], conflict_column: str
    ) -> bool:
        key = (self.dialect, table.name, conflict_column)
        statement = _INSERTS_IGNORING_CONFLICT.get(key)
        if statement is None:
            insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
            statement = insert(table).on_conflict_do_nothing(index_elements=[conflict_column])
            _INSERTS_IGNORING_CONFLICT[key] = statement
        # The values as parameters of a statement built once: building it with ``.values()``
        # coerced every value and hashed the result again at each call (half a millisecond
        # for an outbox row, twice in a session log).
        result = await self.session.execute(statement, values)
        return bool(getattr(result, "rowcount", 0))


# (dialect, table, conflict column) -> its INSERT … ON CONFLICT DO NOTHING, without values.
_INSERTS_IGNORING_CONFLICT: dict[tuple[str, str, str], Any] = {}


class SqlUnitOfWorkFactory:
    """Creates units of work on one engine; the engine's connection pool is shared."""

    def __init__(self, engine: AsyncEngine) -> None:
        map_domain()
        self.engine = engine
        self._sessions = session_factory(engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)
