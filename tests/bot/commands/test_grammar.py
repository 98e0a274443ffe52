"""The command grammar shared by every platform."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands.grammar import parse
from bot.commands.values import parse_cadence, parse_date, parse_duration, parse_time
from bot.errors import UserError


def test_one_line_session_log_from_the_product_brief() -> None:
    command = parse(
        '/session log 45m "LinkedIn basics, privacy settings" next: "post a first article" '
        "date: 2026-11-20"
    )
    assert (command.root, command.verb) == ("session", "log")
    assert command.args == ("45m", "LinkedIn basics, privacy settings")
    assert command.options == {"next": "post a first article", "date": "2026-11-20"}


@pytest.mark.parametrize(
    "line",
    ["/tandem status", "tandem status", "status", "/TANDEM Status", "  /tandem   status  "],
)
def test_slash_and_root_are_optional(line: str) -> None:
    command = parse(line)
    assert (command.root, command.verb) == ("tandem", "status")


def test_smart_quotes_and_french_option_names() -> None:
    command = parse("/session log 1h “Réseaux sociaux” prochain: «publier un post» le: hier")
    assert command.args == ("1h", "Réseaux sociaux")
    assert command.options == {"next": "publier un post", "date": "hier"}


def test_program_new_with_its_options() -> None:
    command = parse('/tandem program new "Digital Pioneers" sessions: 8 every: 3w length: 45m')
    assert command.sub == "new" and command.args == ("Digital Pioneers",)
    assert command.options == {"sessions": "8", "every": "3w", "length": "45m"}
    assert command.is_owner_command


@pytest.mark.parametrize(
    ("line", "message_id"),
    [
        ("/tandme status", "errors.unknown_command"),
        ("/tandem statsu", "errors.unknown_verb"),
        ("/tandem program", "errors.missing_sub"),
        ('/session log 45m "oops', "errors.unbalanced_quotes"),
        ("/session log 45m next:", "errors.option_without_value"),
        ('/session log 45m "a" date: 2026-01-01 date: 2026-01-02', "errors.option_twice"),
    ],
)
def test_errors_name_what_is_wrong(line: str, message_id: str) -> None:
    with pytest.raises(UserError) as raised:
        parse(line)
    assert raised.value.message_id == message_id


def test_unknown_verb_suggests_the_closest() -> None:
    with pytest.raises(UserError) as raised:
        parse("/tandem statsu")
    assert raised.value.variables["suggestion"] == "status"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45m", 45),
        ("1h", 60),
        ("1h30", 90),
        ("90min", 90),
        ("2h15m", 135),
        ("30", 30),
        ("1 h 30", 90),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "4x5", "1.5h", "9h", "2m", "-5m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UserError):
        parse_duration(text)


def test_dates_times_and_cadences() -> None:
    today = date(2026, 11, 18)
    assert parse_date("2026-11-20", today) == date(2026, 11, 20)
    assert parse_date("20/11/2026", today) == date(2026, 11, 20)
    assert parse_date("hier", today) == date(2026, 11, 17)
    assert parse_date("Today", today) == today
    assert parse_time("14:00").hour == 14
    assert parse_time("9h30").minute == 30
    assert parse_cadence("2w") == 14 and parse_cadence("10j") == 10 and parse_cadence("1m") == 30
    for bad in ("2026-13-01", "tomorrowish"):
        with pytest.raises(UserError):
            parse_date(bad, today)
    with pytest.raises(UserError):
        parse_cadence("0w")


@pytest.mark.parametrize(
    ("line", "topic"),
    [
        ("/session log 45m 'l'IA générative'", "l'IA générative"),
        ("/session log 45m ‘l’IA générative’", "l’IA générative"),
        ("/session log 45m « l'IA générative »", "l'IA générative"),
        ("/session log 45m “l'IA générative”", "l'IA générative"),
        ("/session log 45m l'IA", "l'IA"),
    ],
)
def test_single_and_typographic_quotes_keep_apostrophes_as_typed(line: str, topic: str) -> None:
    assert parse(line).args == ("45m", topic)


@pytest.mark.parametrize(
    ("line", "option"),
    [
        ('/tandem program new "Alpha" colour: blue', "colour"),
        ('/tandem program new "Alpha" prochaine: x', "prochaine"),
        ("/tandem status date: today", "date"),
        ("/session log 45m SEO: basics", "SEO"),
    ],
)
def test_an_option_the_command_does_not_take_is_refused(line: str, option: str) -> None:
    with pytest.raises(UserError) as raised:
        parse(line)
    assert raised.value.message_id == "errors.unknown_option"
    assert raised.value.variables["option"] == option


def test_quoted_colons_and_links_are_not_options() -> None:
    assert parse('/tandem program new "Q1: kickoff"').args == ("Q1: kickoff",)
    assert parse("/session log 45m https://example.org").args == ("45m", "https://example.org")
    assert parse("/tandem match settings capacity: 2").args == ("capacity:", "2")


def test_values_in_words_stay_with_their_option() -> None:
    command = parse('/tandem program new "Alpha" séances : 8 durée: 1 heure 30 début: 28 nov 2026')
    assert command.args == ("Alpha",)
    assert command.options == {"sessions": "8", "length": "1 heure 30", "start": "28 nov 2026"}


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("/tandem aide", "tandem help"),
        ("reprendre", "tandem resume"),
        ("/tandem quitter", "tandem leave"),
        ("/tandem programme nouveau X", "tandem program new"),
        ("/tandem appariement échanger @a @b", "tandem match swap"),
        ("/session noter 45m x", "session log"),
        ("/tandem oubliez-moi", "tandem forget-me"),
    ],
)
def test_french_command_words(line: str, name: str) -> None:
    assert parse(line).name == name


def test_suggestions_consider_both_languages() -> None:
    with pytest.raises(UserError) as raised:
        parse("/tandem aid")
    assert raised.value.variables == {
        "root": "tandem",
        "verb": "aid",
        "suggestion": "help",
        "suggestion_fr": "aide",
    }


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1 heure", 60), ("45 min", 45), ("2 hours", 120), ("1h 30 min", 90), ("1 heure 30", 90)],
)
def test_durations_in_words(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["1h75", "2h60", "1 heure 99"])
def test_minutes_after_hours_stop_at_59(text: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_duration(text)
    assert raised.value.message_id == "errors.duration_minutes_over_59"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("28 novembre 2026", date(2026, 11, 28)),
        ("November 28, 2026", date(2026, 11, 28)),
        ("1er déc. 2026", date(2026, 12, 1)),
        ("3 août 2027", date(2027, 8, 3)),
        ("Feb 2 2027", date(2027, 2, 2)),
        # Without a year, the closest such day.
        ("5 janvier", date(2027, 1, 5)),
        ("28 octobre", date(2026, 10, 28)),
    ],
)
def test_dates_with_month_names(text: str, day: date) -> None:
    assert parse_date(text, date(2026, 11, 18)) == day


@pytest.mark.parametrize(
    ("text", "message_id"),
    [("25:00", "errors.time_hour_out_of_range"), ("14h75", "errors.time_minutes_out_of_range")],
)
def test_times_name_the_part_out_of_range(text: str, message_id: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_time(text)
    assert raised.value.message_id == message_id


def test_a_word_after_an_option_of_program_new_is_not_added_to_the_name() -> None:
    with pytest.raises(UserError) as raised:
        parse('/tandem program new "Alpha" length: 45 minuts')
    assert raised.value.message_id == "errors.word_after_option"
    assert raised.value.variables == {"word": "minuts", "option": "length", "value": "45"}
    # Mentions after an option stay what they are elsewhere.
    assert parse("/tandem invite program: Pilot @alice").args == ("@alice",)
