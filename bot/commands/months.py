"""Dates written with the month's name, in English and in French: ``28 novembre 2026``,
``1er déc. 2026``, ``November 28, 2026``, ``Nov 28``."""

from __future__ import annotations

import re
from datetime import date

from bot.commands.vocabulary import plain

_MONTHS = (
    ("january", "jan", "janvier", "janv"),
    ("february", "feb", "février", "fevrier", "févr", "fevr", "fév", "fev"),
    ("march", "mar", "mars"),
    ("april", "apr", "avril", "avr"),
    ("may", "mai"),
    ("june", "jun", "juin"),
    ("july", "jul", "juillet", "juil"),
    ("august", "aug", "août", "aout"),
    ("september", "sep", "sept", "septembre"),
    ("october", "oct", "octobre"),
    ("november", "nov", "novembre"),
    ("december", "dec", "décembre", "decembre", "déc"),
)
MONTH_NUMBERS = {plain(name): number for number, names in enumerate(_MONTHS, 1) for name in names}

_DAY = r"(?P<day>\d{1,2})(?:er|st|nd|rd|th)?"
_MONTH = r"(?P<month>[^\W\d_]+)\.?"
_YEAR = r"(?:\s+(?P<year>\d{4}))?"
_DAY_FIRST = re.compile(rf"^{_DAY}\s+{_MONTH}{_YEAR}$")
_MONTH_FIRST = re.compile(rf"^{_MONTH}\s+{_DAY}{_YEAR}$")
_DAY_NUMBER = re.compile(r"^\d{1,2}(?:er|st|nd|rd|th)?,?$")
_YEAR_NUMBER = re.compile(r"^\d{4}$")


def is_month(word: str) -> bool:
    return plain(word).rstrip(".,") in MONTH_NUMBERS


def month_named_date(text: str, today: date) -> date | None:
    """The date, or None when ``text`` is not written this way. Without a year, the date
    closest to today (``28 novembre`` typed in January is last November)."""
    cleaned = " ".join(plain(text).replace(",", " ").split())
    match = _DAY_FIRST.match(cleaned) or _MONTH_FIRST.match(cleaned)
    if match is None:
        return None
    month = MONTH_NUMBERS.get(match.group("month"))
    if month is None:
        return None
    day = int(match.group("day"))
    if match.group("year"):
        return _valid(int(match.group("year")), month, day)
    candidates = [_valid(today.year + shift, month, day) for shift in (-1, 0, 1)]
    found = [candidate for candidate in candidates if candidate is not None]
    return min(found, key=lambda candidate: abs(candidate - today)) if found else None


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_continues(words: list[str], following: str) -> bool:
    """Whether ``following`` is still part of the date ``words`` (``start: 28 novembre 2026``)."""
    if len(words) >= 3:
        return False
    last = words[-1]
    if is_month(following):
        return bool(_DAY_NUMBER.match(last))
    if _DAY_NUMBER.match(following):
        return is_month(last) and len(words) == 1
    return bool(_YEAR_NUMBER.match(following)) and (
        is_month(last) or (len(words) == 2 and is_month(words[0]))
    )
