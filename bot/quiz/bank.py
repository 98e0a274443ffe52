"""The default question bank, and which of its topics a session or a program speaks of.

The bank is user-facing text, so it lives with the templates: ``prompts/<locale>/quiz/<key>.yaml``
holds one topic of the default catalogue in that language — its catalogue name (``topic``),
words that show a session was about it (``keywords``) and the questions, each with its choices
(the right one marked ``*``) and a one-line explanation (``why``). Both languages hold the same
questions in the same order, so ``default:<key>:<n>`` is one question whatever the language,
and a person who switches language is not asked it again.

A topic is known by its key; a program's own topic (not in the default catalogue) by its name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

from bot.digest.figures import QuizFigures
from bot.i18n import PROMPTS_DIR
from bot.quiz.questions import Question, problems_of, question_of
from bot.settings import SUPPORTED_LOCALES

BANK_FOLDER = "quiz"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class BankTopic:
    key: str
    name: str
    keywords: tuple[str, ...]
    questions: tuple[Question, ...]


def normalized(text: str) -> str:
    """Lower case, without accents or extra spaces: "Négociation " and "negociation" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


@cache
def default_bank(locale: str, prompts_dir: Path = PROMPTS_DIR) -> dict[str, BankTopic]:
    """topic key -> its questions in ``locale``; raises ValueError on a question that breaks
    the rules (a test loads every one)."""
    bank: dict[str, BankTopic] = {}
    for path in sorted((prompts_dir / locale / BANK_FOLDER).glob("*.yaml")):
        # libyaml's parser when there is one: the bank is 44 files, read at the first quiz.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        key = path.stem
        questions = []
        for number, item in enumerate(data["questions"], start=1):
            text, choices, why = str(item["q"]), [str(c) for c in item["choices"]], str(item["why"])
            problems = problems_of(text, choices, why)
            if problems:
                raise ValueError(f"{path} question {number}: {[p.kind for p in problems]}")
            questions.append(question_of(f"default:{key}:{number}", key, text, choices, why))
        bank[key] = BankTopic(
            key=key,
            name=str(data["topic"]),
            keywords=tuple(str(k) for k in data.get("keywords") or ()),
            questions=tuple(questions),
        )
    return bank


@cache
def _names() -> dict[str, str]:
    """Every way the default catalogue names a topic (its key, its name in each language),
    normalized -> key."""
    names: dict[str, str] = {}
    for locale in SUPPORTED_LOCALES:
        for key, topic in default_bank(locale).items():
            names[normalized(key)] = key
            names[normalized(topic.name)] = key
    return names


def topic_key(name: str, program_topics: Iterable[str] = ()) -> str | None:
    """The key of a topic named in any language: a default catalogue topic's key, a program's
    own topic's name as the program writes it; None when neither knows it."""
    key = _names().get(normalized(name))
    if key is not None:
        return key
    for topic in program_topics:
        if normalized(topic) == normalized(name):
            return topic
    return None


def topic_name(key: str, locale: str) -> str:
    """How a topic is shown: its catalogue name in ``locale``, or a program's own topic as is."""
    topic = default_bank(locale).get(key)
    return topic.name if topic is not None else key


@cache
def _catalogue_phrases() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern finding every catalogue name and keyword of both languages as whole words,
    and the topic key of each phrase (built once: a session log runs it every time)."""
    keys: dict[str, str] = {}
    for locale in SUPPORTED_LOCALES:
        for key, topic in default_bank(locale).items():
            for phrase in (topic.name, *topic.keywords):
                if normalized(phrase):
                    keys.setdefault(normalized(phrase), key)
    # Longest first: "machine learning" before "learning" would be, were both phrases.
    phrases = sorted(keys, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)")
    return pattern, keys


def topics_in_text(text: str, program_topics: Sequence[str] = ()) -> list[str]:
    """The topics a free text (a session's topics) speaks of, in the order they come first:
    a catalogue name or one of its keywords, in either language, or a program's own topic."""
    plain = normalized(text)
    pattern, keys = _catalogue_phrases()
    found = [(match.start(), keys[match.group(1)]) for match in pattern.finditer(plain)]
    for own in program_topics:
        phrase = normalized(own)
        if phrase and topic_key(own) is None:
            match = re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", plain)
            if match is not None:
                found.append((match.start(), own))
    return list(dict.fromkeys(key for _, key in sorted(found)))


def with_topic_names(figures: QuizFigures) -> QuizFigures:
    """The figures with each topic's name in every language, for the digest's templates."""
    topics = tuple(
        replace(t, names={locale: topic_name(t.topic, locale) for locale in SUPPORTED_LOCALES})
        for t in figures.topics
    )
    return replace(figures, topics=topics)
