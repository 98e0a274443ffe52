"""Parsing of the values people type: durations, dates, times, cadences, time zones."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import UserError

_DURATION = re.compile(
    r"^(?:(?P<hours>\d{1,2})\s*h(?:ours?|eures?)?\s*(?P<rest>\d{1,2})?\s*(?:m|min|mn)?"
    r"|(?P<minutes>\d{1,3})\s*(?:m|min|mins|minutes?|mn)?)$",
    re.IGNORECASE,
)
_CADENCE = re.compile(r"^(?P<count>\d{1,2})\s*(?P<unit>d|j|w|s|m)$", re.IGNORECASE)
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
