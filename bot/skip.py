"""The words that leave an optional answer empty, the same in every flow and form.

A person who types one of them means "nothing to say": the answer is kept empty, never as the
word itself. Where an answer is required, the same words are refused with how to answer.
"""

from __future__ import annotations

SKIP_WORDS = frozenset(
    {
        # English
        "skip",
        "none",
        "nothing",
        "no",
        "n/a",
        "na",
        "nope",
        "pass",
        # French
        "passer",
        "aucun",
        "aucune",
        "rien",
        "non",
        "néant",
        "neant",
        "personne",
        # Either
        "-",
        "—",
        "–",
        "/",
        ".",
    }
)


def is_skip(text: str) -> bool:
    """True when ``text`` is a skip word, whatever its case, spacing or final punctuation."""
    word = " ".join(text.split()).lower()
    if word in SKIP_WORDS:
        return True
    return word.rstrip(".!").strip() in SKIP_WORDS
