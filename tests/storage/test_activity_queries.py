"""The chart's weeks, counted by the database on SQLite and PostgreSQL: sessions by the day they
were held, check-in mood by the local week it was answered in (a time change included)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.digest import activity
from bot.domain import Checkin, CheckinStatus, SessionLog
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_unit_of_work import NOW, add_all, build_world, program

# Wednesday 2 April 2025; Paris moved to summer time on Sunday 30 March.
TODAY = datetime(2025, 4, 2, 10, 0, tzinfo=UTC)


async def test_weekly_activity(uow_factory: SqlUnitOfWorkFactory) -> None:
    world = await build_world(uow_factory)

    def log(held_on: date, minutes: int = 45) -> SessionLog:
        return SessionLog(
            pair_id=world.pair,
            logged_by=world.alice,
            held_on=held_on,
            minutes=minutes,
            topics="LinkedIn",
            created_at=NOW,
        )

    def answer(at: datetime, mood: int | None, period: int) -> Checkin:
        return Checkin(
            enrollment_id=world.mentee if period % 2 else world.mentor,
            period=period,
            due_at=at - timedelta(hours=1),
            created_at=at - timedelta(hours=1),
            status=CheckinStatus.ANSWERED,
            answered_at=at,
            mood=mood,
        )

    def unanswered(due_at: datetime, period: int) -> Checkin:
        return Checkin(
            enrollment_id=world.mentor,
            period=period,
            due_at=due_at,
            created_at=due_at,
            status=CheckinStatus.EXPIRED,
        )

    async with uow_factory() as uow:
        await add_all(
            uow,
            log(date(2025, 2, 28)),
            log(date(2025, 3, 3)),
            log(date(2025, 3, 9), 60),
            log(date(2025, 3, 30)),
            log(date(2025, 3, 31), 30),
            # Sunday 23:30 in Paris (winter time): still the week of 3 March.
            answer(datetime(2025, 3, 9, 22, 30, tzinfo=UTC), 4, 1),
            answer(datetime(2025, 3, 5, 9, 0, tzinfo=UTC), 2, 2),
            # Monday 00:30 in Paris: the week of 10 March.
            answer(datetime(2025, 3, 9, 23, 30, tzinfo=UTC), 5, 3),
            # Summer time: 21:30 UTC is Sunday 23:30, 22:30 UTC Monday 00:30.
            answer(datetime(2025, 3, 30, 21, 30, tzinfo=UTC), 3, 4),
            answer(datetime(2025, 3, 30, 22, 30, tzinfo=UTC), 1, 5),
            # Answered without a mood (the reminder expired half-way): not in the average.
            answer(datetime(2025, 3, 31, 9, 0, tzinfo=UTC), None, 6),
            # Two check-ins due in the week of 17 March that nobody answered.
            unanswered(datetime(2025, 3, 18, 10, 0, tzinfo=UTC), 7),
            unanswered(datetime(2025, 3, 19, 10, 0, tzinfo=UTC), 8),
        )
        # Another program's activity stays out.
        other = program("Other")
        await add_all(uow, other)
        await uow.commit()

    async with uow_factory() as uow:
        (prog,) = await uow.programs_named("Digital 2025")
        window = activity.window(prog, TODAY)
        weeks = await uow.weekly_activity(window)
        # The program starts on Saturday 1 March: its first week is the one of 24 February.
        assert [w.monday for w in weeks] == [
            date(2025, 2, 24) + timedelta(weeks=i) for i in range(6)
        ]
        assert [(w.sessions, w.minutes) for w in weeks] == [
            (1, 45),
            (2, 105),
            (0, 0),
            (0, 0),
            (1, 45),
            (1, 30),
        ]
        assert [(w.mood, w.checkins) for w in weeks] == [
            (None, 0),
            (3.0, 2),
            (5.0, 1),
            (None, 0),
            (3.0, 1),
            (1.0, 1),
        ]
        # The response rate, by the week a check-in fell due (answered then or later): the
        # answer of Monday 00:30 was due on Sunday 23:30, in the week of 3 March.
        assert [(w.due, w.answered, w.response_rate) for w in weeks] == [
            (0, 0, None),
            (3, 3, 100),
            (0, 0, None),
            (2, 0, 0),
            (2, 2, 100),
            (1, 1, 100),
        ]

        # At most the latest weeks.
        short = await uow.weekly_activity(activity.window(prog, TODAY, max_weeks=3))
        assert [(w.monday, w.sessions, w.mood) for w in short] == [
            (date(2025, 3, 17), 0, None),
            (date(2025, 3, 24), 1, 3.0),
            (date(2025, 3, 31), 1, 1.0),
        ]
