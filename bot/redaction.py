"""What names or quotes an erased person, found and blanked out in texts that stay."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

# Shorter free texts ("ok", "none", "rien") are everyone's words, not a person's; so are single
# words and values ("Finance", "America/New_York", "1:4"): a quote has words apart.
SHORTEST_QUOTE = 6
# Long answers reach messages cut or in parts: each clause this long is looked for too.
SHORTEST_CLAUSE = 10
_CLAUSES = re.compile(r"[\n.;,!?]+")


def quotes(texts: Iterable[Any]) -> set[str]:
    """The phrases of a person's free texts worth looking for elsewhere: each whole text and
    each of its clauses, when long enough to be theirs."""
    found: set[str] = set()
    for text in texts:
        if not isinstance(text, str):
            continue
        text = text.strip()
        if len(text) >= SHORTEST_QUOTE and _is_prose(text):
            found.add(text)
        for clause in _CLAUSES.split(text):
            clause = clause.strip()
            if len(clause) >= SHORTEST_CLAUSE and _is_prose(clause):
                found.add(clause)
    return found


def _is_prose(text: str) -> bool:
    return " " in text and sum(c.isalpha() for c in text) >= SHORTEST_QUOTE


def _pattern(term: str) -> str:
    """The term as a whole word: "bob" is not found in "bobsleigh"."""
    escaped = re.escape(term)
    before = r"(?<!\w)" if re.match(r"\w", term) else ""
    after = r"(?!\w)" if re.search(r"\w$", term) else ""
    return before + escaped + after


def redactor(terms: Iterable[str], mark: str) -> Callable[[Any], Any]:
    """A function that replaces every term (any case) by ``mark`` in a text, or in every text
    of a JSON value (a message payload, a dialog's answers)."""
    ordered = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not ordered:
        return lambda value: value
    pattern = re.compile("|".join(_pattern(t) for t in ordered), re.IGNORECASE)

    def redact(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(mark, value)
        if isinstance(value, dict):
            return {key: redact(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [redact(item) for item in value]
        return value

    return redact
