"""How dates, times, time zones and counts are written in each language: the template filters.

Everything comes from babel's locale data (CLDR): the order of date and time, the 12- or 24-hour
clock, the zone's city and how a zone is named, the plural rules. Times never show seconds, and
a zone is named by its city ("8:00 PM (Paris Time)", "20:00 (heure : Paris)"), not by its long
name ("Central European Standard Time").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_location
from babel.numbers import format_decimal

Zone = str | tzinfo
# A locale name ("fr") or babel's parsed locale: the template filters hold one parsed once,
# since babel parses a name again at every call (a third of a date's formatting time).
LocaleLike = str | Locale


def _zone_info(zone: Zone) -> tzinfo:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def _aware(value: datetime) -> datetime:
    # Naive datetimes in the engine are UTC (the database stores UTC).
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def zone_name(zone: Zone, locale: LocaleLike) -> str:
    """The zone as people name it: "Paris Time" / "heure : Paris", or "UTC"."""
    city = get_timezone_location(_zone_info(zone), locale=locale, return_city=True)
    if city == "UTC":
        return city
    region_format: str = Locale.parse(locale).zone_formats["region"]
    return region_format % city


def time_of_day(value: datetime, zone: Zone, locale: LocaleLike) -> str:
    """Hours and minutes on the zone's clock: "8:00 PM", "20:00"."""
    local = _aware(value).astimezone(_zone_info(zone))
    return format_time(local, format="short", tzinfo=None, locale=locale)


def date_and_time(
    value: datetime, zone: Zone, locale: LocaleLike, date_format: str = "medium"
) -> str:
    """The date in ``date_format`` (short, medium, long, full), the time without seconds, and
    the zone: "Wednesday, November 18, 2026, 8:00 PM (Paris Time)"."""
    local = _aware(value).astimezone(_zone_info(zone))
    # Babel's own way of joining a date and a time ("{1}, {0}"), with seconds left out.
    pattern = str(get_datetime_format(date_format, locale=locale)).replace("'", "")  # type: ignore[arg-type]
    moment = pattern.replace("{0}", time_of_day(local, zone, locale)).replace(
        "{1}", format_date(local.date(), format=date_format, locale=locale)
    )
    return f"{moment} ({zone_name(zone, locale)})"


def day(value: date | datetime, locale: LocaleLike, date_format: str = "long") -> str:
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=date_format, locale=locale)


def is_singular(count: float, locale: LocaleLike) -> bool:
    """Babel's plural rule: 1 in English; 0 and 1 (and 1.5) in French."""
    return bool(Locale.parse(locale).plural_form(abs(count)) == "one")


def plural_filters(locale: LocaleLike) -> dict[str, Callable[..., str]]:
    """``n|plural("pair", "pairs")`` gives the word; ``n|count("pair", "pairs")`` the number
    (written the locale's way) and the word."""
    locale = Locale.parse(locale)

    def plural(count: float, one: str, other: str) -> str:
        return one if is_singular(count, locale) else other

    def count(number: float, one: str, other: str) -> str:
        return f"{format_decimal(number, locale=locale)} {plural(number, one, other)}"

    return {"plural": plural, "count": count}


def date_filters(locale: LocaleLike) -> dict[str, Callable[..., str]]:
    locale = Locale.parse(locale)

    def render_date(value: date | datetime, date_format: str = "long") -> str:
        return day(value, locale, date_format)

    def render_datetime(value: datetime, zone: Zone = "UTC", date_format: str = "medium") -> str:
        return date_and_time(value, zone, locale, date_format)

    def render_time(value: datetime, zone: Zone = "UTC") -> str:
        return time_of_day(value, zone, locale)

    def render_zone(zone: Zone) -> str:
        return zone_name(zone, locale)

    def render_country(code: str) -> str:
        """A country's name from its ISO code, in the reader's language (FR: France)."""
        return str(locale.territories.get(code.upper(), code))

    def render_clock(value: time) -> str:
        """A wall-clock time with no day or zone (working hours: 9:00 AM, 09:00)."""
        return format_time(value, format="short", locale=locale)

    def render_typed(value: datetime | time) -> str:
        """A time as commands take it, whatever the language: 08:30, 17:00."""
        return f"{value.hour:02d}:{value.minute:02d}"

    filters: dict[str, Callable[..., Any]] = {
        "typed_time": render_typed,
        "date": render_date,
        "datetime": render_datetime,
        "time": render_time,
        "zone": render_zone,
        "clock": render_clock,
        "country": render_country,
    }
    return filters
