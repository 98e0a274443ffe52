"""The indexed tick sends exactly what the full scan would, whatever happens in between.

Random sequences of the events that move what is due (joining, pairing, logging and planning
sessions, pausing and resuming, leaving, ending a pair, confirming a charter, changing time zone
or working hours, changing a program's schedule, forget-me), with the clock moved by random
steps across weeks and a daylight-saving change. Before each tick, the full scan (the tick as it
was before the due index: every open program's people) runs in a transaction that is rolled
back, and what it would have queued is compared with what the indexed tick then queues for real.

The events are written as the engine's commands write them (entities added or changed through
the unit of work): the marking happens on each flush, whoever flushes.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.clock import VirtualClock
from bot.domain import (
    Charter,
    CharterStatus,
    Enrollment,
    EnrollmentStatus,
    FeedbackRequest,
    Pair,
    PairStatus,
    Person,
    PlannedSession,
    Profile,
    Program,
    Role,
    SessionLog,
)
from bot.i18n import Renderer
from bot.scheduling.cohort import Cohort
from bot.scheduling.sweep import Sweep
from bot.scheduling.ticker import STEPS, Ticker
from bot.turn import EngineConfig
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

# Monday 12 October 2026, 07:00 UTC: the sequences cross the end of summer time (25 October).
START = datetime(2026, 10, 12, 7, 0, tzinfo=UTC)
ZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", None)
CONFIG = EngineConfig(default_locale="en", default_timezone="Europe/Paris")
PEOPLE = 8


async def outbox_keys(uow: object) -> set[str]:
    result = await uow.session.execute(sa.select(tables.outbox.c.key))  # type: ignore[attr-defined]
    return {str(key) for (key,) in result}


async def full_scan_would_queue(
    uow_factory: SqlUnitOfWorkFactory, ticker: Ticker, now: datetime
) -> set[str]:
    """What the full scan queues now, in a transaction rolled back afterwards."""
    async with uow_factory() as uow:
        before = await outbox_keys(uow)
        cohort = await Cohort.load(uow, now, ticker.renderer, ticker.config, everyone=True)
        for name, step in STEPS:
            await ticker._run_step(uow, cohort, name, step)
        await uow.flush()
        queued = await outbox_keys(uow) - before
        assert not cohort.failures, cohort.failures
    return queued


async def indexed_tick_queues(uow_factory: SqlUnitOfWorkFactory, ticker: Ticker) -> set[str]:
    async with uow_factory() as uow:
        before = await outbox_keys(uow)
    await ticker.tick()
    assert not ticker.last_failures, ticker.last_failures
    async with uow_factory() as uow:
        return await outbox_keys(uow) - before


class World:
    """One program and its people, changed by random events through the unit of work."""

    def __init__(self, uow_factory: SqlUnitOfWorkFactory, clock: VirtualClock, seed: int):
        self.uow_factory = uow_factory
        self.clock = clock
        self.random = random.Random(seed)
        self.seed = seed
        self.program_id = 0
        self.persons: list[int] = []
        self.enrollments: list[int] = []
        self.joined = 0

    async def seed_program(self) -> None:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            program = Program(
                name=f"Program {self.seed}",
                starts_on=now.date(),
                created_at=now,
                locale="en",
                timezone="Europe/Paris",
                topics=["Data", "AI"],
                reciprocal_topics=["Strategy"],
                cadence_days=7,
                sessions_planned=6,
                schedule={"checkin_every_days": self.random.choice([3, 7, 14])},
            )
            uow.add(program)
            await uow.flush()
            assert program.id is not None
            self.program_id = program.id
            await uow.commit()
        for _ in range(PEOPLE):
            await self.join()

    async def join(self) -> None:
        now = self.clock.now()
        number = self.joined
        self.joined += 1
        async with self.uow_factory() as uow:
            person = Person(
                platform="console",
                workspace="test",
                user_id=f"s{self.seed}p{number}",
                display_name=f"Person {number}",
                created_at=now,
                timezone=self.random.choice(ZONES),
            )
            uow.add(person)
            await uow.flush()
            assert person.id is not None
            enrollment = Enrollment(
                program_id=self.program_id,
                person_id=person.id,
                role=Role.MENTOR if number % 2 == 0 else Role.MENTEE,
                joined_at=now,
            )
            uow.add(enrollment)
            await uow.flush()
            assert enrollment.id is not None
            uow.add(Profile(enrollment_id=enrollment.id, wants={"Data": 3}, teaches={"AI": 4}))
            await uow.commit()
        self.persons.append(person.id)
        self.enrollments.append(enrollment.id)

    async def act(self) -> str:
        """One random event; returns its name (shown when a comparison fails)."""
        event = self.random.choice(
            [
                self.pair,
                self.pair,
                self.log_session,
                self.log_session,
                self.plan_session,
                self.plan_session,
                self.pause,
                self.resume,
                self.leave,
                self.end_pair,
                self.confirm_charter,
                self.change_zone,
                self.change_hours,
                self.change_schedule,
                self.forget,
                self.join,
            ]
        )
        async with self.uow_factory() as uow:
            self.uow = uow
            await event()
            await uow.commit()
        return event.__name__

    async def _enrollment(self) -> Enrollment | None:
        if not self.enrollments:
            return None
        found = await self.uow.enrollments_by_id([self.random.choice(self.enrollments)])
        return next(iter(found.values()), None)

    async def _pair(self) -> Pair | None:
        pairs = [p for p in await self.uow.active_pairs() if p.program_id == self.program_id]
        return self.random.choice(pairs) if pairs else None

    async def pair(self) -> None:
        paired = {
            member
            for pair in await self.uow.active_pairs()
            for member in (pair.mentor_enrollment_id, pair.mentee_enrollment_id)
        }
        found = await self.uow.enrollments_by_id(self.enrollments)
        free = [
            e for e in found.values() if e.id not in paired and e.status != EnrollmentStatus.LEFT
        ]
        mentors = [e for e in free if e.role == Role.MENTOR]
        mentees = [e for e in free if e.role == Role.MENTEE]
        if not mentors or not mentees:
            return
        pair = Pair(
            program_id=self.program_id,
            mentor_enrollment_id=self.random.choice(mentors).id,
            mentee_enrollment_id=self.random.choice(mentees).id,
            created_at=self.clock.now(),
        )
        self.uow.add(pair)
        await self.uow.flush()
        assert pair.id is not None
        self.uow.add(Charter(pair_id=pair.id))

    async def log_session(self) -> None:
        pair = await self._pair()
        if pair is None or pair.id is None:
            return
        now = self.clock.now()
        log = SessionLog(
            pair_id=pair.id,
            logged_by=None,
            held_on=now.date(),
            minutes=45,
            topics="Data",
            created_at=now,
        )
        self.uow.add(log)
        await self.uow.flush()
        assert log.id is not None
        found = await self.uow.enrollments_by_id(
            [e for e in (pair.mentor_enrollment_id, pair.mentee_enrollment_id) if e]
        )
        for enrollment in found.values():
            self.uow.add(
                FeedbackRequest(
                    session_log_id=log.id,
                    person_id=enrollment.person_id,
                    program_id=pair.program_id,
                    due_at=now + timedelta(hours=1),
                    created_at=now,
                )
            )

    async def plan_session(self) -> None:
        pair = await self._pair()
        if pair is None or pair.id is None:
            return
        now = self.clock.now()
        starts = now + timedelta(hours=self.random.randrange(2, 24 * 6))
        self.uow.add(
            PlannedSession(pair_id=pair.id, planned_by=None, starts_at=starts, created_at=now)
        )

    async def pause(self) -> None:
        enrollment = await self._enrollment()
        if enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE:
            enrollment.status = EnrollmentStatus.PAUSED
            today = self.clock.now().date()
            enrollment.paused_until = today + timedelta(days=self.random.randrange(1, 20))

    async def resume(self) -> None:
        enrollment = await self._enrollment()
        if enrollment is not None and enrollment.status == EnrollmentStatus.PAUSED:
            enrollment.status = EnrollmentStatus.ACTIVE
            enrollment.paused_until = None

    async def leave(self) -> None:
        enrollment = await self._enrollment()
        if enrollment is not None:
            enrollment.status = EnrollmentStatus.LEFT

    async def end_pair(self) -> None:
        pair = await self._pair()
        if pair is not None:
            pair.status = PairStatus.ENDED

    async def confirm_charter(self) -> None:
        pair = await self._pair()
        if pair is not None and pair.id is not None:
            charter = (await self.uow.charters_by_pair([pair.id])).get(pair.id)
            if charter is not None:
                charter.status = CharterStatus.CONFIRMED

    async def _person(self) -> Person | None:
        if not self.persons:
            return None
        found = await self.uow.persons_by_id([self.random.choice(self.persons)])
        return next(iter(found.values()), None)

    async def change_zone(self) -> None:
        person = await self._person()
        if person is not None:
            person.timezone = self.random.choice(ZONES)

    async def change_hours(self) -> None:
        person = await self._person()
        if person is not None:
            start = self.random.choice(["07:00", "09:00", "13:00"])
            days = self.random.choice([[0, 1, 2, 3, 4], [1, 3], [0, 1, 2, 3, 4, 5, 6]])
            person.working_hours = {"start": start, "end": "19:00", "days": days}

    async def change_schedule(self) -> None:
        program = await self.uow.session.get(Program, self.program_id)  # type: ignore[attr-defined]
        assert program is not None
        program.schedule = {
            "checkin_every_days": self.random.choice([3, 7, 14]),
            "quiet_pair_after": self.random.choice([2, 5, 21]),
            "session_reminders": self.random.choice([[24, 1], [48], [2]]),
        }

    async def forget(self) -> None:
        person = await self._person()
        if person is not None and person.id is not None:
            self.persons.remove(person.id)
            await self.uow.delete(person)


@pytest.mark.parametrize("seed", range(3))
async def test_the_indexed_tick_queues_what_the_full_scan_would(
    uow_factory: SqlUnitOfWorkFactory, seed: int
) -> None:
    clock = VirtualClock(START)
    ticker = Ticker(uow_factory, clock, Renderer(default_locale="en"), CONFIG)
    ticker.sweep = None  # the index alone, from the first tick
    world = World(uow_factory, clock, seed)
    await world.seed_program()
    steps = [timedelta(minutes=30), timedelta(hours=3), timedelta(hours=17), timedelta(days=2)]
    history: list[str] = []
    queued_in_all = 0
    for _ in range(45):
        history.append(await world.act())
        clock.advance(world.random.choice(steps))
        history.append(clock.now().isoformat())
        expected = await full_scan_would_queue(uow_factory, ticker, clock.now())
        queued = await indexed_tick_queues(uow_factory, ticker)
        assert queued == expected, f"seed {seed}, after {history[-12:]}"
        queued_in_all += len(queued)
    # The sequences are not idle: check-ins, reminders, nudges and feedback requests went out.
    assert queued_in_all > 20


async def test_an_idle_tick_evaluates_nobody(uow_factory: SqlUnitOfWorkFactory) -> None:
    """Once everyone's next moment is recorded, a tick with nothing due reads no one."""
    clock = VirtualClock(START)
    ticker = Ticker(uow_factory, clock, Renderer(default_locale="en"), CONFIG)
    world = World(uow_factory, clock, seed=99)
    await world.seed_program()
    await ticker.tick()  # the first tick evaluates everyone and records their moments
    assert ticker.last_evaluated >= PEOPLE
    clock.advance(timedelta(minutes=1))
    await ticker.tick()
    assert ticker.last_evaluated == 0
    # A change marks its subject due: the next tick evaluates it (and its pairs), no more.
    async with uow_factory() as uow:
        person = (await uow.persons_by_id([world.persons[0]]))[world.persons[0]]
        person.timezone = "Asia/Tokyo"
        await uow.commit()
    await ticker.tick()
    assert ticker.last_evaluated == 1


async def test_a_change_committed_during_a_tick_is_not_overwritten(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    """A tick records a subject's next moment only if nothing marked it since it was read."""
    clock = VirtualClock(START)
    world = World(uow_factory, clock, seed=7)
    await world.seed_program()
    async with uow_factory() as uow:
        subjects = await uow.due_subjects(clock.now())
        enrollment_id = world.enrollments[0]
        seen = subjects.enrollments[enrollment_id]
    async with uow_factory() as uow:  # a turn changes it meanwhile
        enrollment = (await uow.enrollments_by_id([enrollment_id]))[enrollment_id]
        enrollment.status = EnrollmentStatus.PAUSED
        enrollment.paused_until = date(2026, 10, 20)
        await uow.commit()
    async with uow_factory() as uow:
        written = await uow.record_next_due(
            type(subjects)({enrollment_id: seen}, {}), {enrollment_id: None}, {}
        )
        await uow.commit()
        assert written == 0
    async with uow_factory() as uow:
        assert enrollment_id in (await uow.due_subjects(clock.now())).enrollments


async def test_an_idle_tick_reads_as_much_for_a_big_program_as_for_a_small_one(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    """The statements an idle tick runs do not grow with the company: as many for 8 people as
    for 48 (each an index lookup that finds nothing due)."""
    clock = VirtualClock(START)
    ticker = Ticker(uow_factory, clock, Renderer(default_locale="en"), CONFIG)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split()[0].upper())

    async def idle_tick() -> tuple[int, int]:
        await ticker.tick()  # records everyone's next moment
        clock.advance(timedelta(minutes=1))
        statements.clear()
        sa.event.listen(uow_factory.engine.sync_engine, "before_cursor_execute", count)
        try:
            await ticker.tick()
        finally:
            sa.event.remove(uow_factory.engine.sync_engine, "before_cursor_execute", count)
        assert ticker.last_evaluated == 0
        return len(statements), statements.count("SELECT")

    small = World(uow_factory, clock, seed=11)
    await small.seed_program()
    for _ in range(2):
        await small.act()
    small_tick = await idle_tick()
    big = World(uow_factory, clock, seed=12)
    await big.seed_program()
    for _ in range(40):
        await big.join()
    for _ in range(20):
        async with uow_factory() as uow:
            big.uow = uow
            await big.pair()
            await uow.commit()
    big_tick = await idle_tick()
    assert big_tick == small_tick


async def test_a_new_process_re_evaluates_everyone_a_stretch_per_tick(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    """Next moments an earlier release recorded (here: all far off, as if a delay had been
    longer) are worked out again by the sweep a process starts with, three enrollments and
    three pairs a tick, until it has been through all; what falls due meanwhile is queued as
    the full scan would, and then the ticks are idle again."""
    clock = VirtualClock(START)
    renderer = Renderer(default_locale="en")
    world = World(uow_factory, clock, seed=21)
    await world.seed_program()
    for _ in range(12):
        await world.act()
    await Ticker(uow_factory, clock, renderer, CONFIG).tick()
    # Past everyone's next check-in, whatever the program's rhythm (3, 7 or 14 days).
    clock.advance(timedelta(days=15))
    async with uow_factory() as uow:
        for table in (tables.enrollment, tables.pair):
            await uow.session.execute(
                sa.update(table).values(next_due_at=START + timedelta(days=365))
            )
        await uow.commit()
        everyone = await uow.due_subjects(None)
    ticker = Ticker(uow_factory, clock, renderer, CONFIG)
    expected = await full_scan_would_queue(uow_factory, ticker, clock.now())
    assert expected, "the far-off moments hide messages that are due"

    # The index alone misses them (feedback requests are found by their own index).
    ticker.sweep = None
    queued = await indexed_tick_queues(uow_factory, ticker)
    assert queued < expected

    ticker.sweep = Sweep(stretch=3)
    ticks = 0
    while ticker.sweep is not None:
        queued |= await indexed_tick_queues(uow_factory, ticker)
        ticks += 1
        # Three enrollments and three pairs, the pairs of those enrollments and the members of
        # those pairs: never the whole program at once.
        assert ticker.last_evaluated <= 3 + 3 + 3 + 2 * 3
    assert ticks == max(len(everyone.enrollments), len(everyone.pairs)) // 3 + 1
    assert queued == expected
    # Swept: everyone's moment is this release's, and a tick with nothing due reads no one.
    clock.advance(timedelta(minutes=1))
    assert await indexed_tick_queues(uow_factory, ticker) == set()
    assert ticker.last_evaluated == 0
