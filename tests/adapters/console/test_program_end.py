"""A program ends: after its last day only the evaluation and the closing report arrive, then
it is closed; owners close one early (confirmed) or extend one; nobody else can."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from adapters.console.port import Delivery
from adapters.console.session import ConsoleSession
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, run_script, said


async def advance_to(console: ConsoleSession, moment: datetime) -> list[Delivery]:
    hours = int((moment - console.clock.now()).total_seconds() // 3600)
    return await advance(console, f"{hours}h")


async def advance(console: ConsoleSession, delta: str) -> list[Delivery]:
    """What arrived while the clock moved on (without the console's note of the time)."""
    return [d for d in await console.run_line(f":advance {delta}") if d.kind != "clock"]


def kinds(deliveries: list[Delivery]) -> set[str]:
    """What arrived, by the first part of its outbox key ("checkin", "quiet", "digest"…)."""
    return {(d.key or "reply").split(":", 1)[0] for d in deliveries}


async def test_after_its_last_day_a_program_only_evaluates_reports_and_closes(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@hr /tandem digest channel #owners")
    (done,) = await console.run_line("@hr /tandem program set until: 2026-12-04")
    assert "ends on December 4, 2026" in done.text
    # Up to the last hour of the last day, Friday 4 December (23:00 in Paris): the usual rhythm,
    # with the check-ins of 2 December and the end-of-program evaluation on the last day.
    running = await advance_to(console, datetime(2026, 12, 4, 22, 0, tzinfo=UTC))
    assert {"checkin", "digest", "assessment"} <= kinds(running)
    assert sorted(d.recipient for d in running if (d.key or "").endswith(":end")) == [
        "alice",
        "bob",
        "dan",
        "erin",
    ]
    assert "has ended" not in await said(console, "@alice /tandem status")

    # The week after: nothing at all; status, list and show say it ended.
    ended = await advance_to(console, datetime(2026, 12, 11, 7, 0, tzinfo=UTC))
    assert ended == []
    status = await said(console, "@alice /tandem status")
    assert "the program has ended (last day December 4, 2026): no more check-ins" in status
    assert "Next check-in" not in status
    assert "ended on December 4, 2026" in await said(console, "@hr /tandem program list")

    # 09:00 in Paris a week after the last day: the closing report, and the program closes.
    (report,) = await advance(console, "1h")
    assert report.kind == "channel" and report.text.startswith('Program report of "Pilot"')
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.closed and program.closed_at == datetime(2026, 12, 11, 8, 0, tzinfo=UTC)

    # Three more weeks: no digest on Mondays, no check-in on the 16th or the 30th, no nudge.
    assert await advance(console, "21d") == []
    status = await said(console, "@bob /tandem status")
    assert 'Your tandem — program "Pilot", mentee, the program is closed' in status
    assert "Next check-in" not in status
    listed = await said(console, "@hr /tandem program list")
    assert "Closed programs:\n• Pilot — closed, ended on December 4, 2026 (you own it)" in listed
    assert "(closed, ended on December 4, 2026)" in await said(console, "@hr /tandem program show")
    assert 'You own "Pilot" (closed' in await said(console, "@hr /tandem status")
    assert "has ended: it takes no new participants" in await said(
        console, "@zoe /tandem join mentee Pilot"
    )


async def test_owners_close_early_with_a_confirmation_and_extend_a_closed_program(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@hr /tandem digest channel #owners")
    await advance(console, "1d")  # Thursday 19 November, 15:00 in Paris
    assert "Only the program's owners" in await said(console, "@bob /tandem program close")
    (ask,) = await console.run_line("@hr /tandem program close")
    assert 'End "Pilot" today?' in ask.text
    assert [c.label for c in ask.message.choices] == ["Yes, end the program", "Cancel"]
    assert '"Pilot" goes on' in await said(console, "@hr 2")
    # A non-owner cannot answer the owner's confirmation, not even with its value.
    (ask,) = await console.run_line("@hr /tandem program close")
    clicked = await console.choose("bob", ask.message.choices[0].value)
    assert "no longer valid" in "\n".join(d.text for d in clicked)
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.ends_on is None and program.stopped_at is None
    confirmed = await console.run_line("@hr 1")
    (stopped,) = [d.text for d in confirmed if d.kind == "reply"]
    # The evaluation at once (14:00 in Paris has passed), then nothing until the report.
    assert kinds([d for d in confirmed if d.kind != "reply"]) == {"assessment"}
    assert len([d for d in confirmed if d.kind != "reply"]) == 4
    assert '"Pilot" ended today: no more check-ins or nudges' in stopped
    assert "the program report comes on November 26, 2026" in stopped
    assert "has already ended: its report comes on November 26, 2026" in await said(
        console, "@hr /tandem program close"
    )
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.ends_on == date(2026, 11, 19) and program.stopped_at is not None

    assert await advance_to(console, datetime(2026, 11, 26, 7, 0, tzinfo=UTC)) == []
    (report,) = await advance(console, "1h")
    assert report.text.startswith('Program report of "Pilot"')
    assert "is already closed" in await said(console, "@hr /tandem program close")

    # Extended: a day already past is refused; a later one reopens it, and check-ins resume.
    assert "has already passed" in await said(console, "@hr /tandem program set until: 2026-11-25")
    assert "ends on January 29, 2027" in await said(
        console, "@hr /tandem program set until: 2027-01-29"
    )
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert not program.closed and program.closed_at is None and program.stopped_at is None
    assert "Open programs:\n• Pilot" in await said(console, "@hr /tandem program list")
    assert "Next check-in: Dec 2, 2026" in await said(console, "@alice /tandem status")
    resumed = await advance_to(console, datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    assert "checkin" in kinds(resumed)
    assert "(you own it)" in await said(console, "@hr /tandem program list")


async def test_a_pair_that_would_continue_goes_on_with_roles_swapped(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@hr /tandem digest channel #owners")
    await advance(console, "1d")
    await console.run_line("@hr /tandem program close")
    await console.run_line("@hr 1")  # the evaluation goes out at once
    # alice would go on as reciprocal mentoring, bob would not; dan and erin do not answer.
    for line in ("4 4", "5", "10", "I speak up in meetings", "1", "1"):
        await console.run_line(f"@alice {line}")
    for line in ("3 4", "4", "6", "none", "2", "2"):
        await console.run_line(f"@bob {line}")

    closing = await advance_to(console, datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    offers = {d.recipient: d for d in closing if (d.key or "").startswith("continue_offer:")}
    assert set(offers) == {"alice", "bob"}  # dan and erin said nothing: not offered
    assert "You were mentee; you can keep your roles or swap them" in offers["bob"].text
    assert [c.label for c in offers["bob"].message.choices] == [
        "Go on, same roles",
        "Go on, roles swapped",
        "No, thanks",
    ]
    assert "as soon as bob says yes too" in await said(console, "@alice 2")
    agreed = await console.run_line("@bob 2")
    started, charter_question = [d for d in agreed if d.recipient == "bob" and d.kind == "reply"]
    assert 'You go on with alice in "Pilot — reciprocal", as mentor (roles swapped)' in (
        started.text
    )
    assert charter_question.message.choices  # the kickoff of the new pair
    assert {"kickoff", "kickoff_tips"} <= {(d.key or "").split(":")[0] for d in agreed}
    clicked = await console.choose("bob", offers["bob"].message.choices[0].value)
    assert "no longer valid" in "\n".join(d.text for d in clicked)  # answered once
    async with uow_factory() as uow:
        (follow_on,) = await uow.programs_named("Pilot — reciprocal")
        (pilot,) = await uow.programs_named("Pilot")
        assert follow_on.follows_id == pilot.id and not follow_on.closed
        assert (follow_on.starts_on, follow_on.ends_on) == (date(2026, 11, 26), date(2026, 12, 24))
        (pair,) = await uow.pairs_in_program(follow_on.id or 0)
        mentor = await uow.enrollment(pair.mentor_enrollment_id or 0)
        mentee = await uow.enrollment(pair.mentee_enrollment_id or 0)
        assert mentor is not None and mentee is not None
        names = {p.id: p.display_name for p in await uow.owners_of(pilot.id or 0)}
        assert list(names.values()) == ["hr"]
        assert [o.display_name for o in await uow.owners_of(follow_on.id or 0)] == ["hr"]
        bob = await uow.person(mentor.person_id)
        alice = await uow.person(mentee.person_id)
        assert (bob and bob.display_name, alice and alice.display_name) == ("bob", "alice")
    status = await said(console, "@bob /tandem status")
    assert 'program "Pilot — reciprocal", mentor, active' in status
    assert "Partner: alice" in status
    assert "Pilot — reciprocal" in await said(console, "@hr /tandem program list")


async def test_a_past_planned_session_asks_whether_it_happened(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@alice /session plan 2026-11-20 10:00")
    await console.run_line("@dan /session plan 2026-11-23 15:00")
    # Friday 20 November: the session ends at 11:00 in Paris; then both are asked, once.
    before = await advance_to(console, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    assert not [d for d in before if (d.key or "").startswith("planned_outcome:")]
    asked = await advance(console, "1h")
    questions = {d.recipient: d for d in asked if (d.key or "").startswith("planned_outcome:")}
    assert set(questions) == {"alice", "bob"}
    assert "Did it happen? One click logs it (1 h)" in questions["bob"].text
    assert [c.label for c in questions["bob"].message.choices] == [
        "Yes, log it",
        "No, it was cancelled",
    ]
    logged = await console.run_line("@bob 1")
    assert any(d.recipient == "alice" and d.key and "session_logged" in d.key for d in logged)
    assert "that session was logged" in await said(console, "@alice 1")
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        first, second = await uow.pairs_in_program(program.id or 0)
        first_id, second_id = first.id or 0, second.id or 0
        logs = await uow.session_logs(first.id or 0)
        assert [(log.held_on, log.minutes, log.topics) for log in logs] == [
            (date(2026, 11, 20), 60, "Planned session")
        ]

    # Monday 23 November, 15:00 in Paris: erin says it was cancelled; it is counted as such.
    asked = await advance_to(console, datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    assert {d.recipient for d in asked if (d.key or "").startswith("planned_outcome:")} == {
        "dan",
        "erin",
    }
    cancelled = await console.run_line("@erin 2")
    assert any("did not take place" in d.text for d in cancelled if d.recipient == "dan")
    assert "marked as cancelled" in await said(console, "@dan 1")
    assert "(12 h), 8%; 1 planned session cancelled" in await said(
        console, "@hr /tandem digest now"
    )
    assert not [
        d for d in await advance(console, "3d") if (d.key or "").startswith("planned_outcome:")
    ]
    # A session logged by hand once it began is not asked about.
    await console.run_line("@alice /session plan 2026-11-27 10:00")
    await advance_to(console, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    await console.run_line('@alice /session log 1h "Agile basics"')
    later = await advance(console, "1d")
    assert not [d for d in later if (d.key or "").startswith("planned_outcome:")]
    async with uow_factory() as uow:
        assert len(await uow.session_logs(second_id)) == 0
        columns = tables.planned_session.c
        rows = await uow.session.execute(
            sa.select(columns.pair_id, columns.outcome, columns.cancelled).order_by(columns.id)
        )
        assert [tuple(row) for row in rows] == [
            (first_id, "held", False),
            (second_id, "cancelled", True),
            (first_id, None, False),
        ]
