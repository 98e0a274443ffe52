"""Contract of SqlUnitOfWork (the engine's UnitOfWork port), run on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.domain import (
    AuditEntry,
    Charter,
    CharterStatus,
    Conversation,
    ConversationStatus,
    Enrollment,
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
    Role,
    SessionLog,
)
from storage import tables
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def person(user_id: str, *, workspace: str = "T1", platform: str = "slack") -> Person:
    return Person(
        platform=platform,
        workspace=workspace,
        user_id=user_id,
        display_name=user_id.title(),
        created_at=NOW,
    )


def program(name: str = "Digital 2025", *, closed: bool = False) -> Program:
    return Program(
        name=name,
        starts_on=date(2025, 3, 1),
        created_at=NOW,
        locale="fr",
        timezone="Europe/Paris",
        topics=["AI", "LinkedIn"],
        closed=closed,
    )


def message(key: str, **overrides: object) -> OutboxMessage:
    fields: dict[str, object] = {
        "key": key,
        "purpose": "nudge",
        "platform": "slack",
        "payload": {"text": key},
        "created_at": NOW,
        "not_before": NOW - timedelta(minutes=1),
    }
    fields.update(overrides)
    return OutboxMessage(**fields)  # type: ignore[arg-type]


async def add_all(uow: SqlUnitOfWork, *entities: object) -> None:
    for entity in entities:
        uow.add(entity)
    await uow.flush()


def id_list(entities: object) -> list[int | None]:
    return [entity.id for entity in entities]  # type: ignore[attr-defined]


class World:
    """Two people enrolled in one program, paired, with a charter: ids for the queries."""

    alice: int
    bob: int
    program: int
    mentor: int
    mentee: int
    pair: int


async def build_world(uow_factory: SqlUnitOfWorkFactory) -> World:
    world = World()
    async with uow_factory() as uow:
        alice, bob = person("alice"), person("bob")
        prog = program()
        await add_all(uow, alice, bob, prog)
        assert alice.id and bob.id and prog.id
        mentor = Enrollment(program_id=prog.id, person_id=alice.id, role=Role.MENTOR, joined_at=NOW)
        mentee = Enrollment(program_id=prog.id, person_id=bob.id, role=Role.MENTEE, joined_at=NOW)
        await add_all(uow, mentor, mentee)
        assert mentor.id and mentee.id
        pair = Pair(
            program_id=prog.id,
            mentor_enrollment_id=mentor.id,
            mentee_enrollment_id=mentee.id,
            created_at=NOW,
        )
        await add_all(uow, pair)
        assert pair.id
        await add_all(uow, Charter(pair_id=pair.id))
        await uow.commit()
        world.alice, world.bob, world.program = alice.id, bob.id, prog.id
        world.mentor, world.mentee, world.pair = mentor.id, mentee.id, pair.id
    return world


# Transactions


async def test_committed_entities_are_visible_to_the_next_unit_of_work(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        alice = person("alice")
        uow.add(alice)
        await uow.flush()
        assert alice.id is not None
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.person(alice.id)
        assert found is not None
        assert (found.platform, found.workspace, found.user_id) == ("slack", "T1", "alice")
        assert await uow.person(alice.id + 1000) is None


async def test_rollback_leaves_nothing_behind(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await add_all(uow, person("alice"), program())
        assert await uow.enqueue(message("k1"))
        assert await uow.mark_delivery_processed("d1", NOW)
        await uow.rollback()

    async with uow_factory() as uow:
        await add_all(uow, person("bob"))
        # Leaving without commit rolls back too.

    with pytest.raises(RuntimeError, match="boom"):
        async with uow_factory() as uow:
            await add_all(uow, person("carol"))
            raise RuntimeError("boom")

    async with uow_factory() as uow:
        for table in ("person", "program", "outbox", "processed_delivery"):
            count = await uow.session.scalar(
                sa.select(sa.func.count()).select_from(sa.table(table))
            )
            assert count == 0, table
        assert await uow.mark_delivery_processed("d1", NOW)


async def test_unit_of_work_outside_async_with_is_refused(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with pytest.raises(RuntimeError):
        uow_factory().add(person("alice"))


async def test_changes_to_tracked_entities_are_saved_on_commit(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        alice = await uow.person(world.alice)
        assert alice is not None
        alice.display_name = "Alice L."
        alice.address = {"channel": "D1"}
        await uow.commit()

    async with uow_factory() as uow:
        alice = await uow.person(world.alice)
        assert alice is not None
        assert alice.address is not None
        alice.address["thread"] = "T9"  # in-place change of a JSON column is tracked
        await uow.commit()

    async with uow_factory() as uow:
        alice = await uow.person(world.alice)
        assert alice is not None
        assert alice.display_name == "Alice L."
        assert alice.address == {"channel": "D1", "thread": "T9"}


async def test_delete(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        charter = await uow.charter_of(world.pair)
        assert charter is not None
        await uow.delete(charter)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.charter_of(world.pair) is None


async def test_foreign_keys_are_enforced(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        uow.add(Enrollment(program_id=999, person_id=999, role=Role.MENTOR, joined_at=NOW))
        with pytest.raises(sa.exc.IntegrityError):
            await uow.flush()


async def test_deleting_a_person_keeps_what_must_outlive_them(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        await add_all(uow, AuditEntry(at=NOW, actor_id=world.alice, action="joined"))
        alice = await uow.person(world.alice)
        await uow.delete(alice)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.enrollments_of_person(world.alice) == []  # cascaded
        pair = await uow.pair(world.pair)
        assert pair is not None
        assert pair.mentor_enrollment_id is None  # set null
        entries = (await uow.session.scalars(sa.select(AuditEntry))).all()
        assert [(e.actor_id, e.action) for e in entries] == [(None, "joined")]


async def test_datetimes_round_trip_as_aware_utc(uow_factory: SqlUnitOfWorkFactory) -> None:
    paris_morning = datetime(2025, 6, 1, 10, 15, 30, 123456, tzinfo=timezone(timedelta(hours=2)))
    async with uow_factory() as uow:
        alice = person("alice")
        alice.created_at = paris_morning
        await add_all(uow, alice)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.person_by_identity("slack", "T1", "alice")
        assert found is not None
        assert found.created_at == paris_morning
        assert found.created_at.tzinfo is UTC
        assert found.created_at.hour == 8
        assert found.created_at.microsecond == 123456


async def test_naive_datetimes_are_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        alice = person("alice")
        alice.created_at = datetime(2025, 6, 1, 10, 15)
        uow.add(alice)
        with pytest.raises(sa.exc.StatementError, match="naive datetimes are refused"):
            await uow.flush()


# People and programs


async def test_person_by_identity(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await add_all(uow, person("alice"), person("alice", workspace="T2"), person("bob"))
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.person_by_identity("slack", "T2", "alice")
        assert found is not None
        assert (found.workspace, found.user_id) == ("T2", "alice")
        assert await uow.person_by_identity("teams", "T1", "alice") is None
        assert await uow.person_by_identity("slack", "T3", "alice") is None
        assert await uow.person_by_identity("slack", "T1", "carol") is None


async def test_identity_is_unique(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await add_all(uow, person("alice"))
        await uow.commit()

    async with uow_factory() as uow:
        uow.add(person("alice"))
        with pytest.raises(sa.exc.IntegrityError):
            await uow.flush()


async def test_program_queries(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        alice, bob = person("alice"), person("bob")
        first, second = program("Digital 2025"), program("digital 2025")
        other, closed = program("Data"), program("Old", closed=True)
        await add_all(uow, alice, bob, first, second, other, closed)
        assert alice.id and bob.id and first.id and second.id and other.id
        await add_all(
            uow,
            ProgramOwner(program_id=first.id, person_id=alice.id),
            ProgramOwner(program_id=other.id, person_id=alice.id),
            ProgramOwner(program_id=first.id, person_id=bob.id),
        )
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.program(first.id)
        assert found is not None
        assert found.name == "Digital 2025"
        assert found.topics == ["AI", "LinkedIn"]
        assert found.starts_on == date(2025, 3, 1)
        assert await uow.program(first.id + 1000) is None

        assert id_list(await uow.programs_named("DIGITAL 2025")) == [first.id, second.id]
        assert await uow.programs_named("Nope") == []
        assert id_list(await uow.open_programs()) == [first.id, second.id, other.id]
        assert id_list(await uow.programs_owned_by(alice.id)) == [other.id, first.id]
        assert id_list(await uow.programs_owned_by(bob.id)) == [first.id]
        assert id_list(await uow.owners_of(first.id)) == [alice.id, bob.id]
        assert await uow.owners_of(second.id) == []
        assert await uow.is_owner(first.id, bob.id)
        assert not await uow.is_owner(other.id, bob.id)


async def test_programs_named_ignores_case_beyond_ascii(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        accented, other = program("Éclaireurs Été"), program("Eclaireurs Ete")
        await add_all(uow, accented, other)
        await uow.commit()

    async with uow_factory() as uow:
        for name in ("Éclaireurs Été", "éclaireurs été", "ÉCLAIREURS ÉTÉ"):
            assert id_list(await uow.programs_named(name)) == [accented.id], name


async def test_program_owner_is_unique(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        uow.add(ProgramOwner(program_id=world.program, person_id=world.alice))
        uow.add(ProgramOwner(program_id=world.program, person_id=world.alice))
        with pytest.raises(sa.exc.IntegrityError):
            await uow.flush()


# Participation


async def test_invitations(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        declined = Invitation(
            program_id=world.program,
            person_id=world.bob,
            invited_by=world.alice,
            created_at=NOW,
            status=InvitationStatus.DECLINED,
        )
        pending = Invitation(
            program_id=world.program, person_id=world.bob, invited_by=world.alice, created_at=NOW
        )
        await add_all(uow, declined, pending)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.invitation(declined.id or 0)
        assert found is not None
        assert found.status is InvitationStatus.DECLINED
        pending_found = await uow.pending_invitation(world.program, world.bob)
        assert pending_found is not None
        assert pending_found.id == pending.id
        assert pending_found.status is InvitationStatus.PENDING
        assert await uow.pending_invitation(world.program, world.alice) is None


async def test_enrollment_queries(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        later = program("Later")
        await add_all(uow, later)
        assert later.id
        second = Enrollment(
            program_id=later.id, person_id=world.alice, role=Role.MENTEE, joined_at=NOW
        )
        await add_all(uow, second)
        await add_all(
            uow,
            Profile(
                enrollment_id=world.mentor,
                teaches={"AI": 4},
                wants={"public speaking": 5},
                languages=["fr", "en"],
            ),
        )
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.enrollment(world.mentor)
        assert found is not None
        assert found.role is Role.MENTOR
        assert await uow.enrollment(world.mentor + 1000) is None
        of = await uow.enrollment_of(world.program, world.bob)
        assert of is not None
        assert of.id == world.mentee
        assert await uow.enrollment_of(later.id, world.bob) is None
        assert id_list(await uow.enrollments_of_person(world.alice)) == [second.id, world.mentor]
        assert id_list(await uow.enrollments_in_program(world.program)) == [
            world.mentor,
            world.mentee,
        ]
        profile = await uow.profile_of(world.mentor)
        assert profile is not None
        assert profile.teaches == {"AI": 4}
        assert profile.languages == ["fr", "en"]
        assert await uow.profile_of(world.mentee) is None


async def test_person_of_enrollment(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        mentee = await uow.person_of_enrollment(world.mentee)
        assert mentee is not None and mentee.id == world.bob
        # The enrollment came with it: asked again, the same person, nothing read.
        assert await uow.person_of_enrollment(world.mentee) is mentee
        enrollment = await uow.enrollment(world.mentor)
        assert enrollment is not None
        mentor = await uow.person_of_enrollment(world.mentor)
        assert mentor is not None and mentor.id == world.alice
        assert await uow.person_of_enrollment(world.pair + 1000) is None
        # After a rollback what the session knew is expired: read again, not lazily loaded.
        await uow.rollback()
        again = await uow.person_of_enrollment(world.mentor)
        assert again is not None and again.id == world.alice


async def test_sessions_and_charter_meetings(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        assert await uow.sessions_and_charter_meetings(world.pair) == (0, None)
        charter = await uow.charter_of(world.pair)
        assert charter is not None
        charter.meetings = 8
        for day in (3, 10):
            uow.add(
                SessionLog(
                    pair_id=world.pair,
                    logged_by=world.alice,
                    held_on=date(2025, 3, day),
                    minutes=45,
                    topics="AI",
                    created_at=NOW,
                )
            )
        await uow.flush()
        assert await uow.sessions_and_charter_meetings(world.pair) == (2, 8)
        assert await uow.sessions_and_charter_meetings(world.pair + 1000) == (0, None)


async def test_enrollment_is_unique_per_program_and_person(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        uow.add(
            Enrollment(
                program_id=world.program, person_id=world.bob, role=Role.MENTOR, joined_at=NOW
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            await uow.flush()


async def test_pair_and_charter_queries(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        ended = await uow.pair(world.pair)
        assert ended is not None
        ended.status = PairStatus.ENDED
        rematch = Pair(
            program_id=world.program,
            mentor_enrollment_id=world.mentor,
            mentee_enrollment_id=world.mentee,
            created_at=NOW,
        )
        await add_all(uow, rematch)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.pair(world.pair + 1000) is None
        for enrollment_id in (world.mentor, world.mentee):
            active = await uow.active_pair_of(enrollment_id)
            assert active is not None
            assert active.id == rematch.id
            assert id_list(await uow.pairs_of_enrollment(enrollment_id)) == [world.pair, rematch.id]
        assert id_list(await uow.pairs_in_program(world.program)) == [world.pair, rematch.id]

        charter = await uow.charter_of(world.pair)
        assert charter is not None
        assert charter.status is CharterStatus.DRAFT
        assert await uow.charter_of(rematch.id or 0) is None

        rematch_found = await uow.pair(rematch.id or 0)
        assert rematch_found is not None
        rematch_found.status = PairStatus.ENDED
        await uow.flush()
        assert await uow.active_pair_of(world.mentor) is None


async def test_charter_is_unique_per_pair(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        uow.add(Charter(pair_id=world.pair))
        with pytest.raises(sa.exc.IntegrityError):
            await uow.flush()


# Sessions


async def test_session_logs_order(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)

    def log(held_on: date, by: int, created_at: datetime) -> SessionLog:
        return SessionLog(
            pair_id=world.pair,
            logged_by=by,
            held_on=held_on,
            minutes=45,
            topics="LinkedIn",
            created_at=created_at,
        )

    async with uow_factory() as uow:
        late = log(date(2025, 3, 20), world.alice, NOW)
        early = log(date(2025, 3, 5), world.bob, NOW + timedelta(hours=2))
        same_day = log(date(2025, 3, 20), world.alice, NOW + timedelta(hours=1))
        await add_all(uow, late, early, same_day)
        await uow.commit()

    async with uow_factory() as uow:
        assert id_list(await uow.session_logs(world.pair)) == [early.id, late.id, same_day.id]
        assert await uow.session_logs(world.pair + 1000) == []
        assert id_list(await uow.session_logs_by(world.alice)) == [late.id, same_day.id]
        last = await uow.last_session_log_by(world.pair, world.alice)
        assert last is not None
        assert last.id == same_day.id
        assert await uow.last_session_log_by(world.pair, world.alice + 1000) is None


async def test_planned_sessions(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)

    def planned(starts_at: datetime, *, cancelled: bool = False) -> PlannedSession:
        return PlannedSession(
            pair_id=world.pair,
            planned_by=world.alice,
            starts_at=starts_at,
            created_at=NOW,
            cancelled=cancelled,
        )

    async with uow_factory() as uow:
        past = planned(NOW - timedelta(days=1))
        later = planned(NOW + timedelta(days=7))
        sooner = planned(NOW + timedelta(days=2))
        cancelled = planned(NOW + timedelta(days=1), cancelled=True)
        await add_all(uow, past, later, sooner, cancelled)
        await uow.commit()

    async with uow_factory() as uow:
        assert id_list(await uow.planned_sessions(world.pair, NOW)) == [sooner.id, later.id]
        assert await uow.planned_sessions(world.pair, NOW + timedelta(days=30)) == []


async def test_planned_sessions_to_check_in_a_calendar(uow_factory: SqlUnitOfWorkFactory) -> None:
    """The tick's bounded read: upcoming sessions a connector holds, within the horizon, not
    read lately, never read first then the longest unread."""
    world = await build_world(uow_factory)
    horizon, recently = NOW + timedelta(days=14), NOW - timedelta(minutes=30)

    def planned(days: float, event_id: str | None, checked: datetime | None) -> PlannedSession:
        return PlannedSession(
            pair_id=world.pair,
            planned_by=world.alice,
            starts_at=NOW + timedelta(days=days),
            created_at=NOW,
            calendar_event_id=event_id,
            calendar_checked_at=checked,
        )

    async with uow_factory() as uow:
        read_long_ago = planned(1, "graph|a@x|1", NOW - timedelta(hours=5))
        read_lately = planned(1, "graph|a@x|2", NOW - timedelta(minutes=10))
        never_read = planned(3, "google|a@x|3", None)
        read_an_hour_ago = planned(2, "graph|a@x|4", NOW - timedelta(hours=1))
        by_file = planned(1, "tandem-session-9@tandem.invalid", None)
        too_far = planned(20, "graph|a@x|5", None)
        past = planned(-1, "graph|a@x|6", None)
        cancelled = planned(1, "graph|a@x|7", None)
        cancelled.cancelled = True
        for row in (read_long_ago, read_lately, never_read, read_an_hour_ago, by_file):
            uow.add(row)
        for row in (too_far, past, cancelled):
            uow.add(row)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.planned_sessions_to_check(NOW, horizon, recently, 10)
        assert id_list(found) == [never_read.id, read_long_ago.id, read_an_hour_ago.id]
        assert id_list(await uow.planned_sessions_to_check(NOW, horizon, recently, 2)) == [
            never_read.id,
            read_long_ago.id,
        ]


# Conversations and audit


async def test_conversations(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)

    def conversation(flow: str, updated_at: datetime, status: ConversationStatus) -> Conversation:
        return Conversation(
            person_id=world.alice,
            flow=flow,
            subject_id=world.program,
            step="start",
            updated_at=updated_at,
            answers={"q1": "yes"},
            status=status,
        )

    async with uow_factory() as uow:
        older = conversation("intake", NOW - timedelta(hours=2), ConversationStatus.OPEN)
        newer = conversation("charter", NOW, ConversationStatus.OPEN)
        done = conversation("feedback", NOW + timedelta(hours=1), ConversationStatus.DONE)
        await add_all(uow, older, newer, done)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.conversation(older.id or 0)
        assert found is not None
        assert found.answers == {"q1": "yes"}
        assert id_list(await uow.open_conversations(world.alice)) == [newer.id, older.id]
        assert await uow.open_conversations(world.bob) == []
        open_intake = await uow.open_conversation(world.alice, "intake", world.program)
        assert open_intake is not None
        assert open_intake.id == older.id
        assert await uow.open_conversation(world.alice, "feedback", world.program) is None
        assert await uow.open_conversation(world.alice, "intake", world.program + 1) is None


async def test_forget_audit_actor_detaches_the_actor(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)

    def entry(actor: int, action: str) -> AuditEntry:
        return AuditEntry(
            at=NOW,
            actor_id=actor,
            action=action,
            program_id=world.program,
            subject=f"person:{actor}",
            details={"reason": "test"},
        )

    async with uow_factory() as uow:
        first, second, other = (
            entry(world.alice, "joined"),
            entry(world.alice, "paused"),
            entry(world.bob, "joined"),
        )
        await add_all(uow, first, second, other)
        await uow.commit()

    async with uow_factory() as uow:
        assert id_list(await uow.audit_of(world.alice)) == [first.id, second.id]
        assert await uow.forget_audit_actor(world.alice) == 2
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.audit_of(world.alice) == []
        kept = (
            await uow.session.scalars(sa.select(AuditEntry).order_by(tables.audit_entry.c.id))
        ).all()
        assert [(e.actor_id, e.action, e.subject, e.details) for e in kept] == [
            (None, "joined", None, {}),
            (None, "paused", None, {}),
            (world.bob, "joined", f"person:{world.bob}", {"reason": "test"}),
        ]
        assert all(e.program_id == world.program for e in kept)
        assert await uow.forget_audit_actor(world.alice) == 0


async def test_mark_delivery_processed_is_true_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.mark_delivery_processed("evt-1", NOW) is True
        assert await uow.mark_delivery_processed("evt-1", NOW) is False
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.mark_delivery_processed("evt-1", NOW + timedelta(seconds=5)) is False
        assert await uow.mark_delivery_processed("evt-2", NOW) is True


# Outbox


async def test_enqueue_is_idempotent_per_key(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)
    async with uow_factory() as uow:
        assert await uow.enqueue(message("nudge:1", person_id=world.alice)) is True
        assert await uow.enqueue(message("nudge:1", person_id=world.alice)) is False
        await uow.commit()

    async with uow_factory() as uow:
        changed = message("nudge:1", person_id=world.alice, payload={"text": "other"})
        assert await uow.enqueue(changed) is False
        assert await uow.enqueue(message("nudge:2", person_id=world.alice)) is True
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.outbox_of(world.alice)
        assert [(m.key, m.payload) for m in stored] == [
            ("nudge:1", {"text": "nudge:1"}),
            ("nudge:2", {"text": "nudge:2"}),
        ]
        assert stored[0].status is OutboxStatus.PENDING
        assert stored[0].attempts == 0
        assert await uow.outbox_of(world.bob) == []
        found = await uow.outbox_message(stored[1].id or 0)
        assert found is not None
        assert found.key == "nudge:2"
        assert await uow.outbox_message((stored[1].id or 0) + 1000) is None


async def test_claim_due_outbox_takes_only_due_pending_unclaimed_rows(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    lease = NOW + timedelta(minutes=5)
    async with uow_factory() as uow:
        for m in (
            message("due-late", not_before=NOW - timedelta(minutes=1)),
            message("due-early", not_before=NOW - timedelta(hours=1)),
            message("due-now", not_before=NOW),
            message("lease-expired", claimed_until=NOW - timedelta(seconds=1)),
            message("future", not_before=NOW + timedelta(seconds=1)),
            message("sent", status=OutboxStatus.SENT, sent_at=NOW),
            message("failed", status=OutboxStatus.FAILED),
            message("claimed", claimed_until=NOW + timedelta(minutes=1)),
        ):
            assert await uow.enqueue(m)
        await uow.commit()

    async with uow_factory() as uow:
        first = await uow.claim_due_outbox(NOW, lease, limit=2)
        assert [m.key for m in first] == ["due-early", "due-late"]
        rest = await uow.claim_due_outbox(NOW, lease, limit=10)
        assert sorted(m.key for m in rest) == ["due-now", "lease-expired"]
        assert all(m.claimed_until == lease for m in [*first, *rest])
        await uow.commit()

    async with uow_factory() as uow:
        # Leases are stored: nobody else claims these rows until they expire.
        assert await uow.claim_due_outbox(NOW, lease, limit=10) == []
        stored = {
            m.key: m.claimed_until
            for m in (await uow.session.scalars(sa.select(OutboxMessage))).all()
        }
        assert stored["due-early"] == lease
        assert stored["due-early"].tzinfo is UTC
        assert stored["future"] is None
        assert stored["sent"] is None

    async with uow_factory() as uow:
        after_lease = lease + timedelta(seconds=1)
        again = await uow.claim_due_outbox(after_lease, after_lease + timedelta(minutes=5), 10)
        assert sorted(m.key for m in again) == [
            "claimed",
            "due-early",
            "due-late",
            "due-now",
            "future",
            "lease-expired",
        ]


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_overlapping_claims_never_share_a_row(uow_factory: SqlUnitOfWorkFactory) -> None:
    """Two deliverers in open, overlapping transactions: SKIP LOCKED hands out disjoint rows."""
    lease = NOW + timedelta(minutes=5)
    async with uow_factory() as uow:
        for index in range(6):
            assert await uow.enqueue(message(f"m{index}"))
        await uow.commit()

    async with uow_factory() as first, uow_factory() as second:
        taken_first = await first.claim_due_outbox(NOW, lease, limit=4)
        # The first transaction is still open and holds row locks on what it claimed.
        taken_second = await asyncio.wait_for(second.claim_due_outbox(NOW, lease, limit=10), 5)
        assert len(taken_first) == 4
        assert len(taken_second) == 2
        assert not {m.id for m in taken_first} & {m.id for m in taken_second}
        await second.commit()
        await first.commit()


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_concurrent_claimers_get_disjoint_rows(uow_factory: SqlUnitOfWorkFactory) -> None:
    lease = NOW + timedelta(minutes=5)
    async with uow_factory() as uow:
        for index in range(60):
            assert await uow.enqueue(message(f"m{index:02}"))
        await uow.commit()

    async def claimer() -> list[str]:
        claimed: list[str] = []
        while True:
            async with uow_factory() as uow:
                batch = await uow.claim_due_outbox(NOW, lease, limit=3)
                await asyncio.sleep(0.005)  # hold the locks while the others try
                await uow.commit()
            if not batch:
                return claimed
            claimed.extend(m.key for m in batch)

    results = await asyncio.gather(*(claimer() for _ in range(5)))

    everything = [key for keys in results for key in keys]
    assert sorted(everything) == [f"m{index:02}" for index in range(60)]
    assert sum(1 for keys in results if keys) > 1


async def test_changes_are_seen_until_committed_and_a_row_read_twice_is_read_once(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    async with uow_factory() as uow:
        assert not uow.has_changes()
        newcomer = person("UNEW")
        uow.add(newcomer)
        await uow.flush()
        # Flushed is not committed: the newcomer is still to be kept.
        assert uow.has_changes()
        await uow.commit()
        assert not uow.has_changes()
        found = await uow.person_by_identity("slack", "T1", "UNEW")
        assert found is newcomer
        found.unreachable = False  # the value it had: nothing to write
        assert not uow.has_changes()
        found.display_name = "Someone else"
        assert uow.has_changes()
        await uow.commit()
        newcomer_id = newcomer.id
        assert newcomer_id is not None
        del newcomer, found
        sa.event.listen(uow_factory.engine.sync_engine, "before_cursor_execute", count)
        try:
            assert await uow.person(newcomer_id) is not None
            # Nobody keeps the person read above; the transaction still does.
            again = await uow.person(newcomer_id)
            assert again is not None and again.display_name == "Someone else"
        finally:
            sa.event.remove(uow_factory.engine.sync_engine, "before_cursor_execute", count)
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
