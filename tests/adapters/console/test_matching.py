"""Matching through the console, as an owner and participants live it (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest

from adapters.console.session import ConsoleSession

from .conftest import ConsoleFactory, run_script, said

PARTICIPANTS = ("alice", "dan", "carl", "gus", "bob", "erin", "fay", "hank")


@pytest.fixture
async def cohort(console: ConsoleSession) -> ConsoleSession:
    await run_script(console, "matching_en.txt")
    return console


async def test_proposal_explains_each_pair_and_tells_nobody(cohort: ConsoleSession) -> None:
    before = {name: len(cohort.received_by(name)) for name in PARTICIPANTS}

    deliveries = await cohort.run_line("@hr /tandem match")

    assert {d.recipient for d in deliveries} == {"hr"}
    text = deliveries[0].text
    assert "a dry run: nobody has been told anything" in text
    assert "2 pairs" in text
    # alice is the only mentor bob (French only) can talk with; erin avoids dan, so carl.
    assert "alice (mentor) → bob (mentee)" in text
    assert "carl (mentor) → erin (mentee)" in text
    # The explanation: top topics with both levels, the goal, what was checked, the score.
    assert (
        "Social networks and personal branding (LinkedIn, X, Instagram) "
        "(alice 5/5, bob priority 5/5)"
    ) in text
    assert "bob's goal: skill up on the tools" in text
    assert "In return bob can teach: Public speaking (3/5)" in text
    assert "Checked: a shared language, at least 2 h of working time in common" in text
    assert "score " in text and "/100" in text
    # Everyone else is listed with a reason, never silently dropped.
    assert "• fay (mentee): every compatible mentor is full (1 mentee each)" in text
    assert "• hank (mentee): no compatible mentor" in text
    assert "• gus (mentor): no compatible mentee" in text
    assert "• dan (mentor): no compatible mentee" in text
    # Nobody but the owner heard of it.
    assert {name: len(cohort.received_by(name)) for name in PARTICIPANTS} == before


async def test_swap_exclude_rerun_then_approve(cohort: ConsoleSession) -> None:
    await cohort.run_line("@hr /tandem match")
    start = {name: len(cohort.received_by(name)) for name in PARTICIPANTS}

    answer = await said(cohort, "@hr /tandem match swap @bob @fay")
    assert "bob and fay exchanged their partners" in answer
    assert "alice (mentor) → fay (mentee)" in answer
    assert "• bob (mentee): every compatible mentor is full" in answer

    refused = await said(cohort, "@hr /tandem match swap @alice @carl")
    assert "I can't swap alice and carl" in refused
    assert "carl → fay: the mentor teaches none of the topics the mentee wants" in refused
    assert "The proposal is unchanged" in refused

    answer = await said(cohort, "@hr /tandem match exclude @carl")
    assert "Left out of the proposal: carl" in answer
    assert "carl (mentor) →" not in answer
    assert "• erin (mentee):" in answer

    answer = await said(cohort, "@hr /tandem match rerun")
    assert "still without carl" in answer
    assert "carl (mentor) →" not in answer

    before = {name: len(cohort.received_by(name)) for name in PARTICIPANTS}
    # Swaps, exclusions and reruns are between the owner and the bot.
    assert before == start
    answer = await said(cohort, "@hr /tandem match approve")
    assert "Approved: 1 pair created" in answer
    assert "Left out by you, and told nothing: carl" in answer
    # gus works in Los Angeles: his message waits for his working hours.
    await cohort.run_line(":advance 12h")
    received = {name: cohort.received_by(name)[before[name] :] for name in PARTICIPANTS}
    # The pair of the rerun (alice with bob, the better fit) got its kickoff, and only then.
    assert any(t.startswith("Meet your mentee: bob") for t in received["alice"])
    assert any(t.startswith("Meet your mentor: alice") for t in received["bob"])
    # The unmatched are told kindly, once; the excluded are told nothing.
    for name in ("dan", "gus", "erin", "fay", "hank"):
        kind = [t for t in received[name] if "Thank you for your patience" in t]
        assert len(kind) == 1, name
        assert "you stay in the program" in kind[0].lower()
    assert received["carl"] == []
    assert "Partner: bob" in await said(cohort, "@alice /tandem status")
    # The proposal is used up: approving again needs a new one.
    assert "There is no matching proposal under review" in await said(
        cohort, "@hr /tandem match approve"
    )


async def test_a_private_avoidance_is_honoured_and_never_revealed(cohort: ConsoleSession) -> None:
    proposal = await said(cohort, "@hr /tandem match")
    assert "dan (mentor) → erin" not in proposal

    refused = await said(cohort, "@hr /tandem match swap @carl @dan")
    assert "dan → erin: a confidential reason" in refused
    assert "avoid" not in refused.lower() and "asked" not in refused.lower()

    await cohort.run_line("@hr /tandem match approve")
    # dan was never told, in any message, that erin does not want to be paired with him.
    for text in cohort.received_by("dan"):
        assert "erin" not in text and "avoid" not in text.lower() and "confidential" not in text
    # dan cannot find out through the commands he has either.
    for line in ("@dan /tandem avoid", "@dan /tandem status", "@dan /tandem my-data"):
        assert "erin" not in await said(cohort, line), line
    # erin sees her own list (in her data export too), and can take dan off it.
    assert "dan" in await said(cohort, "@erin /tandem avoid")
    export = await said(cohort, "@erin /tandem my-data")
    assert '"people_you_asked_not_to_be_paired_with": [\n    "dan"\n  ]' in export
    assert "Removed from your private list: dan" in await said(
        cohort, "@erin /tandem avoid remove @dan"
    )
    assert "Your private list is empty" in await said(cohort, "@erin /tandem avoid")


async def test_only_owners_match(cohort: ConsoleSession) -> None:
    for line in (
        "@alice /tandem match",
        "@bob /tandem match approve",
        "@erin /tandem match settings capacity=3",
    ):
        assert "Only the program's owners can do this" in await said(cohort, line), line
    assert "capacity=1" in await said(cohort, "@hr /tandem match settings")
    # Nothing was proposed or created on their behalf.
    assert "There is no matching proposal under review" in await said(
        cohort, "@hr /tandem match approve"
    )


async def test_capacity_setting_lets_a_mentor_take_two(cohort: ConsoleSession) -> None:
    answer = await said(cohort, "@hr /tandem match settings capacity=2")
    assert "capacity=2" in answer
    proposal = await said(cohort, "@hr /tandem match")
    assert "alice (mentor) → bob (mentee)" in proposal
    assert "alice (mentor) → fay (mentee)" in proposal
    assert "up to 2 mentees per mentor" in proposal
    assert "is not a matching setting" not in proposal
    bad = await said(cohort, "@hr /tandem match settings capacity=50")
    assert '"50" does not fit capacity: expected 1 … 10' in bad
    unknown = await said(cohort, "@hr /tandem match settings colour=blue")
    assert 'There is no matching setting called "colour"' in unknown
    assert "capacity=1" in await said(cohort, "@hr /tandem match settings reset")


async def test_same_reporting_line_is_never_proposed(cohort: ConsoleSession) -> None:
    assert "your manager is alice" in await said(cohort, "@bob /tandem manager @alice")
    proposal = await said(cohort, "@hr /tandem match")
    assert "→ bob (mentee)" not in proposal
    assert "• bob (mentee): no compatible mentor" in proposal
    refused = await said(cohort, "@hr /tandem match swap @bob @fay")
    assert "alice → bob: they are in the same reporting line" in refused
    assert "no longer recorded" in await said(cohort, "@bob /tandem manager none")
    assert "No manager recorded" in await said(cohort, "@bob /tandem manager")


async def test_second_round_matches_late_joiners_among_the_unpaired(
    cohort: ConsoleSession,
) -> None:
    await cohort.run_line("@hr /tandem match")
    await cohort.run_line("@hr /tandem match approve")
    # kim joins late, as a mentor who teaches AI: fay wanted it.
    await cohort.run_line("@hr /tandem invite @kim")
    for line in ("/tandem language en", "1", "9:5", "none", "Teach", "en", "HR", "Any", "ok"):
        await cohort.run_line(f"@kim {line}")
    proposal = await said(cohort, "@hr /tandem match")
    assert "kim (mentor) → fay (mentee)" in proposal
    # Those paired in the first round are not candidates any more.
    assert "alice" not in proposal and "bob" not in proposal and "carl (mentor)" not in proposal
    assert "alice is not among the people to match" in await said(
        cohort, "@hr /tandem match exclude @alice"
    )


async def test_people_paired_in_an_earlier_program_are_not_paired_again(
    make_console: ConsoleFactory,
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    # A second program with the same people; alice and bob were a pair in the first.
    await console.run_line('@hr /tandem program new "Second" sessions: 4')
    await console.run_line("@hr /tandem invite @alice @bob")
    for name, role in (("alice", "mentor"), ("bob", "mentee")):
        await console.run_line(f"@{name} /tandem join {role} Second")
    for line in ("1:4 9:5", "none", "Explain", "fr, en", "Marketing", "Mornings", "ok"):
        await console.run_line(f"@alice {line}")
    for line in ("none", "1:5", "Post", "fr", "Finance", "Afternoons", "ok"):
        await console.run_line(f"@bob {line}")
    proposal = await said(console, '@hr /tandem match program: "Second"')
    assert "alice (mentor) → bob" not in proposal
    assert "• bob (mentee): no compatible mentor" in proposal
    assert "• alice (mentor): no compatible mentee" in proposal


async def test_mistakes_get_a_clear_answer(cohort: ConsoleSession) -> None:
    assert 'Did you mean "/tandem match swap"' in await said(
        cohort, "@hr /tandem match swp @alice @dan"
    )
    assert "There is no matching proposal under review" in await said(
        cohort, "@hr /tandem match swap @alice @dan"
    )
    await cohort.run_line("@hr /tandem match")
    assert "not on the same side" in await said(cohort, "@hr /tandem match swap @alice @bob")
    assert "Name two different mentors" in await said(cohort, "@hr /tandem match swap @alice")
    assert "Neither dan nor gus has a partner" in await said(
        cohort, "@hr /tandem match swap @dan @gus"
    )
    assert "zoe is not among the people to match" in await said(
        cohort, "@hr /tandem match exclude @zoe"
    )
    assert "You can't be paired with yourself" in await said(cohort, "@erin /tandem avoid @erin")


async def test_a_proposal_that_went_stale_is_not_approved_blindly(cohort: ConsoleSession) -> None:
    await cohort.run_line("@hr /tandem match")
    # bob pauses after the proposal: approving must not pair him.
    await cohort.run_line("@bob /tandem pause")
    answer = await said(cohort, "@hr /tandem match approve")
    assert "Nothing was approved" in answer
    assert "No longer available since the proposal" in answer and "bob" in answer
    assert not any("Meet your" in t for t in cohort.received_by("alice"))
    answer = await said(cohort, "@hr /tandem match approve")
    assert "Approved: 1 pair created" in answer


async def test_someone_who_joined_since_the_proposal_is_shown_before_approval(
    cohort: ConsoleSession,
) -> None:
    await cohort.run_line("@hr /tandem match")
    await cohort.run_line("@hr /tandem invite @kim")
    for line in ("/tandem language en", "1", "9:5", "none", "Teach", "en", "HR", "Any", "ok"):
        await cohort.run_line(f"@kim {line}")
    answer = await said(cohort, "@hr /tandem match approve")
    assert "Nothing was approved" in answer
    assert "New since the proposal (joined, came back or finished their profile): kim" in answer
    assert not any("Thank you for your patience" in t for t in cohort.received_by("kim"))
    answer = await said(cohort, "@hr /tandem match rerun")
    assert "kim (mentor) → fay (mentee)" in answer
    assert "Approved: 3 pairs created" in await said(cohort, "@hr /tandem match approve")


async def test_matching_in_french(make_console: ConsoleFactory) -> None:
    console = make_console(locale="fr")
    await run_script(console, "matching_en.txt")
    for name in ("hr", *PARTICIPANTS):
        await console.run_line(f"@{name} /tandem language fr")
    proposal = await said(console, "@hr /tandem match")
    assert "Proposition de binômes pour « Pilot » — une simulation" in proposal
    assert "alice (mentor) → bob (mentoré)" in proposal
    assert "Vérifié : une langue commune" in proposal
    assert "• hank (mentoré) : aucun mentor compatible" in proposal
    approved = await said(console, "@hr /tandem match approve")
    assert "Approuvé : 2 binômes créés" in approved
    assert any("Merci pour votre patience" in t for t in console.received_by("fay"))


@pytest.mark.parametrize("database_backend", ["postgresql"], indirect=True)
async def test_two_owners_approving_at_once_create_the_pairs_once(
    make_console: ConsoleFactory,
) -> None:
    first = make_console()
    await run_script(first, "matching_en.txt")
    await first.run_line("@hr /tandem owners add @hr2")
    await first.run_line("@hr /tandem match")
    second = make_console()
    await second.run_line("@hr2 /tandem language en")

    answers = await asyncio.gather(
        said(first, "@hr /tandem match approve"), said(second, "@hr2 /tandem match approve")
    )

    assert sum("Approved: 2 pairs created" in answer for answer in answers) == 1
    assert sum("There is no matching proposal under review" in a for a in answers) == 1
    status = await said(first, "@alice /tandem status")
    assert "Partner: bob" in status
    kickoffs = [t for t in first.transcript + second.transcript if t.recipient == "alice"]
    assert sum(d.text.startswith("Meet your mentee") for d in kickoffs) == 1
