"""Splitting a command line into words, as people type quotes on every keyboard.

Straight and typographic double quotes (``"…"``, ``“…”``, ``«…»``) and single quotes (``'…'``,
``‘…’``) keep spaces inside one word. A single quote opens only at the start of a word and
closes only before a space or the end of the line, so an apostrophe inside a word (``l'IA``,
``aujourd’hui``, ``jusqu'au``) stays exactly as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import UserError

_DOUBLE_OPENERS = {'"', "“", "”", "„", "«"}
_DOUBLE_CLOSERS = {'"', "”", "“", "»"}
_SINGLE_OPENERS = {"'", "‘", "’"}
_SINGLE_CLOSERS = {"'", "’", "‘"}
# French typography puts a (narrow) non-breaking space inside guillemets: « texte ».
_SPACES_INSIDE_QUOTES = " \u00a0\u202f\t"


@dataclass(frozen=True)
class Token:
    text: str
    # What was typed before any quote in this word: only there can ``name:`` be an option.
    bare: str

    @property
    def quoted(self) -> bool:
        return len(self.bare) < len(self.text)


def split(text: str) -> list[Token]:
    tokens: list[Token] = []
    word: list[str] = []
    bare: str | None = None
    started = False
    closer: set[str] | None = None
    quoted: list[str] = []
    index = 0
    while index < len(text):
        character = text[index]
        if closer is not None:
            if character in closer and (closer is _DOUBLE_CLOSERS or _ends_word(text, index + 1)):
                word.append("".join(quoted).strip(_SPACES_INSIDE_QUOTES))
                quoted, closer = [], None
            else:
                quoted.append(character)
        elif character.isspace():
            if started:
                tokens.append(Token("".join(word), "".join(word) if bare is None else bare))
            word, bare, started = [], None, False
        elif character in _DOUBLE_OPENERS or (character in _SINGLE_OPENERS and not word):
            bare = "".join(word) if bare is None else bare
            closer = _DOUBLE_CLOSERS if character in _DOUBLE_OPENERS else _SINGLE_CLOSERS
            started = True
        else:
            word.append(character)
            started = True
        index += 1
    if closer is not None:
        raise UserError("errors.unbalanced_quotes")
    if started:
        tokens.append(Token("".join(word), "".join(word) if bare is None else bare))
    return tokens


def _ends_word(text: str, index: int) -> bool:
    return index >= len(text) or text[index].isspace()
