"""Bad input gets a clear, localized answer saying how to do it right, and loses nothing."""

from __future__ import annotations

import pytest

from adapters.console.session import ConsoleSession

from .conftest import ConsoleFactory, run_script, said


@pytest.fixture
async def program(console: ConsoleSession) -> ConsoleSession:
    await run_script(console, "two_pairs_en.txt")
    return console


async def sessions_count(console: ConsoleSession, who: str) -> str:
    return await said(console, f"@{who} /tandem status")


async def test_unknown_command_suggests_the_closest(program: ConsoleSession) -> None:
    answer = await said(program, "@alice /tandem statuss")
    assert 'Did you mean "/tandem status"?' in answer
    assert "I don't know the command" in await said(program, "@alice /tandme status")


async def test_malformed_duration_explains_the_format_and_stores_nothing(
    program: ConsoleSession,
) -> None:
    answer = await said(program, '@alice /session log 45 minutes "LinkedIn"')
    assert "I don't know what to do with" in answer or "duration" in answer
    answer = await said(program, '@alice /session log 4x5 "LinkedIn"')
    assert '"4x5" is not a duration I understand. Write it like 45m, 1h, 1h30 or 90min.' in answer
    answer = await said(program, '@alice /session log 9h "LinkedIn"')
    assert "between 5 minutes and 8 hours" in answer
    assert "Sessions: 0 of 6 done" in await sessions_count(program, "alice")
    assert not [d for d in program.transcript if d.recipient == "bob" and "logged" in d.text]


async def test_date_in_the_future_is_refused(program: ConsoleSession) -> None:
    answer = await said(program, '@alice /session log 45m "SEO" date: 2026-12-24')
    assert "2026-12-24 is in the future" in answer
    assert "/session plan 2026-12-24 14:00" in answer
    assert "Sessions: 0 of 6 done" in await sessions_count(program, "alice")


async def test_missing_topics_and_unclosed_quotes(program: ConsoleSession) -> None:
    assert "give the duration and the topics" in await said(program, "@alice /session log 45m")
    assert "A quote is not closed" in await said(program, '@alice /session log 45m "SEO')


async def test_someone_elses_pair_stays_private(program: ConsoleSession) -> None:
    assert "You can only see your own tandem" in await said(program, "@dan /tandem status @bob")
    assert "You can only see your own tandem" in await said(program, "@erin /session list @alice")
    assert "You can only see your own tandem" in await said(program, "@erin /tandem charter @bob")
    # A partner and an owner may look.
    assert "Tandem of bob" in await said(program, "@alice /tandem status @bob")
    assert "Tandem of erin" in await said(program, "@hr /tandem status @erin")


async def test_owner_commands_are_refused_to_participants(program: ConsoleSession) -> None:
    for line in (
        "@alice /tandem pair @dan @bob",
        "@bob /tandem invite @zoe",
        "@erin /tandem owners add @erin",
        "@dan /tandem digest channel #general",
    ):
        assert "Only the program's owners can do this" in await said(program, line), line
    # Nothing changed: the pairs are intact and zoe was never invited.
    assert "Partner: bob" in await said(program, "@alice /tandem status")
    assert program.received_by("zoe") == []


async def test_only_admins_create_programs_when_admins_are_set(
    make_console: ConsoleFactory,
) -> None:
    console = make_console(admins=("hr",))
    assert "Only Tandem administrators" in await said(
        console, '@mallory /tandem program new "Shadow"'
    )
    assert "is created" in await said(console, '@hr /tandem program new "Official"')


async def test_abandoned_form_is_not_saved_and_can_start_again(program: ConsoleSession) -> None:
    await program.run_line("@alice /session log")
    await program.run_line("@alice 1h")
    answer = await said(program, "@alice /tandem status")
    assert "Your session log was not saved. Type /session log to start again." in answer
    assert "Sessions: 0 of 6 done" in answer
    await program.run_line("@alice /session log")
    for value in ("1h", "Dashboards", "-", "-"):
        await program.run_line(f"@alice {value}")
    assert "Sessions: 1 of 6 done (1 h in all)" in await sessions_count(program, "alice")


async def test_form_errors_come_back_on_each_field_as_it_is_answered(
    program: ConsoleSession,
) -> None:
    await program.run_line("@alice /session log")
    refused = await program.run_line("@alice ten minutes")
    assert [d.message.refused for d in refused] == [True]
    assert '"ten minutes" is not a duration' in refused[0].text
    # The duration is asked again, and what comes next lands in the right fields.
    for value in ("10m", "Dashboards", "-"):
        assert await said(program, f"@alice {value}") == ""
    assert "is in the future" in await said(program, "@alice 2030-01-01")
    assert "Sessions: 0 of 6 done" not in await said(program, "@alice today")
    assert "Sessions: 1 of 6 done (10 min in all)" in await sessions_count(program, "alice")
    assert "Dashboards" in await said(program, "@alice /session list")


async def test_abandoned_intake_keeps_the_previous_profile(program: ConsoleSession) -> None:
    await program.run_line("@bob /tandem profile")
    await program.run_line("@bob 1:2")
    answer = await said(program, "@bob /tandem status")
    assert "Profile: complete" in answer
    assert "Waiting for your answer:\n• your profile questionnaire" in answer
    data = await said(program, "@bob /tandem my-data")
    assert '"Social networks and personal branding (LinkedIn, X, Instagram)": 5' in data


async def test_bad_intake_answers_are_explained_and_asked_again(
    console: ConsoleSession,
) -> None:
    await console.run_line('@hr /tandem program new "Pilot"')
    await console.run_line("@hr /tandem invite @zoe")
    await console.run_line("@zoe /tandem language en")
    await console.run_line("@zoe 1")
    assert "There is no topic number 42" in await said(console, "@zoe 42:3")
    assert "A level of 9 is out of range" in await said(console, "@zoe 1:9")
    assert "I couldn't read" in await said(console, "@zoe lots")
    assert "Question 2/7" in await said(console, "@zoe 1:4")
    await console.run_line("@zoe none")
    await console.run_line("@zoe Explain")
    assert "is not a language code I know" in await said(console, "@zoe klingon")
    await console.run_line("@zoe en")
    await console.run_line("@zoe IT")
    await console.run_line("@zoe Mornings")
    assert "is not a time zone I know" in await said(console, "@zoe Mars/Olympus")
    assert "your profile is complete" in await said(console, "@zoe Asia/Singapore")


async def test_stale_buttons_and_gibberish(program: ConsoleSession) -> None:
    assert "I didn't understand that" in await said(program, "@alice blah blah")
    # The invitation was already answered: its buttons no longer work.
    invitation = next(d for d in program.transcript if d.recipient == "dan" and d.message.choices)
    clicked = await program.choose("dan", invitation.message.choices[1].value)
    assert "no longer valid" in "\n".join(d.text for d in clicked)


async def test_localized_errors_in_french(make_console: ConsoleFactory) -> None:
    console = make_console(locale="fr")
    answer = await said(console, "@paul /tandem statu")
    assert "n'est pas une commande que je connais" in answer
    # The French word is suggested to a French speaker (the English one works as well).
    assert 'Vouliez-vous dire "/tandem statut"' in answer
    assert "Un guillemet n'est pas fermé" in await said(console, '@paul /session log 45m "SEO')


async def test_help_lists_the_commands_and_details_one(make_console: ConsoleFactory) -> None:
    for locale, words, log, match, undo, plan, program in (
        ("en", "Here is what I can do", "log", "match", "undo", "plan", "program"),
        (
            "fr",
            "Voici ce que je sais faire",
            "noter",
            "appariement",
            "annuler",
            "planifier",
            "programme",
        ),
    ):
        console = make_console(locale=locale)
        overview = await said(console, "@ana /tandem help")
        assert words in overview and f"/session {log}" in overview
        assert f"/tandem {match}" in overview and f'{program}: "' in overview
        details = await said(console, "@ana /tandem help session")
        assert f"/session {undo}" in details and "15" in details
        assert f"/session {plan}" in await said(console, "@ana /session help")
        assert "/tandem pause" in await said(console, "@ana /tandem help pause")
