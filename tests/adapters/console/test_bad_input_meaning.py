"""Input that would silently mean something else is refused with its own reason, in the
person's language, and changes nothing in the database; what people mean is understood.

After ``two_pairs_en.txt``: hr owns "Pilot" (from Wednesday 2026-11-18, six sessions every two
weeks, until 2027-02-10) where alice (mentor) and bob (mentee) are a pair; zoe accepted an
invitation as mentor but has not finished her profile questionnaire; olga owns two programs,
"Alpha" then "Beta".
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from adapters.console.session import ConsoleSession
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.tables import dump

from .conftest import run_script, said

# What people read, and that nothing changes, are the engine's: SQLite is enough here, the
# storage under it being tested on both databases (tests/storage, the lifecycle tests).
pytestmark = pytest.mark.sqlite_only


@dataclass(frozen=True)
class Case:
    line: str
    # Words the answer must hold, in English and in French (all of them must appear).
    en: tuple[str, ...]
    fr: tuple[str, ...]

    def expected(self, locale: str) -> tuple[str, ...]:
        return self.en if locale == "en" else self.fr


def case(line: str, en: str | tuple[str, ...], fr: str | tuple[str, ...]) -> Case:
    return Case(line, (en,) if isinstance(en, str) else en, (fr,) if isinstance(fr, str) else fr)


NEW = '@hr /tandem program new "Second"'
LOG = '@alice /session log 45m "SEO basics"'
NEW_OPTIONS_EN = "sessions: (or séances:), every: (or tous:), length: (or durée:)"
NEW_OPTIONS_FR = "séances: (ou sessions:), tous: (ou every:), durée: (ou length:)"
LOG_OPTIONS_EN = "next: (or prochaine:), date: (or le:)"
LOG_OPTIONS_FR = "prochaine: (ou next:), le: (ou date:)"
SET_OPTIONS_EN = (
    "until: (or fin:), quotes: (or citations:), holidays: (or fériés:), closed: (or fermé:), "
    "inactivity: (or inactivité:), silence:, idle: (or inactif:), "
    "retention: (or conservation:), program: (or programme:)"
)
SET_OPTIONS_FR = (
    "fin: (ou until:), citations: (ou quotes:), fériés: (ou holidays:), fermé: (ou closed:), "
    "inactivité: (ou inactivity:), silence:, inactif: (ou idle:), "
    "conservation: (ou retention:), programme: (ou program:)"
)


def not_option_of(option: str, command: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (
        (f'"{option}:" is not an option of {command}', "nothing was created or changed"),
        (f'"{option}:" n\'est pas une option de {command}', "rien n'a été créé ni modifié"),
    )


def unknown_option(line: str, option: str, command: str, en: str, fr: str) -> Case:
    said_en, said_fr = not_option_of(option, command)
    return Case(line, (*said_en, en), (*said_fr, fr))


UNKNOWN_OPTIONS: list[Case] = [
    # Once read as part of the name: "Second colour: blue" was created.
    unknown_option(
        f"{NEW} colour: blue", "colour", "/tandem program new", NEW_OPTIONS_EN, NEW_OPTIONS_FR
    ),
    unknown_option(
        f"{NEW} colour:blue", "colour", "/tandem program new", NEW_OPTIONS_EN, NEW_OPTIONS_FR
    ),
    # French typography: a space before the colon.
    unknown_option(
        f"{NEW} couleur : bleu", "couleur", "/tandem program new", NEW_OPTIONS_EN, NEW_OPTIONS_FR
    ),
    # Options of other commands, in French and in English: once silently dropped.
    unknown_option(
        f"{NEW} prochaine: lancer",
        "prochaine",
        "/tandem program new",
        NEW_OPTIONS_EN,
        NEW_OPTIONS_FR,
    ),
    unknown_option(
        f"{NEW} next: launch", "next", "/tandem program new", NEW_OPTIONS_EN, NEW_OPTIONS_FR
    ),
    unknown_option(
        f"{NEW} programme: Pilot",
        "programme",
        "/tandem program new",
        "start: (or début:)",
        "début: (ou start:)",
    ),
    unknown_option(
        f"{NEW} quotes: 5", "quotes", "/tandem program new", "until: (or fin:)", "fin: (ou until:)"
    ),
    unknown_option(
        "@hr /tandem program set until: 2027-01-01 colour: red",
        "colour",
        "/tandem program set",
        SET_OPTIONS_EN,
        SET_OPTIONS_FR,
    ),
    unknown_option(
        "@hr /tandem programme modifier séances: 8",
        "séances",
        "/tandem program set",
        SET_OPTIONS_EN,
        SET_OPTIONS_FR,
    ),
    unknown_option(f"{LOG} durée: 45m", "durée", "/session log", LOG_OPTIONS_EN, LOG_OPTIONS_FR),
    unknown_option(f"{LOG} topic: SEO", "topic", "/session log", LOG_OPTIONS_EN, LOG_OPTIONS_FR),
    unknown_option(
        "@alice /session log 45m SEO: basics", "SEO", "/session log", LOG_OPTIONS_EN, LOG_OPTIONS_FR
    ),
    unknown_option(
        "@alice /session noter 45m 'SEO' lieu: visio",
        "lieu",
        "/session log",
        LOG_OPTIONS_EN,
        LOG_OPTIONS_FR,
    ),
    unknown_option(
        "@alice /tandem status date: today",
        "date",
        "/tandem status",
        "It takes no options",
        "ne prend pas d'option",
    ),
    unknown_option(
        "@bob /tandem pause depuis: 2026-12-01",
        "depuis",
        "/tandem pause",
        "until: (or fin:)",
        "fin: (ou until:)",
    ),
    unknown_option(
        "@hr /tandem invite @zoe role: mentor",
        "role",
        "/tandem invite",
        "program: (or programme:)",
        "programme: (ou program:)",
    ),
    unknown_option(
        "@alice /session plan 2026-11-25 14:00 lieu: visio",
        "lieu",
        "/session plan",
        "It takes no options",
        "ne prend pas d'option",
    ),
]

OUT_OF_RANGE_PARTS: list[Case] = [
    # Once read as 2 h 15 without a word.
    case(
        '@alice /session log 1h75 "SEO"',
        ('"1h75" has 75 minutes after the hours', "write 2h15 or 135min", "Nothing was saved"),
        ("compte 75 minutes après les heures", "écrivez 2h15 ou 135min", "Rien n'a été enregistré"),
    ),
    case('@alice /session log 2h60 "SEO"', "write 3h00 or 180min", "écrivez 3h00 ou 180min"),
    case(f"{NEW} length: 1h99", "write 2h39 or 159min", "écrivez 2h39 ou 159min"),
    case(
        f"{NEW} durée: 1 heure 75", '"1 heure 75" has 75 minutes', '"1 heure 75" compte 75 minutes'
    ),
    case(
        "@alice /session plan 2026-11-25 14h75",
        ('"14h75" is not a time', "the minutes go from 00 to 59"),
        ('"14h75" n\'est pas une heure', "les minutes vont de 00 à 59"),
    ),
    case(
        "@alice /session plan 2026-11-25 9:60",
        "the minutes go from 00 to 59",
        "les minutes vont de 00 à 59",
    ),
    case(
        "@alice /session plan 2026-11-25 24:00",
        "the hour goes from 0 to 23",
        "l'heure va de 0 à 23",
    ),
    case(
        "@alice /session planifier 25/11/2026 31h",
        "the hour goes from 0 to 23",
        "l'heure va de 0 à 23",
    ),
]

QUOTES: list[Case] = [
    # The name is read between the quotes: the program exists already, under that very name.
    case(
        "@hr /tandem program new 'Pilot'",
        'A program called "Pilot" already exists',
        'Un programme nommé "Pilot" existe',
    ),
    case(
        "@hr /tandem program new ‘Pilot’",
        'A program called "Pilot" already exists',
        'Un programme nommé "Pilot" existe',
    ),
    case(
        "@hr /tandem program new « Pilot »",
        'A program called "Pilot" already exists',
        'Un programme nommé "Pilot" existe',
    ),
    case(
        "@hr /tandem program new “Pilot”",
        'A program called "Pilot" already exists',
        'Un programme nommé "Pilot" existe',
    ),
    case("@alice /session log 45m 'SEO", "A quote is not closed", "Un guillemet n'est pas fermé"),
    case(
        "@alice /session log 45m 'l'IA générative' 'puis'",
        ("I don't know what to do with puis", "between quotes"),
        ("Je ne sais pas quoi faire de ce texte : puis",),
    ),
]

WORDS_IN_VALUES: list[Case] = [
    # Once blamed on the topics ("I don't know what to do with SEO").
    *(
        case(
            f'@alice /session log {duration} "SEO"',
            (
                f'I don\'t know what to do with "{unit}" on its own',
                f'"{duration}" looks like a duration',
            ),
            (
                f'Je ne sais pas quoi faire de "{unit}" tout seul',
                f'"{duration}" ressemble à une durée',
            ),
        )
        for duration, unit in (("1 heure", "heure"), ("45 min", "min"), ("2 hours", "hours"))
    ),
    case("@alice /session log 45 min", "/session log 45min", "/session log 45min"),
    case(
        f"{NEW} length: 12 heures", "between 5 minutes and 8 hours", "entre 5 minutes et 8 heures"
    ),
    # A mistyped unit once joined the name: "Second minuts" was created.
    case(
        f"{NEW} length: 45 minuts",
        ('I don\'t know what "minuts" after length: 45 means', "Nothing was created"),
        ('Je ne sais pas ce que veut dire "minuts" après length: 45', "Rien n'a été créé"),
    ),
    case(f"{NEW} début: 28 novembr 2026", '"novembr" after début: 28', '"novembr" après début: 28'),
    case(
        f"{NEW} start: 31 novembre 2026",
        ('"31 novembre 2026" is not a date I understand', "20 November 2026"),
        ('"31 novembre 2026" n\'est pas une date que je comprends', "20 novembre 2026"),
    ),
    case(f"{NEW} début: 28 novembre 2035", '"28 novembre 2035" is too far', "28 novembre 2035"),
    case(
        f"{LOG} date: 28 November 2026",
        "28 November 2026 is in the future",
        "28 November 2026 est dans le futur",
    ),
    case(
        "@alice /session plan 28 novembre 2027 14:00",
        "outside the program",
        "en dehors du programme",
    ),
    case(
        "@alice /session plan 31 novembre 2026 14:00",
        '"31 novembre 2026" is not a date',
        '"31 novembre 2026" n\'est pas une date',
    ),
    case(
        "@bob /tandem pause jusqu'au 28 novembre 2030",
        "a pause lasts at most a year",
        "une pause dure au plus un an",
    ),
    case(
        "@hr /tandem program set fin: 30 février 2027",
        '"30 février 2027" is not a date',
        '"30 février 2027" n\'est pas une date',
    ),
]

FRENCH_WORDS: list[Case] = [
    # "/tandem aide" once suggested "avoid".
    case(
        "@alice /tandem aid", 'Did you mean "/tandem help"?', 'Vouliez-vous dire "/tandem aide" ?'
    ),
    case(
        "@alice /tandem reprendr",
        'Did you mean "/tandem resume"?',
        'Vouliez-vous dire "/tandem reprendre" ?',
    ),
    case(
        "@alice /tandem quiter",
        'Did you mean "/tandem leave"?',
        'Vouliez-vous dire "/tandem quitter" ?',
    ),
    case(
        '@alice /session notre "SEO"',
        'Did you mean "/session log"?',
        'Vouliez-vous dire "/session noter" ?',
    ),
    case("@alice /tandm statut", "I don't know the command", "Je ne connais pas la commande"),
    case("@bob /tandem reprendre", "You are not paused", "Vous n'êtes pas en pause"),
    case(
        "@hr /tandem appariement échangr @alice @dan",
        'Did you mean "/tandem match swap"?',
        'Vouliez-vous dire "/tandem appariement échanger" ?',
    ),
    case(
        "@alice /tandem aide rejoindre",
        "/tandem join mentor|mentee",
        "/tandem rejoindre mentor|mentoré",
    ),
    case("@alice /tandem aide oublier", 'There is no help on "oublier"', "oublier"),
    case("@zoe /tandem rejoindre mentorée Pilot", 'You are already in "Pilot"', "Pilot"),
]

SEVERAL_PROGRAMS: list[Case] = [
    # Once sent silently to the newest program.
    *(
        case(
            f"@olga {command}",
            ("You own several programs: Beta, Alpha", 'program: "Beta"', "Nothing was changed"),
            ("plusieurs programmes : Beta, Alpha", 'programme: "Beta"', "Rien n'a été modifié"),
        )
        for command in (
            "/tandem invite @zoe",
            "/tandem report",
            "/tandem program set until: 2027-03-01",
            "/tandem digest now",
            "/tandem match",
            "/tandem program show",
            "/tandem inviter @zoe",
        )
    ),
    case("@olga /tandem invite @zoe program: Gamma", 'There is no program called "Gamma"', "Gamma"),
]

WHO: list[Case] = [
    case(
        "@hr /tandem pair @alice @alice",
        "alice can't be paired with themselves",
        "alice ne peut pas former un binôme avec soi-même",
    ),
    case(
        "@hr /tandem binôme @zoe @bob",
        ("zoe has not finished the profile questionnaire", "/tandem profile"),
        ("zoe n'a pas encore terminé le questionnaire de profil", "/tandem profil"),
    ),
    case(
        "@hr /tandem invite @hr",
        ('You can\'t invite yourself to "Pilot"', "Nobody was invited"),
        ("Vous ne pouvez pas vous inviter à « Pilot »", "Personne n'a été invité"),
    ),
    case(
        "@hr /tandem inviter @yan @hr",
        "You can't invite yourself",
        "Vous ne pouvez pas vous inviter",
    ),
    case(
        "@hr /tandem owners add @hr",
        'You already own "Pilot"',
        "Vous êtes déjà responsable de « Pilot »",
    ),
]

CASES = [*UNKNOWN_OPTIONS, *OUT_OF_RANGE_PARTS, *QUOTES, *WORDS_IN_VALUES, *FRENCH_WORDS]
CASES += [*SEVERAL_PROGRAMS, *WHO]


def test_the_table_covers_every_class_with_enough_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.line for c in CASES}) == len(CASES), "a case is listed twice"


@pytest.fixture
async def program(console: ConsoleSession) -> ConsoleSession:
    await run_script(console, "two_pairs_en.txt")
    for line in (
        "@hr /tandem invite @zoe",
        "@zoe /tandem language en",
        "@zoe 1",
        '@olga /tandem program new "Alpha"',
        '@olga /tandem program new "Beta"',
    ):
        await console.run_line(line)
    return console


@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_input_that_would_mean_something_else_is_refused_and_changes_nothing(
    program: ConsoleSession, uow_factory: SqlUnitOfWorkFactory, locale: str
) -> None:
    for name in ("hr", "alice", "bob", "zoe", "olga"):
        await program.run_line(f"@{name} /tandem language {locale}")
    before = await dump(uow_factory)
    wrong = []
    for number, bad in enumerate(CASES):
        answer = await said(program, bad.line)
        missing = [words for words in bad.expected(locale) if words not in answer]
        if missing:
            wrong.append(f"{number}: {bad.line!r} -> {answer[:400]!r}, missing {missing}")
        if await dump(uow_factory) != before:
            wrong.append(f"{number}: {bad.line!r} changed the database")
            before = await dump(uow_factory)
    assert not wrong, "\n".join(wrong)
    assert program.engine.failures == 0


async def test_quoted_texts_are_read_between_their_quotes_and_kept_as_typed(
    program: ConsoleSession,
) -> None:
    answer = await said(program, "@alice /session log 45m 'l'IA générative' next: ‘tester l’outil’")
    assert "— l'IA générative · next: tester l’outil" in answer
    answer = await said(program, "@bob /session log 30m « Réseaux sociaux » le: aujourd’hui")
    assert "— Réseaux sociaux" in answer
    listed = await said(program, "@alice /session list")
    assert "l'IA générative" in listed and "Réseaux sociaux" in listed


async def test_durations_and_dates_in_words_are_understood(program: ConsoleSession) -> None:
    created = await said(
        program, '@hr /tandem program new "Second" séances : 8 durée: 1 heure 30 début: 28 nov 2026'
    )
    assert 'The program "Second" is created' in created
    assert "8 sessions of 1 h 30, every 14 days, from November 28, 2026" in created
    assert "Session logged: 45 min" in await said(program, '@alice /session log "45 min" "SEO"')
    planned = await said(program, "@alice /session plan 25 novembre 2026 14h")
    assert "Next session planned for" in planned and "25" in planned


async def test_french_command_words_work_and_french_help_shows_them(
    program: ConsoleSession,
) -> None:
    await program.run_line("@bob /tandem langue fr")
    assert "pause" in await said(program, "@bob /tandem pause jusqu'au 15 décembre 2026")
    assert "en pause jusqu'au 15 décembre 2026" in await said(program, "@bob /tandem statut")
    assert "Vous n'êtes pas en pause" not in await said(program, "@bob /tandem reprendre")
    assert "Vous n'êtes pas en pause" in await said(program, "@bob /tandem reprendre")
    logged = await said(program, '@bob /session noter 45m "SEO" prochaine: "un article"')
    assert "45 min" in logged and "un article" in logged
    overview = await said(program, "@bob /tandem aide")
    for words in ("/tandem rejoindre", "/tandem statut", "/tandem reprendre", "/tandem quitter"):
        assert words in overview, words
    assert "/tandem join" not in overview


async def test_an_owner_of_several_programs_names_one_with_program(
    program: ConsoleSession,
) -> None:
    answer = await said(program, "@olga /tandem invite @yan programme: Alpha")
    assert 'Invitation sent to yan for "Alpha"' in answer
    assert "Alpha" in await said(program, '@olga /tandem program show program: "Alpha"')
    # The one program hr owns is still found without naming it.
    assert 'Invitation sent to yan for "Pilot"' in await said(program, "@hr /tandem invite @yan")
