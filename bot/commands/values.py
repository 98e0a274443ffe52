"""Parsing of the values people type: durations, dates, times, cadences, time zones."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import UserError

_DURATION = re.compile(
    r"^(?:(?P<hours>\d{1,2})\s*h(?:ours?|eures?)?\s*(?P<rest>\d{1,2})?\s*(?:m|min|mn)?"
    r"|(?P<minutes>\d{1,3})\s*(?:m|min|mins|minutes?|mn)?)$",
    # ASCII digits only: \d would read other scripts' digits as numbers nobody typed.
    re.IGNORECASE | re.ASCII,
)
_CADENCE = re.compile(r"^(?P<count>\d{1,2})\s*(?P<unit>d|j|w|s|m)$", re.IGNORECASE | re.ASCII)
_CADENCE_DAYS = {"d": 1, "j": 1, "w": 7, "s": 7, "m": 30}
TODAY_WORDS = {"today", "aujourd'hui", "aujourdhui"}
YESTERDAY_WORDS = {"yesterday", "hier"}
MIN_SESSION_MINUTES = 5
MAX_SESSION_MINUTES = 8 * 60


def parse_duration(text: str) -> int:
    """``45m``, ``1h``, ``1h30``, ``90min`` -> minutes, between 5 minutes and 8 hours."""
    match = _DURATION.match(text.strip())
    if not match:
        raise UserError("errors.bad_duration", value=text)
    if match.group("minutes") is not None:
        minutes = int(match.group("minutes"))
    else:
        minutes = int(match.group("hours")) * 60 + int(match.group("rest") or 0)
    if not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
        raise UserError("errors.duration_out_of_range", value=text)
    return minutes


def parse_date(text: str, today: date) -> date:
    """ISO ``2026-11-20``, ``20/11/2026``, ``today`` / ``yesterday`` (and their French words)."""
    cleaned = text.strip().lower()
    if cleaned in TODAY_WORDS:
        return today
    if cleaned in YESTERDAY_WORDS:
        return date.fromordinal(today.toordinal() - 1)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
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


def parse_time(text: str) -> time:
    cleaned = text.strip().lower().replace("h", ":")
    if cleaned.endswith(":"):
        cleaned += "00"
    try:
        return time.fromisoformat(cleaned if len(cleaned) > 4 else cleaned.zfill(5))
    except ValueError:
        raise UserError("errors.bad_time", value=text) from None


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
