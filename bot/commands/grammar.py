"""One command grammar for every platform: ``/tandem …`` and ``/session …``.

A line is split like a shell line (quotes keep spaces), then read as
``root verb [sub] positionals… key: value…``. The leading slash and even the root are optional
(Teams and the console let people type ``status`` or ``session log 45m "…"``).
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, field

from bot.errors import UserError

ROOTS = ("tandem", "session")

# root -> verb -> allowed sub-verbs (empty: the verb takes no sub-verb)
VERBS: dict[str, dict[str, tuple[str, ...]]] = {
    "tandem": {
        "help": (),
        "join": (),
        "profile": (),
        "status": (),
        "charter": (),
        "pause": (),
        "resume": (),
        "leave": (),
        "language": (),
        "timezone": (),
        "my-data": (),
        "forget-me": (),
        "program": ("new", "list", "show", "set", "close"),
        "invite": (),
        "owners": ("add",),
        "pair": (),
        "digest": ("channel", "now"),
        "report": (),
        "match": ("swap", "exclude", "include", "rerun", "approve", "settings"),
        "avoid": (),
        "manager": (),
    },
    "session": {"log": (), "plan": (), "list": (), "undo": (), "help": ()},
}

OWNER_VERBS = {("tandem", "invite"), ("tandem", "owners"), ("tandem", "pair"), ("tandem", "digest")}
OWNER_VERBS.update({("tandem", "match"), ("tandem", "report")})
# Verbs whose sub-verb may be left out: ``/tandem match`` alone proposes.
OPTIONAL_SUBS = {("tandem", "match")}

# Option names people may type, in either language, mapped to the engine's name.
OPTION_ALIASES = {
    "next": "next",
    "prochain": "next",
    "prochaine": "next",
    "suite": "next",
    "date": "date",
    "le": "date",
    "sessions": "sessions",
    "séances": "sessions",
    "seances": "sessions",
    "every": "every",
    "tous": "every",
    "toutes": "every",
    "cadence": "every",
    "length": "length",
    "durée": "length",
    "duree": "length",
    "start": "start",
    "début": "start",
    "debut": "start",
    "program": "program",
    "programme": "program",
    "until": "until",
    "end": "until",
    "fin": "until",
    "quotes": "quotes",
    "citations": "quotes",
    "jusqu'au": "until",
}

_QUOTES = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class Command:
    root: str
    verb: str
    sub: str = ""
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.root, self.verb, self.sub) if part)

    @property
    def is_owner_command(self) -> bool:
        return (self.root, self.verb) in OWNER_VERBS or (
            self.root == "tandem" and self.verb == "program" and self.sub == "new"
        )


# Verbs that only show something: typed alone, they are answered even in the middle of a
# conversation (a question the bot asked), whose answer is never one of these words.
LONE_QUERIES = {"help", "status", "charter", "my-data"}


def is_lone_query(text: str) -> bool:
    """``status`` alone: what someone typing without slash (Teams, the console) means by it."""
    return text.strip().lower() in LONE_QUERIES


def looks_like_command(text: str) -> bool:
    stripped = text.strip()
    if stripped.startswith("/"):
        return True
    first = stripped.split(maxsplit=1)[0].lower() if stripped else ""
    return first in ROOTS


def _split(text: str) -> list[str]:
    normalized = text.translate(_QUOTES).strip()
    # Apostrophes inside words (aujourd'hui, l'équipe) are not quotes.
    lexer = shlex.shlex(normalized, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        raise UserError("errors.unbalanced_quotes") from None


def _suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else ""


def parse(text: str) -> Command:
    tokens = _split(text)
    if not tokens:
        raise UserError("errors.empty_command")
    first = tokens[0].lstrip("/").lower()
    if first in ROOTS:
        root, rest = first, tokens[1:]
    elif first in VERBS["tandem"]:
        root, rest = "tandem", tokens
    else:
        suggestion = _suggest(first, [*ROOTS, *VERBS["tandem"]])
        raise UserError("errors.unknown_command", command=tokens[0], suggestion=suggestion)
    if not rest:
        return Command(root=root, verb="help")
    verb = rest[0].lstrip("/").lower()
    if verb not in VERBS[root]:
        suggestion = _suggest(verb, list(VERBS[root]))
        raise UserError("errors.unknown_verb", root=root, verb=rest[0], suggestion=suggestion)
    rest = rest[1:]
    sub = ""
    subs = VERBS[root][verb]
    if (root, verb) in OPTIONAL_SUBS and (not rest or rest[0].lower() not in subs):
        subs = ()
    if subs:
        if not rest or rest[0].lower() not in subs:
            raise UserError(
                "errors.missing_sub", root=root, verb=verb, subs=list(subs), given=rest[:1]
            )
        sub, rest = rest[0].lower(), rest[1:]
    args, options = _read_options(rest)
    return Command(root=root, verb=verb, sub=sub, args=tuple(args), options=options)


def _read_options(tokens: list[str]) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    options: dict[str, str] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index]
        key, colon, value = token.partition(":")
        alias = OPTION_ALIASES.get(key.lower()) if colon else None
        if alias is None:
            args.append(token)
            index += 1
            continue
        if not value:
            if index + 1 >= len(tokens):
                raise UserError("errors.option_without_value", option=key)
            value = tokens[index + 1]
            index += 1
        if alias in options:
            raise UserError("errors.option_twice", option=key)
        options[alias] = value
        index += 1
    return args, options
