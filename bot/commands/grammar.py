"""One command grammar for every platform: ``/tandem …`` and ``/session …``.

A line is split into words (quotes keep spaces, see bot.commands.tokens), then read as
``root verb [sub] positionals… key: value…``; command and option words may be typed in English
or in French (bot.commands.vocabulary). The leading slash and even the root are optional
(Teams and the console let people type ``status`` or ``session log 45m "…"``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from bot.commands.months import date_continues
from bot.commands.tokens import Token, split
from bot.commands.values import duration_continues
from bot.commands.vocabulary import (
    FREE_KEYS,
    FRENCH_OPTIONS,
    FRENCH_VERBS,
    OPTION_INDEX,
    ROOT_INDEX,
    ROOT_WORDS,
    SUB_INDEX,
    VERB_INDEX,
    options_of,
    plain,
    typed_words,
)
from bot.errors import UserError

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
        "dashboard": (),
        "reach": (),
        "match": ("swap", "exclude", "include", "rerun", "approve", "settings"),
        "avoid": (),
        "manager": (),
        "guide": (),
        "workshop": ("new", "list", "join", "leave", "attendance", "cancel"),
        "roster": ("import",),
    },
    "session": {
        "log": (),
        "plan": (),
        "move": (),
        "cancel": (),
        "list": (),
        "undo": (),
        "help": (),
    },
}

OWNER_VERBS = {("tandem", "invite"), ("tandem", "owners"), ("tandem", "pair"), ("tandem", "digest")}
OWNER_VERBS.update({("tandem", "match"), ("tandem", "report"), ("tandem", "dashboard")})
OWNER_VERBS.add(("tandem", "roster"))
OWNER_VERBS.add(("tandem", "reach"))
# Verbs whose sub-verb may be left out: ``/tandem match`` alone proposes.
OPTIONAL_SUBS = {("tandem", "match")}


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
    return VERB_INDEX["tandem"].get(plain(text.strip()), "") in LONE_QUERIES


def is_verb(word: str) -> bool:
    """A word that starts a ``/tandem`` command, in English or in French."""
    return plain(word) in VERB_INDEX["tandem"]


def looks_like_command(text: str) -> bool:
    stripped = text.strip()
    if stripped.startswith("/"):
        return True
    first = stripped.split(maxsplit=1)[0] if stripped else ""
    return plain(first) in ROOT_INDEX


def parse(text: str) -> Command:
    tokens = _joined_colons(split(text))
    if not tokens:
        raise UserError("errors.empty_command")
    first = plain(tokens[0].text.lstrip("/"))
    if first in ROOT_INDEX:
        root, rest = ROOT_INDEX[first], tokens[1:]
    elif first in VERB_INDEX["tandem"]:
        root, rest = "tandem", tokens
    else:
        typed = tokens[0].text.lstrip("/")
        raise UserError(
            "errors.unknown_command", command=tokens[0].text, **_suggestion(typed, "tandem", True)
        )
    if not rest:
        return Command(root=root, verb="help")
    typed_verb = rest[0].text.lstrip("/")
    verb = VERB_INDEX[root].get(plain(typed_verb), "")
    if not verb:
        raise UserError(
            "errors.unknown_verb", root=root, verb=typed_verb, **_suggestion(typed_verb, root)
        )
    rest = rest[1:]
    sub = ""
    subs = VERBS[root][verb]
    sub_index = SUB_INDEX.get((root, verb), {})
    typed_sub = sub_index.get(plain(rest[0].text), "") if rest else ""
    if (root, verb) in OPTIONAL_SUBS and not typed_sub:
        subs = ()
    if subs:
        if not typed_sub:
            raise UserError(
                "errors.missing_sub",
                root=root,
                verb=verb,
                subs=list(subs),
                given=[token.text for token in rest[:1]],
            )
        sub, rest = typed_sub, rest[1:]
    args, options = _read_options(rest, (root, verb, sub))
    return Command(root=root, verb=verb, sub=sub, args=tuple(args), options=options)


def _suggestion(word: str, root: str, with_roots: bool = False) -> dict[str, str]:
    """The closest command word in either language, to show in English (``suggestion``) and
    in French (``suggestion_fr``); on a tie, the English word wins."""
    candidates = [*(ROOT_WORDS if with_roots else ()), *typed_words(FRENCH_VERBS[root])]
    best = _closest(word, candidates)
    if best and not (with_roots and plain(best) in ROOT_INDEX):
        return suggestion_among(best, FRENCH_VERBS[root])
    name = ROOT_INDEX.get(plain(best), "")
    return {"suggestion": name, "suggestion_fr": name}


def suggestion_among(word: str, words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The closest of ``words`` (English name -> French words), named in both languages."""
    best = _closest(word, typed_words(words))
    if not best:
        return {"suggestion": "", "suggestion_fr": ""}
    name = next(
        name for name, french in words.items() if plain(best) in map(plain, (name, *french))
    )
    return {"suggestion": name, "suggestion_fr": words[name][0]}


def _closest(word: str, candidates: list[str]) -> str:
    typed, best, best_ratio = plain(word), "", 0.6
    for candidate in candidates:
        ratio = difflib.SequenceMatcher(None, typed, plain(candidate)).ratio()
        if ratio > best_ratio or (ratio == best_ratio and not best):
            best, best_ratio = candidate, ratio
    return best


def _joined_colons(tokens: list[Token]) -> list[Token]:
    """``séances : 6``, as French typography spaces it, is ``séances: 6``."""
    joined: list[Token] = []
    for token in tokens:
        if token.text == ":" and not token.quoted and joined and not joined[-1].quoted:
            previous = joined.pop()
            joined.append(Token(previous.text + ":", previous.bare + ":"))
        else:
            joined.append(token)
    return joined


def _read_options(
    tokens: list[Token], command: tuple[str, str, str]
) -> tuple[list[str], dict[str, str]]:
    args: list[str] = []
    options: dict[str, str] = {}
    allowed = options_of(*command)
    index = 0
    last_option: tuple[str, str] | None = None
    while index < len(tokens):
        token = tokens[index]
        key = option_key(token)
        name = OPTION_INDEX.get(plain(key), "") if key is not None else ""
        if key is None or (command in FREE_KEYS and name not in allowed):
            if last_option is not None and command in NAMED_BEFORE_OPTIONS:
                # ``length: 45 minuts``: a mistyped word after a value, not part of the name.
                option, value = last_option
                raise UserError(
                    "errors.word_after_option", word=token.text, option=option, value=value
                )
            # ``match settings`` reads its own ``capacity: 2`` pairs.
            args.append(token.text)
            index += 1
            last_option = None
            continue
        if name not in allowed:
            raise UserError(
                "errors.unknown_option",
                option=key,
                command=_shown(command),
                options=[(option, FRENCH_OPTIONS[option][0]) for option in allowed],
            )
        value = token.text[len(key) + 1 :]
        if not value:
            if index + 1 >= len(tokens):
                raise UserError("errors.option_without_value", option=key)
            value = tokens[index + 1].text
            index += 1
        index += 1
        if not tokens[index - 1].quoted:
            value, index = _with_following_words(name, value, tokens, index)
        if name in options:
            raise UserError("errors.option_twice", option=key)
        options[name] = value
        last_option = (key, value)
    return args, options


# Commands whose words are a name, typed before the options.
NAMED_BEFORE_OPTIONS = {("tandem", "program", "new"), ("tandem", "workshop", "new")}


_OPTION_KEY = re.compile(r"^(?P<key>[^\W\d_][\w'’-]*):(?!//)", re.UNICODE)


def option_key(token: Token) -> str | None:
    """The option name of ``name:`` or ``name:value`` typed outside quotes, else None."""
    match = _OPTION_KEY.match(token.bare)
    return match.group("key") if match else None


def _with_following_words(
    name: str, value: str, tokens: list[Token], index: int
) -> tuple[str, int]:
    """``length: 1 heure``, ``start: 28 novembre 2026``: the words after a value that belong
    to it (a unit, a month and year), rather than to a name typed elsewhere on the line."""
    belongs = duration_continues if name == "length" else date_continues if name in DATED else None
    if belongs is None:
        return value, index
    words = [value]
    while index < len(tokens) and not tokens[index].quoted and belongs(words, tokens[index].text):
        words.append(tokens[index].text)
        index += 1
    return " ".join(words), index


DATED = {"start", "until", "date"}


def _shown(command: tuple[str, str, str]) -> str:
    return "/" + " ".join(part for part in command if part)
