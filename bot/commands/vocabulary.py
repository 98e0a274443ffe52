"""The words people may type for commands and options, in English and in French.

The engine knows each command and option by its English name; these tables map what is typed
(in either language, with or without accents) to that name, and say which options each command
takes, so that an option it does not take is refused instead of being read as part of a name.
"""

from __future__ import annotations

from typing import Final

ROOT_WORDS: Final = {"tandem": "tandem", "session": "session", "séance": "session"}

# French words for each verb; the English verb itself is always accepted as well.
FRENCH_VERBS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "tandem": {
        "help": ("aide",),
        "join": ("rejoindre",),
        "profile": ("profil",),
        "status": ("statut", "état"),
        "charter": ("charte",),
        "pause": ("pause",),
        "resume": ("reprendre",),
        "leave": ("quitter",),
        "language": ("langue",),
        "timezone": ("fuseau",),
        "my-data": ("mes-données",),
        "forget-me": ("oubliez-moi", "oublie-moi"),
        "program": ("programme",),
        "invite": ("inviter",),
        "owners": ("responsables",),
        "pair": ("binôme",),
        "digest": ("récap",),
        "report": ("rapport",),
        "dashboard": ("tableau-de-bord", "tableau"),
        "reach": ("portée", "joignables"),
        "match": ("appariement",),
        "avoid": ("éviter",),
        "manager": ("manager",),
        "guide": ("guide",),
        "workshop": ("atelier",),
        "roster": ("effectif", "annuaire"),
    },
    "session": {
        "log": ("noter",),
        "plan": ("planifier",),
        # "annuler" is taken by undo (of a log): a meeting is "décommandé".
        "move": ("déplacer", "reporter"),
        "cancel": ("décommander",),
        "list": ("liste",),
        "undo": ("annuler",),
        "help": ("aide",),
    },
}

FRENCH_SUBS: Final[dict[tuple[str, str], dict[str, tuple[str, ...]]]] = {
    ("tandem", "program"): {
        "new": ("nouveau",),
        "list": ("liste",),
        "show": ("voir",),
        "set": ("modifier",),
        "close": ("clore", "fermer"),
    },
    ("tandem", "owners"): {"add": ("ajouter",)},
    ("tandem", "digest"): {"channel": ("canal",), "now": ("maintenant",)},
    ("tandem", "match"): {
        "swap": ("échanger",),
        "exclude": ("exclure",),
        "include": ("inclure",),
        "rerun": ("relancer",),
        "approve": ("valider",),
        "settings": ("réglages",),
    },
    ("tandem", "workshop"): {
        "new": ("nouveau",),
        "list": ("liste",),
        "join": ("rejoindre", "participer"),
        "leave": ("quitter",),
        "attendance": ("présences", "présence"),
        "cancel": ("annuler",),
    },
    ("tandem", "roster"): {"import": ("importer",)},
}

# Option names in French; the first one is the one shown in answers and help.
FRENCH_OPTIONS: Final[dict[str, tuple[str, ...]]] = {
    "next": ("prochaine", "prochain", "suite"),
    "date": ("le",),
    "sessions": ("séances",),
    "every": ("tous", "toutes", "cadence"),
    "length": ("durée",),
    "start": ("début",),
    "program": ("programme",),
    "until": ("fin", "jusqu'au"),
    "quotes": ("citations",),
    "topic": ("sujet", "thème"),
    "time": ("heure",),
    "place": ("lieu", "lien"),
    "capacity": ("places", "capacité"),
    "audience": ("public",),
    "holidays": ("fériés", "jours-fériés"),
    "closed": ("fermé", "fermeture", "fermetures"),
    "inactivity": ("inactivité",),
    "silence": ("silence",),
    "idle": ("inactif", "sans-session"),
    "retention": ("conservation",),
}
# Other English spellings accepted for an option.
ENGLISH_SYNONYMS: Final = {"end": "until", "link": "place", "seats": "capacity"}

_PROGRAM = ("program",)
# The options each command takes: (root, verb, sub) -> option names. A command missing here
# takes none. ``match settings`` reads its own ``key: value`` pairs (bot.commands.match_settings).
COMMAND_OPTIONS: Final[dict[tuple[str, str, str], tuple[str, ...]]] = {
    ("tandem", "program", "new"): ("sessions", "every", "length", "start", "until"),
    ("tandem", "program", "set"): (
        "until",
        "quotes",
        "holidays",
        "closed",
        "inactivity",
        "silence",
        "idle",
        "retention",
        "program",
    ),
    ("tandem", "program", "show"): _PROGRAM,
    ("tandem", "program", "close"): _PROGRAM,
    ("tandem", "join", ""): _PROGRAM,
    ("tandem", "pause", ""): ("until",),
    ("tandem", "invite", ""): _PROGRAM,
    ("tandem", "owners", "add"): _PROGRAM,
    ("tandem", "pair", ""): _PROGRAM,
    ("tandem", "digest", "channel"): _PROGRAM,
    ("tandem", "digest", "now"): _PROGRAM,
    ("tandem", "report", ""): _PROGRAM,
    ("tandem", "dashboard", ""): _PROGRAM,
    ("tandem", "reach", ""): _PROGRAM,
    **{("tandem", "match", sub): _PROGRAM for sub in ("", "swap", "exclude", "include")},
    **{("tandem", "match", sub): _PROGRAM for sub in ("rerun", "approve", "settings")},
    ("tandem", "roster", "import"): _PROGRAM,
    ("session", "log", ""): ("next", "date"),
    ("tandem", "workshop", "new"): (
        "topic",
        "date",
        "time",
        "length",
        "place",
        "capacity",
        "audience",
    ),
}
FREE_KEYS: Final = {("tandem", "match", "settings")}


def plain(word: str) -> str:
    """A typed word compared without case, accents or typographic apostrophes."""
    lowered = word.lower().replace("’", "'")
    return lowered.translate(_UNACCENTED)


_UNACCENTED = str.maketrans("àâäéèêëîïôöùûüç", "aaaeeeeiioouuuc")


def _index(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {plain(name): name for name in words}
    for name, french in words.items():
        index.update({plain(word): name for word in french})
    return index


VERB_INDEX: Final = {root: _index(verbs) for root, verbs in FRENCH_VERBS.items()}
SUB_INDEX: Final = {key: _index(subs) for key, subs in FRENCH_SUBS.items()}
OPTION_INDEX: Final = {
    **_index(FRENCH_OPTIONS),
    **{plain(word): name for word, name in ENGLISH_SYNONYMS.items()},
}
ROOT_INDEX: Final = {plain(word): root for word, root in ROOT_WORDS.items()}


def typed_words(words: dict[str, tuple[str, ...]]) -> list[str]:
    """Every word people may type for these names, English first: candidates for suggestions."""
    return [*words, *(word for french in words.values() for word in french if word not in words)]


def options_of(root: str, verb: str, sub: str) -> tuple[str, ...]:
    return COMMAND_OPTIONS.get((root, verb, sub), ())
