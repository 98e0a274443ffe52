"""Parsing of the values people type: durations, dates, times, cadences, time zones."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.commands.months import month_named_date
from bot.errors import UserError

_HOUR_WORDS = r"h|hr|hrs|hours?|heures?"
_MINUTE_WORDS = r"m|mn|min|mins|minutes?"
_DURATION = re.compile(
    rf"^(?:(?P<hours>\d{{1,2}})\s*(?:{_HOUR_WORDS})\s*(?:(?P<rest>\d{{1,2}})\s*(?:{_MINUTE_WORDS})?)?"
    rf"|(?P<minutes>\d{{1,3}})\s*(?:{_MINUTE_WORDS})?)$",
    # ASCII digits only: \d would read other scripts' digits as numbers nobody typed.
    re.IGNORECASE | re.ASCII,
)
_UNIT_WORD = re.compile(rf"^(?:{_HOUR_WORDS}|{_MINUTE_WORDS})$", re.IGNORECASE | re.ASCII)
_ENDS_WITH_HOURS = re.compile(rf"(?:^|\d)(?:{_HOUR_WORDS})$", re.IGNORECASE | re.ASCII)
_CADENCE = re.compile(r"^(?P<count>\d{1,2})\s*(?P<unit>d|j|w|s|m)$", re.IGNORECASE | re.ASCII)
_CADENCE_DAYS = {"d": 1, "j": 1, "w": 7, "s": 7, "m": 30}
TODAY_WORDS = {"today", "aujourd'hui", "aujourdhui"}
YESTERDAY_WORDS = {"yesterday", "hier"}
MIN_SESSION_MINUTES = 5
MAX_SESSION_MINUTES = 8 * 60


def parse_duration(text: str) -> int:
    """``45m``, ``1h``, ``1h30``, ``90min``, ``1 heure``, ``45 minutes`` -> minutes, between 5
    minutes and 8 hours. Minutes after hours go up to 59: ``1h75`` is refused, not read as 2h15."""
    match = _DURATION.match(text.strip())
    if not match:
        raise UserError("errors.bad_duration", value=text)
    if match.group("minutes") is not None:
        minutes = int(match.group("minutes"))
    else:
        hours, rest = int(match.group("hours")), int(match.group("rest") or 0)
        if rest >= 60:
            total = hours * 60 + rest
            raise UserError(
                "errors.duration_minutes_over_59",
                value=text,
                minutes=rest,
                hours=total // 60,
                rest=total % 60,
                total=total,
            )
        minutes = hours * 60 + rest
    if not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
        raise UserError("errors.duration_out_of_range", value=text)
    return minutes


def is_duration_unit(word: str) -> bool:
    """``h``, ``heure``, ``minutes``…: a word that only makes sense after a number."""
    return bool(_UNIT_WORD.match(word.strip()))


def duration_continues(words: list[str], following: str) -> bool:
    """Whether ``following`` is still part of the duration ``words`` (``1 heure 30 min``)."""
    if len(words) >= 4:
        return False
    if is_duration_unit(following):
        return words[-1].isdigit()
    return following.isdigit() and len(following) <= 2 and bool(_ENDS_WITH_HOURS.search(words[-1]))


def parse_date(text: str, today: date) -> date:
    """ISO ``2026-11-20``, ``20/11/2026``, ``28 novembre 2026``, ``November 28, 2026``,
    ``today`` / ``yesterday`` (and their French words)."""
    cleaned = text.strip().lower().replace("’", "'")
    if cleaned in TODAY_WORDS:
        return today
    if cleaned in YESTERDAY_WORDS:
        return date.fromordinal(today.toordinal() - 1)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    named = month_named_date(cleaned, today)
    if named is not None:
        return named
    raise UserError("errors.bad_date", value=text)


# How far from today each kind of date may fall: beyond these a value is a typing mistake, and
# storing it would only break the date arithmetic of every later scheduler tick.
PROGRAM_DAYS_BACK = 366
PROGRAM_DAYS_AHEAD = 3 * 366
LONGEST_PAUSE = timedelta(days=366)


def parse_program_start(text: str, today: date) -> date:
    """A program's first day: within a year before today and three years after."""
    starts_on = parse_date(text, today)
    _within_program_window(text, starts_on, today)
    return starts_on


def parse_program_end(text: str, today: date, starts_on: date) -> date:
    """A program's last day: after its first one, within three years of today."""
    ends_on = parse_date(text, today)
    _within_program_window(text, ends_on, today)
    if ends_on <= starts_on:
        example = starts_on + timedelta(days=182)
        raise UserError(
            "errors.program_end_before_start", value=text, start=starts_on, example=example
        )
    return ends_on


def _within_program_window(text: str, day: date, today: date) -> None:
    earliest = today - timedelta(days=PROGRAM_DAYS_BACK)
    latest = today + timedelta(days=PROGRAM_DAYS_AHEAD)
    if not earliest <= day <= latest:
        raise UserError(
            "errors.program_date_out_of_range", value=text, earliest=earliest, latest=latest
        )


def parse_session_day(text: str, today: date, span: tuple[date, date]) -> date:
    """The day a session took place: not in the future, and within its program's span."""
    held_on = parse_date(text, today)
    if held_on > today:
        raise UserError("errors.date_in_future", value=text)
    if not span[0] <= held_on <= span[1]:
        raise UserError("errors.session_outside_program", value=text, start=span[0], end=span[1])
    return held_on


def parse_planned_day(text: str, today: date, span: tuple[date, date]) -> date:
    """The day of a session to come: today or later, and within its program's span."""
    day = parse_date(text, today)
    if day < today:
        raise UserError("errors.plan_in_past", value=text)
    if not span[0] <= day <= span[1]:
        raise UserError("errors.plan_outside_program", value=text, start=span[0], end=span[1])
    return day


def parse_pause_end(text: str, today: date) -> date:
    """The day a pause ends: after today, at most a year away."""
    until = parse_date(text, today)
    if until <= today:
        raise UserError("errors.pause_in_past", value=text)
    latest = today + LONGEST_PAUSE
    if until > latest:
        raise UserError("errors.pause_too_long", value=text, latest=latest)
    return until


_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?::(?P<minute>\d{2})|h(?P<after_h>\d{2})?)$", re.IGNORECASE | re.ASCII
)


def parse_time(text: str) -> time:
    """``14:00``, ``9:30``, ``14h``, ``9h30``; an hour past 23 or minutes past 59 are named."""
    match = _TIME.match(text.strip())
    if not match:
        raise UserError("errors.bad_time", value=text)
    hour = int(match.group("hour"))
    minute = int(match.group("minute") or match.group("after_h") or 0)
    if hour > 23:
        raise UserError("errors.time_hour_out_of_range", value=text, hour=hour)
    if minute > 59:
        raise UserError("errors.time_minutes_out_of_range", value=text, minute=minute)
    return time(hour, minute)


def parse_cadence(text: str) -> int:
    """``2w`` (or ``2s``), ``10d`` (or ``10j``), ``1m`` -> days between sessions."""
    match = _CADENCE.match(text.strip())
    if not match or int(match.group("count")) == 0:
        raise UserError("errors.bad_cadence", value=text)
    return int(match.group("count")) * _CADENCE_DAYS[match.group("unit").lower()]


def parse_positive_int(text: str, *, maximum: int) -> int:
    if not text.strip().isascii():
        raise UserError("errors.bad_number", value=text, maximum=maximum)
    try:
        value = int(text.strip())
    except ValueError:
        raise UserError("errors.bad_number", value=text, maximum=maximum) from None
    if not 1 <= value <= maximum:
        raise UserError("errors.bad_number", value=text, maximum=maximum)
    return value


def parse_timezone(text: str) -> str:
    name = text.strip()
    if name in available_timezones():
        return name
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("errors.bad_timezone", value=text) from None
    return name
