"""``/tandem program set holidays: FR closed: 2026-12-24..2027-01-01``: the days a program's
people are not written to (bot.scheduling.days_off)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain import Program
from bot.errors import UserError
from bot.scheduling.days_off import LONGEST_CLOSURE, is_known_country

# Clears the setting.
NOTHING = {"none", "no", "aucun", "aucune", "non", "-"}
DAYS_OFF_OPTIONS = ("holidays", "closed")


def parse_country(text: str) -> str | None:
    """An ISO 3166-1 alpha-2 country code (``FR``), or None for "none"."""
    word = text.strip()
    if word.lower() in NOTHING:
        return None
    if not (len(word) == 2 and word.isascii() and word.isalpha() and is_known_country(word)):
        raise UserError("errors.bad_holidays_country", value=text)
    return word.upper()


def parse_closures(text: str) -> tuple[tuple[date, date], ...]:
    """``2026-12-24..2027-01-01,2027-05-14``: days and ranges of days, both ends included."""
    if text.strip().lower() in NOTHING:
        return ()
    closures = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        first_text, _, last_text = part.partition("..")
        try:
            first = date.fromisoformat(first_text.strip())
            last = date.fromisoformat(last_text.strip()) if last_text else first
        except ValueError:
            raise UserError("errors.bad_closed_days", value=part) from None
        if last < first:
            raise UserError("errors.closed_days_backwards", value=part)
        if last - first >= LONGEST_CLOSURE:
            raise UserError("errors.closed_days_too_long", value=part, days=LONGEST_CLOSURE.days)
        closures.append((first, last))
    if not closures:
        raise UserError("errors.bad_closed_days", value=text)
    return tuple(sorted(closures))


def set_days_off(program: Program, options: dict[str, str]) -> None:
    """Apply the options given (each checked before anything changes)."""
    schedule: dict[str, Any] = dict(program.schedule or {})
    if "holidays" in options:
        country = parse_country(options["holidays"])
        if country is None:
            schedule.pop("holidays", None)
        else:
            schedule["holidays"] = country
    if "closed" in options:
        closures = parse_closures(options["closed"])
        if closures:
            schedule["closed"] = [[first.isoformat(), last.isoformat()] for first, last in closures]
        else:
            schedule.pop("closed", None)
    # A new dict: the change is seen, and every date of the program's people moves with it.
    program.schedule = schedule
