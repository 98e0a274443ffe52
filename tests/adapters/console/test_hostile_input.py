"""Hostile and mistaken input, after a valid setup: every case gets a clear answer in the
person's language, saying how to do it right, and changes nothing in the database.

The program "Pilot" starts on the test's first day (Wednesday 2026-11-18) with six sessions
every two weeks, so it runs until 2027-02-10; alice (mentor) and bob (mentee) are a pair, hr
owns the program. The table covers the classes of defects seen in trials: dates beyond what
makes sense for each command, control characters, terminal escapes and bidirectional
overrides, overlong texts, malformed durations and values, unknown commands and options.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from adapters.console.session import ConsoleSession
from bot.text import MAX_TEXT
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.tables import dump

from .conftest import run_script, said

# What people read, and that nothing changes, are the engine's: SQLite is enough here, the
# storage under it being tested on both databases (tests/storage, the lifecycle tests).
pytestmark = pytest.mark.sqlite_only


@dataclass(frozen=True)
class Case:
    line: str
    # Words the answer must hold, in English and in French (each a tuple: all must appear).
    en: tuple[str, ...]
    fr: tuple[str, ...]

    def expected(self, locale: str) -> tuple[str, ...]:
        return self.en if locale == "en" else self.fr


def case(line: str, en: str | tuple[str, ...], fr: str | tuple[str, ...]) -> Case:
    return Case(line, (en,) if isinstance(en, str) else en, (fr,) if isinstance(fr, str) else fr)


OUT_OF_RANGE = ("too far from today", "between 2025-11-17 and 2029-11-20", "Nothing was changed")
HORS_LIMITES = ("trop loin d'aujourd'hui", "entre le 17/11/2025 et le 20/11/2029")
AFTER_START = ("is not after the program's start (2026-11-18)", "until: 2027-05-19")
APRES_DEBUT = ("n'est pas après le début du programme (18/11/2026)", "until: 19/05/2027")
IN_FUTURE = "is in the future: you can only log a session that took place"
DANS_FUTUR = "est dans le futur"
OUTSIDE = ("outside the program, which runs from 2026-11-18 to 2027-02-10", "Nothing was logged")
EN_DEHORS = ("en dehors du programme, qui va du 18/11/2026 au 10/02/2027",)
PLAN_OUTSIDE = ("outside the program", "/session plan 2027-02-10 14:00")
PLAN_EN_DEHORS = ("en dehors du programme", "/session plan 10/02/2027 14:00")
PLAN_PAST = "is already past"
PLAN_PASSE = "est déjà passé"
PAUSE_LONG = ("a pause lasts at most a year, until 2027-11-19", "/tandem leave")
PAUSE_LONGUE = ("une pause dure au plus un an, jusqu'au 19/11/2027",)
PAUSE_PAST = "is not in the future"
PAUSE_PASSEE = "n'est pas dans le futur"
BAD_DATE = "is not a date I understand"
MAUVAISE_DATE = "n'est pas une date que je comprends"
CONTROL = ("invisible control character", "Nothing was saved")
CONTROLE = ("caractère de contrôle invisible", "Rien n'a été enregistré")
TOO_LONG = "keep it under 2,000 characters"  # MAX_TEXT, written the English way
TROP_LONG = "ne dépassez pas 2\u202f000 caractères"  # MAX_TEXT, written the French way
BAD_DURATION = "is not a duration I understand"
MAUVAISE_DUREE = "n'est pas une durée que je comprends"
DURATION_RANGE = "between 5 minutes and 8 hours"
DUREE_LIMITES = "entre 5 minutes et 8 heures"
UNKNOWN = "I don't know the command"
INCONNUE = "Je ne connais pas la commande"

LOG = '@alice /session log 45m "SEO basics"'
NEW = '@hr /tandem program new "Second"'

DATES: list[Case] = [
    # A program's first day: within a year before today and three years after.
    *(
        case(f"{NEW} {option}: {value}", OUT_OF_RANGE, HORS_LIMITES)
        for option in ("start", "début")
        for value in (
            "0001-01-01",
            "9999-12-31",
            "1900-01-01",
            "2020-06-01",
            "2035-01-01",
            "01/01/0001",
            "31/12/9999",
        )
    ),
    # Its last day, when created and when changed later, in both option languages.
    *(
        case(f"{line} {option}: {value}", OUT_OF_RANGE, HORS_LIMITES)
        for line in (NEW, "@hr /tandem program set")
        for option in ("until", "fin", "end")
        for value in ("9999-12-31", "0001-01-01", "2040-01-01", "31/12/9999")
    ),
    case("@hr /tandem program set until: 2026-11-18", AFTER_START, APRES_DEBUT),
    case("@hr /tandem program set until: 2026-11-01", AFTER_START, APRES_DEBUT),
    case("@hr /tandem program set fin: aujourd'hui", AFTER_START, APRES_DEBUT),
    case("@hr /tandem program set until: yesterday", AFTER_START, APRES_DEBUT),
    case(f"{NEW} start: 2027-03-01 until: 2027-01-01", "is not after", "n'est pas après"),
    case("@hr /tandem program set until: 2026-13-45", BAD_DATE, MAUVAISE_DATE),
    case("@hr /tandem program set until: 2027-02-30", BAD_DATE, MAUVAISE_DATE),
    case("@hr /tandem program set until: someday", BAD_DATE, MAUVAISE_DATE),
    case(f"{NEW} start: 32/01/2027", BAD_DATE, MAUVAISE_DATE),
    case(f"{NEW} start: 2027-1-1x", BAD_DATE, MAUVAISE_DATE),
    # A session logged: not in the future, and within the program's span.
    *(
        case(f"{LOG} {option}: {value}", IN_FUTURE, DANS_FUTUR)
        for option in ("date", "le")
        for value in ("9999-12-31", "2026-12-24", "31/12/9999", "2027-01-05")
    ),
    *(
        case(f"{LOG} {option}: {value}", OUTSIDE, EN_DEHORS)
        for option in ("date", "le")
        for value in ("0001-01-01", "1970-01-01", "2026-11-17", "17/11/2026", "yesterday", "hier")
    ),
    case(f"{LOG} date: 2026-02-30", BAD_DATE, MAUVAISE_DATE),
    case(f"{LOG} date: 18-11-2026", BAD_DATE, MAUVAISE_DATE),
    # A session planned: to come, and within the span.
    *(
        case(f"@alice /session plan {value} 14:00", PLAN_OUTSIDE, PLAN_EN_DEHORS)
        for value in ("9999-12-31", "2027-06-01", "2030-01-01", "31/12/9999", "2027-02-11")
    ),
    *(
        case(f"@alice /session plan {value} 14:00", PLAN_PAST, PLAN_PASSE)
        for value in ("0001-01-01", "2026-11-17", "yesterday", "hier", "01/01/1970")
    ),
    case("@alice /session plan today 08:00", PLAN_PAST, PLAN_PASSE),
    case("@alice /session plan 2026-11-20 25:00", "is not a time", "n'est pas une heure"),
    case("@alice /session plan 2026-11-20 14h99", "is not a time", "n'est pas une heure"),
    case("@alice /session plan 2026-11-31 14:00", BAD_DATE, MAUVAISE_DATE),
    # A pause: at most a year.
    *(
        case(f"@bob /tandem pause until {value}", PAUSE_LONG, PAUSE_LONGUE)
        for value in ("9999-12-31", "2027-11-20", "2028-01-01", "31/12/9999", "2099-01-01")
    ),
    case("@bob /tandem pause jusqu'au 31/12/9999", PAUSE_LONG, PAUSE_LONGUE),
    case("@bob /tandem pause until: 9999-12-31", PAUSE_LONG, PAUSE_LONGUE),
    *(
        case(f"@bob /tandem pause until {value}", PAUSE_PAST, PAUSE_PASSEE)
        for value in ("0001-01-01", "yesterday", "today", "2026-11-18", "aujourd'hui")
    ),
    case("@bob /tandem pause until banana", BAD_DATE, MAUVAISE_DATE),
    case("@bob /tandem pause until 2027-02-29", BAD_DATE, MAUVAISE_DATE),
]

HOSTILE_CHARACTERS = {
    "nul": "\x00",
    "bell": "\x07",
    "backspace": "\x08",
    "escape": "\x1b[2J\x1b[31m",
    "delete": "\x7f",
    "c1 next line": "\x85",
    "c1 csi": "\x9b31m",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "pop directional": "\u202c",
    "first strong isolate": "\u2068",
    "right-to-left isolate": "\u2067",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
}

CHARACTERS: list[Case] = [
    *(
        case(f'@alice /session log 45m "SEO{bad}basics"', CONTROL, CONTROLE)
        for bad in HOSTILE_CHARACTERS.values()
    ),
    *(
        case(f'{NEW[:-1]}{bad}"', CONTROL, CONTROLE)
        for bad in ("\x00", "\x1b[31m", "\u202e", "\x08", "\u2066")
    ),
    *(
        case(f'@alice /session log 45m "SEO" next: "call{bad}"', CONTROL, CONTROLE)
        for bad in ("\x00", "\x1b]0;title\x07", "\u202d", "\x9b")
    ),
    case("@alice hello\x00", CONTROL, CONTROLE),
    case("@alice /tandem status\x00", CONTROL, CONTROLE),
    case("@alice /tandem\x1b[1m status", CONTROL, CONTROLE),
    case("@bob /tandem pause until 2026-12-01\x00", CONTROL, CONTROLE),
    case("@hr /tandem program set until: 2027-01-01\u202e", CONTROL, CONTROLE),
    case("@alice /session plan 2026-11-20\x07 14:00", CONTROL, CONTROLE),
]

LONG_TEXTS: list[Case] = [
    case(f'@alice /session log 45m "{"a" * 10_000}"', TOO_LONG, TROP_LONG),
    case(f'@alice /session log 45m "{"é" * (MAX_TEXT + 1)}"', TOO_LONG, TROP_LONG),
    case(f"@alice {'x' * 10_000}", TOO_LONG, TROP_LONG),
    case(f"@alice /tandem {'status' * 2_000}", TOO_LONG, TROP_LONG),
    case(f'{NEW[:-1]}{"n" * 5_000}"', TOO_LONG, TROP_LONG),
    case(f'@alice /session log 45m "{"b" * 600}"', "keep it under 500", "pas dépasser 500"),
    case(
        f'@alice /session log 45m "SEO" next: "{"c" * 501}"',
        "keep it under 500",
        "pas dépasser 500",
    ),
    case(f'{NEW[:-1]}{"n" * 201}"', "keep it under 200", "pas dépasser 200"),
    # What is echoed to say what is wrong is cut short.
    case(f"@hr /tandem program set until: {'9' * 1_000}", (BAD_DATE, "…"), (MAUVAISE_DATE, "…")),
    case(f'@alice /session log {"4" * 500}x "SEO"', (BAD_DURATION, "…"), (MAUVAISE_DUREE, "…")),
]

VALUES: list[Case] = [
    *(
        case(f'@alice /session log {value} "SEO"', BAD_DURATION, MAUVAISE_DUREE)
        for value in ("4x5", "1.5h", "-5m", "h", "1h30h", "90s", "½h", "١٢m", "45m45", "m45")
    ),
    *(
        case(f'@alice /session log {value} "SEO"', DURATION_RANGE, DUREE_LIMITES)
        for value in ("9h", "0m", "4m", "999m", "99h", "8h01")
    ),
    case('@alice /session log 45 minutes "SEO"', "I don't know what to do with", "Je ne sais pas"),
    case("@alice /session log 45m", "give the duration and the topics", "la durée et les sujets"),
    case('@alice /session log 45m "SEO', "A quote is not closed", "guillemet"),
    case('@alice /session log 45m ""', "Say what you talked about", "Dites de quoi"),
    case(f"{NEW} sessions: 0", "is not a number between 1 and 52", "n'est pas un nombre"),
    case(f"{NEW} sessions: 999", "is not a number between 1 and 52", "n'est pas un nombre"),
    case(f"{NEW} sessions: six", "is not a number between 1 and 52", "n'est pas un nombre"),
    case(f"{NEW} every: 0w", "is not a cadence", "n'est pas une fréquence"),
    case(f"{NEW} every: 5y", "is not a cadence", "n'est pas une fréquence"),
    case(f"{NEW} every: 999d", "is not a cadence", "n'est pas une fréquence"),
    case(f"{NEW} length: 10h", DURATION_RANGE, DUREE_LIMITES),
    case(f"{NEW} length: forever", BAD_DURATION, MAUVAISE_DUREE),
    case("@hr /tandem program set quotes: 1", "Give quotes: 3 or more", "Donnez quotes: 3 ou plus"),
    case("@hr /tandem program set quotes: 1000", "is not a number between 1 and 100", "nombre"),
    case("@hr /tandem program set", "until:", "until:"),
    case("@hr /tandem program set until:", "needs a value", "valeur"),
    case('@alice /session log 45m "SEO" date: 1 date: 2', "given twice", "deux fois"),
    case("@alice /tandem timezone Mars/Olympus", "is not a time zone", "fuseau"),
    case("@alice /tandem timezone ../../etc/passwd", "is not a time zone", "fuseau"),
]

COMMANDS: list[Case] = [
    case("@alice /tandem statuss", ('Did you mean "/tandem status"?',), "Vouliez-vous dire"),
    case("@alice /tandme status", UNKNOWN, INCONNUE),
    case("@alice /session lgo", "is not a command I know", "n'est pas une commande"),
    case("@hr /tandem program sett", "needs one of", "doit être suivi"),
    case("@hr /tandem program new", "name", "nom"),
    case("@alice /tandem pair @alice @bob", "Only the program's owners", "responsables"),
    case("@bob /tandem program set until: 2027-01-01", "Only the program's owners", "responsables"),
    case("@alice /tandem report", "Only the program's owners", "responsables"),
    case("@alice /", UNKNOWN, INCONNUE),
    case(f"{NEW} sessions: ١٢", "is not a number between 1 and 52", "n'est pas un nombre"),
    case(f"{NEW} every: ٢w", "is not a cadence", "n'est pas une fréquence"),
]

CASES = [*DATES, *CHARACTERS, *LONG_TEXTS, *VALUES, *COMMANDS]


def test_the_table_covers_every_class_with_enough_cases() -> None:
    assert len(CASES) >= 150
    assert len({c.line for c in CASES}) == len(CASES), "a case is listed twice"


@pytest.fixture
async def program(console: ConsoleSession) -> ConsoleSession:
    await run_script(console, "two_pairs_en.txt")
    return console


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_hostile_input_is_refused_clearly_and_changes_nothing(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, locale: str
) -> None:
    for name in ("hr", "alice", "bob"):
        await program.run_line(f"@{name} /tandem language {locale}")
    before = await dump(uow_factory)
    wrong = []
    for number, hostile in enumerate(CASES):
        answer = await said(program, hostile.line)
        missing = [words for words in hostile.expected(locale) if words not in answer]
        if missing:
            wrong.append(f"{number}: {hostile.line[:80]!r} -> {answer[:300]!r}, missing {missing}")
        if await dump(uow_factory) != before:
            wrong.append(f"{number}: {hostile.line[:80]!r} changed the database")
            before = await dump(uow_factory)
    assert not wrong, "\n".join(wrong)
    # The bot did not break: nothing crashed, and the pair still works.
    assert program.engine.failures == 0
    assert "Sessions: 0 of 6" in await said(program, "@alice /tandem status") or (
        "Sessions : 0 sur 6" in await said(program, "@alice /tandem status")
    )
