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
