"""Skill self-assessment (intake, halfway, end), the end-of-program evaluation, and what owners
and HR get from them: figures checked by hand, the anonymity of "what changed", forget-me."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from adapters.console.port import Delivery
from adapters.console.session import ConsoleSession
from bot.clock import VirtualClock
from bot.digest import export, weekly
from bot.digest.figures import ContinueShare, OutcomeFigures, Quote, TopicProgress
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, run_script, said

SOCIAL = "Social networks and personal branding (LinkedIn, X, Instagram)"
AI = "Artificial intelligence and chat assistants"
PRIVACY = "Online privacy and e-reputation"
RECIPROCAL = (
    "Public speaking",
    "Negotiation",
    "Management",
    "Strategy",
    "Navigating the organisation",
    "Career advice",
)


def assessments(deliveries: list[Delivery]) -> dict[str, str]:
    """Who received an assessment in these deliveries, and its outbox key."""
    return {d.recipient: d.key for d in deliveries if d.key and d.key.startswith("assessment:")}


async def end_program_on(uow_factory: SqlUnitOfWorkFactory, ends_on: date) -> None:
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        program.ends_on = ends_on
        await uow.commit()


async def test_intake_ends_with_the_baseline_and_bad_levels_say_how(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await console.run_line('@hr /tandem program new "Pilot"')
    await console.run_line("@hr /tandem invite @zoe")
    await console.run_line("@zoe /tandem language en")
    for answer in ("2", "none", "1:5 4:2", "Understand my teams", "en", "Legal", "Mornings"):
        await console.run_line(f"@zoe {answer}")
    deliveries = await console.run_line("@zoe ok")
    profile, baseline = (d.text for d in deliveries if d.recipient == "zoe")
    assert "your profile is complete" in profile
    assert baseline.startswith("One more thing before you start: where are you today?")
    # Only the two topics zoe chose, with their numbers of the intake question.
    assert f"1. {SOCIAL}" in baseline and "4. Cybersecurity hygiene" in baseline
    assert "Company website and SEO" not in baseline

    assert 'I couldn\'t read "so-so"' in await said(console, "@zoe so-so")
    assert "A level of 7 is out of range" in await said(console, "@zoe 1:7")
    assert "pick among 1, 4" in await said(console, "@zoe 2:3")
    answer = await said(console, "@zoe 3 2 4")
    assert "I see 3 levels for 2 topics" in answer and "in order" in answer
    assert "1 topic rated" in await said(console, "@zoe 1:3")

    async with uow_factory() as uow:
        (person,) = [p for p in await uow.people_in_program(1) if p.display_name == "zoe"]
        assert person.id is not None
        enrollment = await uow.enrollment_of(1, person.id)
        assert enrollment is not None and enrollment.id is not None
        (stored,) = await uow.skill_assessments_of(enrollment.id)
        assert stored.moment == "baseline" and stored.answered_at is not None
        assert stored.id is not None
        assert [(r.topic, r.level) for r in await uow.skill_ratings(stored.id)] == [(SOCIAL, 3)]

    # Updating the profile later does not ask for the baseline again.
    await console.run_line("@zoe /tandem profile")
    for answer in ("none", "1:5", "Understand my teams", "en", "Legal", "Mornings"):
        await console.run_line(f"@zoe {answer}")
    deliveries = await console.run_line("@zoe ok")
    assert [d.text for d in deliveries if "where are you today" in d.text] == []


async def answer(console: ConsoleSession, who: str, *lines: str) -> list[Delivery]:
    deliveries: list[Delivery] = []
    for line in lines:
        deliveries = await console.run_line(f"@{who} {line}")
    return deliveries


async def run_program_to_its_end(
    console: ConsoleSession, uow_factory: SqlUnitOfWorkFactory
) -> None:
    """two_pairs_en.txt (baselines: alice PS 2, Neg 3; bob social 1, AI 2; dan 2 3 1 2 4 1;
    erin social 2, AI 1, privacy 3), a program ending on Friday 4 December: halfway is
    Thursday 26 November. bob lives in New York."""
    await run_script(console, "two_pairs_en.txt")
    await end_program_on(uow_factory, date(2026, 12, 4))
    await console.run_line("@bob /tandem timezone America/New_York")

    # Wednesday 18 November 14:00 UTC → Thursday 26 November 12:00 UTC (13:00 in Paris).
    deliveries = await console.run_line(":advance 7d")
    deliveries += await console.run_line(":advance 22h")
    assert assessments(deliveries) == {}
    # 14:00 in Paris: alice, dan and erin; bob at 14:00 in New York, five hours later.
    deliveries = await console.run_line(":advance 1h")
    assert assessments(deliveries) == {
        "alice": "assessment:1:mid",
        "dan": "assessment:3:mid",
        "erin": "assessment:4:mid",
    }
    (mid,) = [d for d in deliveries if d.recipient == "alice"]
    assert mid.at == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert 'Halfway through "Pilot"!' in mid.text
    assert "1. Public speaking (at the start: 2/5)" in mid.text
    assert "Management" not in mid.text  # alice rated two topics at intake
    deliveries = await console.run_line(":advance 5h")
    assert assessments(deliveries) == {}
    deliveries = await console.run_line(":advance 1h")
    assert assessments(deliveries) == {"bob": "assessment:2:mid"}

    reply = await said(console, "@alice 3 4")
    assert "Since the start: Public speaking 2 → 3, Negotiation 3 → 4." in reply
    assert "I see 2 levels for 6 topics" in await said(console, "@dan 3 4")
    assert "A level of 7 is out of range" in await said(console, "@dan 1:7")
    assert "6 topics rated" in await said(console, "@dan 3 3 2 2 4 2")
    await answer(console, "bob", "2 2")
    # erin leaves hers unanswered: the end one replaces it.

    # Friday 4 December, 14:00 in Paris (13:00 UTC), 14:00 in New York (19:00 UTC).
    deliveries = await console.run_line(":advance 7d")
    deliveries += await console.run_line(":advance 17h")
    assert assessments(deliveries) == {}
    deliveries = await console.run_line(":advance 1h")
    assert assessments(deliveries) == {
        "alice": "assessment:1:end",
        "dan": "assessment:3:end",
        "erin": "assessment:4:end",
    }
    (end,) = [d for d in deliveries if d.recipient == "erin"]
    assert '"Pilot" is coming to an end' in end.text
    # Each topic keeps its number of the intake question, in every round.
    assert f"3. {PRIVACY} (at the start: 3/5)" in end.text
    assert f"9. {AI} (at the start: 1/5)" in end.text
    assert f"1. {SOCIAL} (at the start: 2/5)" in end.text
    deliveries = await console.run_line(":advance 6h")
    assert assessments(deliveries) == {"bob": "assessment:2:end"}


async def test_assessments_and_evaluation_arrive_once_and_make_the_kpis(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_program_to_its_end(console, uow_factory)

    # alice: skills, then the evaluation; the buttons of a past question are refused.
    reply = await answer(console, "alice", "4 4")
    assert "how satisfied are you" in reply[-1].text
    satisfaction_buttons = reply[-1].message.choices
    assert [c.label for c in satisfaction_buttons] == ["1 · not at all", "2", "3", "4", "5 · very"]
    reply = await answer(console, "alice", "5")
    assert "Type a number from 0" in reply[-1].text
    clicked = await console.choose("alice", satisfaction_buttons[1].value)
    assert "no longer valid" in "\n".join(d.text for d in clicked)
    assert 'I couldn\'t read "11": type a whole number from 0 to 10.' in await said(
        console, "@alice 11"
    )
    assert "what has changed in your work" in await said(console, "@alice 10")
    await answer(console, "alice", "I speak up in meetings")
    assert "Please pick one of the 2 options" in await said(console, "@alice perhaps")
    await answer(console, "alice", "1")
    thanks = await said(console, "@alice 1")
    assert "Satisfaction 5/5, recommendation 10/10" in thanks
    assert "go on as reciprocal mentoring" in thanks and "anonymously" in thanks
    assert "Public speaking 2 → 4, Negotiation 3 → 4" in thanks

    await answer(console, "bob", "3 4", "4", "6", "none", "1", "2")
    await answer(console, "dan", "4 4 3 3 5 3", "3", "9", "More patient with juniors", "2", "1")
    await answer(console, "erin", "2 2 1", "4", "8", "I use dashboards now", "1", "2")

    # Nothing is asked twice: later ticks, and a restarted process, find them all sent.
    deliveries = await console.run_line(":advance 3d")
    assert assessments(deliveries) == {}
    restarted = make_console(clock=VirtualClock(datetime(2026, 12, 8, 12, 0, tzinfo=UTC)))
    assert assessments(await restarted.run_line(":advance 2d")) == {}

    # The figures, by hand. Rated at intake → at the end:
    #   alice PS 2→4, Neg 3→4 · dan PS 2→4, Neg 3→4, Mgmt 1→3, Strat 2→3, Nav 4→5, Career 1→3
    #   bob social 1→3, AI 2→4 · erin social 2→2, AI 1→1, privacy 3→2 (she went down).
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        figures = (await weekly.compute(uow, program, restarted.clock.now())).outcomes
    assert figures == OutcomeFigures(
        skill_topics=(
            TopicProgress(AI, 2, 1.5, 2.5),
            TopicProgress("Career advice", 1, 1.0, 3.0),
            TopicProgress("Management", 1, 1.0, 3.0),
            TopicProgress("Navigating the organisation", 1, 4.0, 5.0),
            TopicProgress("Negotiation", 2, 3.0, 4.0),
            TopicProgress(PRIVACY, 1, 3.0, 2.0),
            TopicProgress("Public speaking", 2, 2.0, 4.0),
            TopicProgress(SOCIAL, 2, 1.5, 2.5),
            TopicProgress("Strategy", 1, 2.0, 3.0),
        ),
        skill_people=4,
        skill_progressed=3,
        evaluations=4,
        # (5 + 4 + 3 + 4) / 4; promoters alice 10 and dan 9, detractor bob 6, erin 8 passive.
        satisfaction=4.0,
        nps=25,
        promoters=2,
        detractors=1,
        continue_yes=3,
        continue_by_role=(ContinueShare("mentee", 2, 2), ContinueShare("mentor", 1, 2)),
        # Three people wrote: the words show, anonymous unless shared (erin).
        changed=(
            Quote("I use dashboards now", "erin"),
            Quote("More patient with juniors"),
            Quote("I speak up in meetings"),
        ),
        changed_authors=3,
        changed_withheld=False,
    )

    text = await said(restarted, "@hr /tandem digest now")
    assert "3 of 4 people rate themselves higher than at the start" in text
    assert "• Public speaking: 2.0 → 4.0 (2 people)" in text
    assert f"• {PRIVACY}: 3.0 → 2.0 (1 person)" in text
    assert "End-of-program evaluation (4 answers):" in text
    assert "• Satisfaction: 4.0/5" in text
    assert "• Net promoter score: +25 (2 promoters, 1 detractor)" in text
    assert "• Want to go on as reciprocal mentoring: 75% (mentees 2/2, mentors 1/2)" in text
    assert '• "I use dashboards now" — erin' in text
    assert '• "I speak up in meetings" — anonymous' in text
    french = make_console(locale="fr", clock=restarted.clock)
    await french.run_line("@hr /tandem language fr")
    text = await said(french, "@hr /tandem digest now")
    assert "3 personnes sur 4 se notent plus haut qu'au départ" in text
    assert "• Satisfaction : 4,0/5" in text
    assert "Souhaitent continuer en mentorat réciproque : 75 %" in text
    await french.run_line("@hr /tandem language en")

    report = await export.build(uow_factory, "Pilot", restarted.clock.now())
    progress = {
        p.name: (p.topics, p.baseline, p.latest, p.latest_moment) for p in report.outcomes.progress
    }
    assert progress == {
        "alice": (2, 2.5, 4.0, "end"),
        "bob": (2, 1.5, 3.5, "end"),
        # 13 / 6 and 22 / 6; erin 6 / 3 and 5 / 3.
        "dan": (6, 2.2, 3.7, "end"),
        "erin": (3, 2.0, 1.7, "end"),
    }
    assert report.outcomes.changed == figures.changed

    # Everything bob answered is in his data.
    data = await said(restarted, "@bob /tandem my-data")
    assert '"moment": "mid"' in data and '"recommend": 6' in data

    # erin erases her data: she leaves every later figure and export, her words too; two
    # authors are left, so their anonymous words are held back.
    await restarted.run_line("@erin /tandem forget-me")
    await restarted.run_line("@erin 1")
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        figures = (await weekly.compute(uow, program, restarted.clock.now())).outcomes
    assert (figures.skill_people, figures.skill_progressed, figures.evaluations) == (3, 3, 3)
    # (5 + 4 + 3) / 3; (2 promoters − 1 detractor) / 3; alice and bob want to go on.
    assert (figures.satisfaction, figures.nps, figures.continue_yes) == (4.0, 33, 2)
    assert TopicProgress(SOCIAL, 1, 1.0, 3.0) in figures.skill_topics
    assert all(t.topic != PRIVACY for t in figures.skill_topics)
    assert figures.changed == () and figures.changed_withheld
    text = await said(restarted, "@hr /tandem digest now")
    assert "dashboards" not in text and "I speak up" not in text
    assert "What changed is shown once at least 3 people have written some" in text
    assert "67% (mentees 1/1, mentors 1/2)" in text
    report = await export.build(uow_factory, "Pilot", restarted.clock.now())
    assert sorted(p.name for p in report.outcomes.progress) == ["alice", "bob", "dan"]
    assert report.outcomes.changed == () and report.outcomes.changed_withheld
    dumped = export.to_json(report)
    assert "erin" not in dumped and "dashboards" not in dumped
    assert json.loads(dumped)["what_changed_withheld"] is True


async def test_a_paused_person_is_asked_after_resuming_and_halfway_gives_way_to_the_end(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await end_program_on(uow_factory, date(2026, 12, 4))
    await console.run_line("@erin /tandem pause")
    # Thursday 26 November, 14:00 in Paris: everybody but erin is asked.
    deliveries = await console.run_line(":advance 7d")
    deliveries += await console.run_line(":advance 23h")
    assert sorted(assessments(deliveries)) == ["alice", "bob", "dan"]
    # Back on Monday 30 November: her halfway assessment comes with the next tick.
    await console.run_line(":advance 4d")
    deliveries = await console.run_line("@erin /tandem resume")
    assert assessments(deliveries) == {"erin": "assessment:4:mid"}
    # dan never answers his: at the end, his text goes to the end assessment.
    deliveries = await console.run_line(":advance 4d")
    assert sorted(assessments(deliveries)) == ["alice", "bob", "dan", "erin"]
    assert "how satisfied are you" in await said(console, "@dan 4 4 3 3 5 3")
