"""Finding the topic someone means among a program's topics: by its name in either language,
by the part before its parentheses, or by a few of its words ("SEO", "cyber", "AI")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.guides.library import GuideLibrary, topic_words

_WORD = re.compile(r"[\w']+")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(topic_words(text))


def _aliases(topic: str, library: GuideLibrary) -> list[str]:
    """The topic's own spelling, its catalogue names in every language, and its key."""
    key = library.key_of(topic)
    if key is None:
        return [topic]
    return [topic, *library.names_of(key), key.replace("_", " ")]


def _contains(tokens: list[str], typed: list[str]) -> bool:
    """The typed words follow each other in the topic; the last may be the start of a word."""
    for start in range(len(tokens) - len(typed) + 1):
        window = tokens[start : start + len(typed)]
        if window[:-1] == typed[:-1] and window[-1].startswith(typed[-1]):
            return True
    return False


def matching_topics(typed: str, topics: Sequence[str], library: GuideLibrary) -> list[str]:
    """The topics ``typed`` may mean, as the program spells them: one when it is clear."""
    wanted = topic_words(typed)
    typed_tokens = _tokens(typed)
    if not wanted or not typed_tokens:
        return []
    aliases = {topic: _aliases(topic, library) for topic in topics}
    exact = [t for t in topics if any(topic_words(a) == wanted for a in aliases[t])]
    if exact:
        return exact[:1]
    before_brackets = [
        t for t in topics if any(topic_words(a.split(" (")[0]) == wanted for a in aliases[t])
    ]
    if before_brackets:
        return before_brackets[:1]
    return [t for t in topics if any(_contains(_tokens(a), typed_tokens) for a in aliases[t])]
