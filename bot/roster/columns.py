"""What HR writes in a roster, in French or English, and what Tandem understands by it:
column headers, roles, languages, time zones and countries."""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo

from babel import Locale

from bot.errors import UserError

# Header words, compared without accents, case, spaces or punctuation.
HEADERS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "e-mail",
        "mail",
        "courriel",
        "adresse e-mail",
        "adresse email",
        "work email",
        "e-mail professionnel",
        "adresse mail",
    ),
    "name": (
        "display name",
        "name",
        "full name",
        "nom",
        "nom complet",
        "nom affiche",
        "prenom nom",
        "nom d'affichage",
    ),
    "role": ("role", "rôle"),
    "department": ("department", "dept", "service", "departement", "direction", "team", "equipe"),
    "manager": (
        "manager email",
        "manager e-mail",
        "manager",
        "e-mail du manager",
        "courriel du manager",
        "email du manager",
        "responsable",
        "email manager",
        "courriel manager",
    ),
    "language": ("language", "langue", "lang"),
    "timezone": ("time zone", "timezone", "tz", "fuseau", "fuseau horaire"),
    "country": ("country", "pays", "country code", "code pays"),
}
ROLES: dict[str, str] = {
    "mentor": "mentor",
    "mentors": "mentor",
    "tuteur": "mentor",
    "tutrice": "mentor",
    "mentee": "mentee",
    "mentees": "mentee",
    "mentore": "mentee",
    "mentoree": "mentee",
    "mentores": "mentee",
    "mentorees": "mentee",
    "either": "either",
    "both": "either",
    "any": "either",
    "": "either",
    "indifferent": "either",
    "indifferente": "either",
    "les deux": "either",
    "l'un ou l'autre": "either",
}
LANGUAGES: dict[str, str] = {
    "fr": "fr",
    "francais": "fr",
    "french": "fr",
    "fr-fr": "fr",
    "en": "en",
    "anglais": "en",
    "english": "en",
    "en-us": "en",
    "en-gb": "en",
}
# "GMT+1", "UTC+01:00", "UTC-5": a fixed offset, which does not follow daylight saving time.
_OFFSET = re.compile(r"^(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
# An apostrophe is a letter of many names (o'brien@…); a domain has none.
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+$")
MAX_EMAIL = 320
MAX_NAME = 200
MAX_DEPARTMENT = 200


def folded(text: str) -> str:
    """Lower case, without accents nor surrounding spaces: ``Mentoré `` -> ``mentore``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", folded(text))


_HEADER_FIELDS = {_header_key(word): name for name, words in HEADERS.items() for word in words}


def column_positions(headers: list[str]) -> dict[str, int]:
    """field -> its column; refuses a file without an e-mail column (nothing to go by)."""
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = _HEADER_FIELDS.get(_header_key(header))
        if name is not None and name not in positions:
            positions[name] = index
    if "email" not in positions:
        raise UserError("roster.no_email_column", headers=[h for h in headers if h][:12])
    return positions


def email_of(text: str) -> str | None:
    """The address, lower-cased, or None when it is not one."""
    value = text.strip().removeprefix("mailto:").strip().lower()
    if len(value) > MAX_EMAIL or not EMAIL.match(value):
        return None
    return value


def role_of(text: str) -> str | None:
    return ROLES.get(folded(text))


def language_of(text: str) -> str | None:
    return LANGUAGES.get(folded(text))


@functools.cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in zoneinfo.available_timezones()}


def zone_of(text: str) -> str | None:
    """The IANA zone written (any case), or None; an offset is not one (see ``is_offset``)."""
    value = text.strip().replace(" ", "_")
    if _OFFSET.match(text.strip()):
        return None
    return _zones().get(value.lower())


def is_offset(text: str) -> bool:
    return bool(_OFFSET.match(text.strip()))


@functools.cache
def _countries() -> dict[str, str]:
    """ISO 3166 codes, and the countries' names in English and French, -> the code."""
    known: dict[str, str] = {}
    for language in ("en", "fr"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                known[code.lower()] = code
                known[folded(name)] = code
    return known


def country_of(text: str) -> str | None:
    return _countries().get(folded(text))
