"""A workshop from its announcement to the owners' figures, in the console on the real engine:
twelve people invited to eight seats, the waitlist moving up when someone leaves, reminders on
the virtual clock, attendance, feedback from those who came, the digest, the report and the
export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from adapters.console.port import PLATFORM, WORKSPACE
from adapters.console.session import ConsoleSession, Delivery
from bot.commands import workshops
from bot.digest import export, report
from bot.domain import Enrollment, Person, Role
from bot.i18n import Renderer
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, said

PEOPLE = [f"p{n:02d}" for n in range(1, 13)]
# Friday 20 November 2026, 12:30 in Paris (11:30 UTC): two days after the console's start.
ANNOUNCE = (
    '@maya /tandem workshop new "AI in practice" topic: AI date: 2026-11-20 time: 12:30 '
    'length: 1h place: "https://meet.example/ai" capacity: 8'
)


async def enrolled(console: ConsoleSession, uow_factory: SqlUnitOfWorkFactory) -> None:
    """An owner's program with a mentor who hosts and twelve mentees, enrolled straight in the
    database (joining through the invitation is tested elsewhere; here it would only cost)."""
    await console.run_line("@hr /tandem language en")
    await console.run_line('@hr /tandem program new "Pilot" sessions: 6')
    now = console.clock.now()
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.id is not None
        for name in ("maya", *PEOPLE):
            person = Person(PLATFORM, WORKSPACE, name, name, now, locale="en")
            uow.add(person)
            await uow.flush()
            assert person.id is not None
            role = Role.MENTOR if name == "maya" else Role.MENTEE
            uow.add(Enrollment(program.id, person.id, role, now))
        await uow.commit()


def keyed(deliveries: list[Delivery], prefix: str) -> dict[str, Delivery]:
    return {d.recipient: d for d in deliveries if d.key and d.key.startswith(prefix)}


async def test_a_workshop_for_twelve_people_with_eight_seats(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await enrolled(console, uow_factory)

    deliveries = await console.run_line(ANNOUNCE)
    announced = keyed(deliveries, "workshop_announce")
    assert sorted(announced) == PEOPLE  # the host is not invited to her own workshop
    assert [c.label for c in announced["p01"].message.choices] == ["Join"]
    assert "https://meet.example/ai" in announced["p01"].text
    assert "12 people invited" in next(d.text for d in deliveries if d.recipient == "maya")

    # Everyone clicks Join (a bare number answers the latest question): eight seats, then
    # the waitlist in the order people asked.
    for number, person in enumerate(PEOPLE, 1):
        answer = await said(console, f"@{person} 1")
        if number <= 8:
            assert "You have a seat" in answer
        else:
            assert f"you are number {number - 8} on the waitlist" in answer
    assert "8/8 seats taken, 4 waiting" in await said(console, "@p01 /tandem workshop list")

    # p03 cannot come: the first on the waitlist (p09) gets the seat and is told.
    deliveries = await console.run_line("@p03 /tandem workshop leave 1")
    promoted = keyed(deliveries, "workshop_promoted")
    assert list(promoted) == ["p09"]
    assert "a seat freed up" in promoted["p09"].text
    assert [c.label for c in promoted["p09"].message.choices] == ["Leave"]
    assert "8/8 seats taken, 3 waiting" in await said(console, "@p01 /tandem workshop list")

    seated = sorted({*PEOPLE[:8], "p09"} - {"p03"})
    # Thursday 14:00 UTC: the reminder of the day before (due at 11:30) has gone out, to the
    # seats and the host, with the link; nobody waiting or gone gets one.
    deliveries = await console.run_line(":advance 1d")
    day_before = keyed(deliveries, "workshop_reminder")
    assert sorted(day_before) == sorted([*seated, "maya"])
    assert "starts tomorrow at 12:30\u202fPM (Paris Time)" in day_before["p01"].text
    assert "https://meet.example/ai" in day_before["p01"].text
    # Friday 11:00 UTC: the one an hour before, and only it.
    deliveries = await console.run_line(":advance 21h")
    hour_before = keyed(deliveries, "workshop_reminder")
    assert sorted(hour_before) == sorted([*seated, "maya"])
    assert all("starts today at 12:30\u202fPM" in d.text for d in hour_before.values())

    # Too late to leave once it started; after it, the host is asked who came.
    deliveries = await console.run_line(":advance 2h")
    assert "already started" in await said(console, "@p01 /tandem workshop leave 1")
    assert "Who came?" in keyed(deliveries, "workshop_attendance_due")["maya"].text

    # Six of the eight came (p02 and p09 did not); each of them is asked for feedback.
    came = ["p01", "p04", "p05", "p06", "p07", "p08"]
    deliveries = await console.run_line(
        "@maya /tandem workshop attendance 1 " + " ".join(f"@{p}" for p in came)
    )
    assert "6 of 8 registered people came" in "\n".join(d.text for d in deliveries)
    asked = keyed(deliveries, "workshop_feedback")
    assert sorted(asked) == came
    # And each of them, only them, gets the quiz on the workshop's topic (AI).
    quizzed = keyed(deliveries, "quiz:")
    assert sorted(quizzed) == came
    assert "A quick quiz" in quizzed["p01"].text
    assert asked["p01"].message.choices[0].label == "1 · not much"
    for person, rating in (("p01", 5), ("p04", 4), ("p05", 4), ("p06", 3)):
        assert f"rated {rating}/5" in await said(console, f"@{person} {rating}")

    # Monday: the digest covers the week before. Worked out by hand: 1 workshop held; 6 of the
    # 8 seats taken at the start came (75%); AI once; (5 + 4 + 4 + 3) / 4 = 4.0 over 4 ratings.
    await console.run_line(":advance 3d")
    digest = await said(console, "@hr /tandem digest now")
    assert "1 workshop held this week" in digest
    assert "Attendance: 6 of 8 registered people came (75%)" in digest
    assert "Topics: AI (1)" in digest
    assert "Feedback: rated 4.0/5 on average (4 ratings)" in digest

    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    renderer = Renderer(default_locale="en")
    message, locale = await report.build(uow_factory, renderer, "Pilot", now)
    page = report.html_page(renderer, locale, message, now)
    assert "<h2>Workshops</h2>" in page and "75%" in page
    exported = await export.build(uow_factory, "Pilot", now)
    (row,) = exported.workshops
    assert (row.seats_taken, row.waiting, row.attended, row.rating) == (8, 3, 6, 4.0)
    assert exported.kpis.workshops.attendance_rate == 75
    assert '"workshops": [' in export.to_json(exported)


async def test_a_large_announcement_is_written_a_few_hundred_at_a_time(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, monkeypatch: Any
) -> None:
    """Each follow-up invites a bounded batch and hands the rest to the next one: shrunk here
    to five a batch, the twelve are invited once each, over three follow-ups."""
    monkeypatch.setattr(workshops, "INVITED_AT_ONCE", 5)
    console = make_console()
    await enrolled(console, uow_factory)
    deliveries = await console.run_line(ANNOUNCE)
    invitations = [d.recipient for d in deliveries if d.key and d.key.startswith("workshop_a")]
    assert sorted(invitations) == PEOPLE
    assert "12 people invited" in next(d.text for d in deliveries if d.recipient == "maya")
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            sa.select(tables.outbox.c.key).where(tables.outbox.c.key.like("follow_up:%"))
        )
        batches = sorted(key for (key,) in rows)
    # The first batch's row, then one after the 5th and the 10th person (by id).
    assert len(batches) == 3
