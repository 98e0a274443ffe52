"""The owners' weekly digest: figures checked by hand, anonymity of free text, forget-me, both
languages, and one post a week in the owners' channel, restarts included."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.port import Delivery
from bot.clock import VirtualClock
from bot.digest import export
from bot.domain import Checkin, CheckinStatus
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, run_script


def digest_posts(deliveries: list[Delivery]) -> list[Delivery]:
    return [d for d in deliveries if d.kind == "channel" and (d.key or "").startswith("digest:")]


async def test_digest_figures_quotes_and_forget_me(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    await console.run_line(":advance 1d")
    (reply,) = await console.run_line("@hr /tandem digest now")
    text = reply.text
    # Thursday 19 November: the week is 12–18 November.
    assert 'Weekly digest of "Pilot", Nov 12, 2026 – Nov 18, 2026' in text
    assert "4 enrolled, 4 paired in 2 pairs, 2 of them active" in text
    # 45 min + 1 h; both charters (one confirmed with 6 × 1 h, one unfinished: the program's
    # 6 × 1 h) plan 12 sessions and 12 h; 2 / 12 is 17%.
    assert "Sessions this week: 2 (1 h 45)" in text
    since_start = "Since the start: 2 sessions (1 h 45) out of 12 planned in the charters (12 h)"
    assert since_start + ", 17%" in text
    assert "Topics covered most: linkedin basics (2), privacy settings (1), seo (1)\n" in text
    assert "Check-in mood: no check-in answered this week" in text
    # bob 4, erin 2.
    assert "sessions rated 3.0/5 on average (2 ratings), 3.0/5 this week (2 ratings)" in text
    assert "No pair needs attention this week." in text
    # Only two people wrote what they learnt: their words are held back.
    assert "Privacy settings matter" not in text and "What SEO means" not in text
    assert "shown once at least 3 people have written some in a week" in text

    # A third person writes (and shares their name): the quotes show, the others anonymously.
    await console.run_line('@bob /session log 30m "Negotiation"')
    await console.run_line(":advance 18h")
    for answer in ("5", "Anchoring a price first", "2"):
        await console.run_line(f"@alice {answer}")
    await console.run_line(":advance 1d")
    (reply,) = await console.run_line("@hr /tandem digest now")
    text = reply.text
    assert "Sessions this week: 3 (2 h 15)" in text
    assert "out of 12 planned in the charters (12 h), 25%" in text
    # (4 + 2 + 5) / 3
    assert "sessions rated 3.7/5 on average (3 ratings)" in text
    assert '• "Anchoring a price first" — alice' in text
    assert '• "What SEO means" — anonymous' in text
    assert '• "Privacy settings matter more than I thought" — anonymous' in text
    assert "shown once at least" not in text

    # erin erases her data: she disappears from the next digest, her words and rating too.
    await console.run_line("@erin /tandem forget-me")
    await console.run_line("@erin 1")
    (reply,) = await console.run_line("@hr /tandem digest now")
    text = reply.text
    assert "3 enrolled, 2 paired in 1 pair," in text
    assert "erin" not in text and "What SEO means" not in text
    # (4 + 5) / 2; two authors left: bob's anonymous words are held back, alice's named ones stay.
    assert "sessions rated 4.5/5 on average (2 ratings)" in text
    assert "Privacy settings matter" not in text
    assert '• "Anchoring a price first" — alice' in text
    assert "shown once at least 3 people" in text


async def test_digest_in_french(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    await console.run_line(":advance 1d")
    await console.run_line("@hr /tandem language fr")
    (reply,) = await console.run_line("@hr /tandem digest now")
    assert 'Bilan hebdomadaire de "Pilot"' in reply.text
    assert "4 inscrits, 4 en tandem dans 2 tandems" in reply.text
    assert "sur 12 prévues dans les chartes (12 h), 17 %" in reply.text
    # Decimals the French way.
    assert "notées 3,0/5 en moyenne" in reply.text
    # Only owners get it.
    (refusal,) = await console.run_line("@bob /tandem digest now")
    assert "Only the program's owners can do this" in refusal.text


async def test_posted_on_monday_once_a_week_across_restarts(make_console: ConsoleFactory) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    # Monday 23 November, 08:00 in Paris: nothing yet; 09:00: the digest of 16–22 November.
    await console.run_line(":advance 4d")
    deliveries = await console.run_line(":advance 15h")
    assert digest_posts(deliveries) == []
    deliveries = await console.run_line(":advance 1h")
    (post,) = digest_posts(deliveries)
    assert post.recipient == "#owners" and post.key == "digest:1:2026-W48"
    assert "Nov 16, 2026 – Nov 22, 2026" in post.text
    assert "Sessions this week: 2 (1 h 45)" in post.text

    # A restart later that Monday: the new process finds the week's digest already posted.
    restarted = make_console(clock=VirtualClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)))
    deliveries = await restarted.run_line(":advance 6h")
    assert digest_posts(deliveries) == []

    # Three weeks on, alice & bob have been quiet for 25 days: the digest says what to do.
    deliveries = await restarted.run_line(":advance 20d")
    deliveries += await restarted.run_line(":advance 20h")
    posts = digest_posts(deliveries)
    assert [p.key for p in posts] == [
        "digest:1:2026-W49",
        "digest:1:2026-W50",
        "digest:1:2026-W51",
    ]
    last = posts[-1].text
    assert "Pairs needing attention (2):" in last
    assert "alice & bob: quiet for 25 days: suggest a date for their next session" in last


async def test_export_follows_the_privacy_rules(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    now = console.clock.now()
    report = await export.build(uow_factory, "Pilot", now)
    sessions = [(r.mentor, r.mentee, r.minutes) for r in report.rows.sessions]
    assert sessions == [("alice", "bob", 45), ("dan", "erin", 60)]
    people = {r.name: r for r in report.rows.participants}
    assert sorted(people) == ["alice", "bob", "dan", "erin"]
    assert (people["bob"].feedback_given, people["bob"].usefulness_given) == (1, 4.0)
    assert (people["alice"].sessions, people["alice"].minutes) == (1, 45)
    assert report.kpis.sessions_total == 2
    # Two people wrote what they learnt, anonymously: withheld.
    assert report.rows.learnt == () and report.rows.learnt_withheld
    data = json.loads(export.to_json(report))
    assert data["participation"][0]["name"] == "alice"
    assert "What SEO means" not in export.to_json(report)
    files = export.write_csv(report, tmp_path / "out")
    assert [f.name for f in files] == [
        "sessions.csv",
        "participation.csv",
        "kpis.csv",
        "learnt.csv",
        "skill_progress.csv",
        "what_changed.csv",
        "workshops.csv",
    ]
    with (tmp_path / "out" / "participation.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["name"] for row in rows] == ["alice", "bob", "dan", "erin"]

    # erin is forgotten: gone from the participation, her session kept without her name.
    await console.run_line("@erin /tandem forget-me")
    await console.run_line("@erin 1")
    report = await export.build(uow_factory, "Pilot", console.clock.now())
    assert sorted(r.name for r in report.rows.participants) == ["alice", "bob", "dan"]
    assert [(r.mentor, r.mentee) for r in report.rows.sessions] == [("alice", "bob"), ("dan", None)]
    assert "erin" not in export.to_json(report)


async def test_mood_trend_and_pairs_needing_attention(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    # Check-ins answered last week (alice 3, bob 3) and this week (alice 4, bob 3, erin 1), plus
    # one of dan's left unanswered.
    answers = {
        ("alice", 1): (datetime(2026, 11, 4, 10, tzinfo=UTC), 3),
        ("bob", 1): (datetime(2026, 11, 5, 10, tzinfo=UTC), 3),
        ("alice", 2): (datetime(2026, 11, 12, 10, tzinfo=UTC), 4),
        ("bob", 2): (datetime(2026, 11, 13, 10, tzinfo=UTC), 3),
        ("erin", 2): (datetime(2026, 11, 16, 10, tzinfo=UTC), 1),
        ("dan", 2): (datetime(2026, 11, 16, 10, tzinfo=UTC), None),
    }
    async with uow_factory() as uow:
        (program,) = await uow.programs_named("Pilot")
        assert program.id is not None
        people = {p.display_name: p for p in await uow.people_in_program(program.id)}
        for (name, period), (at, mood) in answers.items():
            person_id = people[name].id
            assert person_id is not None
            enrollment = await uow.enrollment_of(program.id, person_id)
            assert enrollment is not None and enrollment.id is not None
            uow.add(
                Checkin(
                    enrollment_id=enrollment.id,
                    period=period + 10,
                    due_at=at,
                    created_at=at,
                    status=CheckinStatus.ANSWERED if mood else CheckinStatus.EXPIRED,
                    answered_at=at if mood else None,
                    mood=mood,
                )
            )
        await uow.commit()
    (reply,) = await console.run_line("@hr /tandem digest now")
    text = reply.text
    # This week (11–17 November): (4 + 3 + 1) / 3 = 2.7; the week before: (3 + 3) / 2 = 3.0.
    assert "Check-in mood: 2.7/5 ↘ down from 3.0 (3 answers)" in text
    assert "Pairs needing attention (1):" in text
    assert "dan & erin: a low mood: a private word from you could help" in text
    assert "alice & bob" not in text


async def test_a_monday_without_any_tick_is_caught_up_once_that_week(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    await run_script(console, "digest_week_en.txt")
    # The bot is down from Sunday evening until Tuesday 10:00 (Paris): Monday's digest comes then.
    restarted = make_console(clock=VirtualClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)))
    deliveries = await restarted.run_line(":advance 1h")
    assert [p.key for p in digest_posts(deliveries)] == ["digest:1:2026-W48"]
    deliveries = await restarted.run_line(":advance 2d")
    assert digest_posts(deliveries) == []
