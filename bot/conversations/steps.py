"""Reusable kinds of question: free text, a choice, ratings of topics, a number, a zone."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError

from bot.commands.values import parse_timezone
from bot.conversations.runner import Answer, Question
from bot.errors import UserError
from bot.skip import is_skip

KEEP_WORDS = {"ok", "keep", "garder", "oui", "yes"}
_RATING = re.compile(r"^(\d{1,2})\s*[:=]\s*(\d)$")
MAX_TEXT = 500


@dataclass(frozen=True)
class TextStep:
    name: str
    message_id: str
    optional: bool = False
    variables: Callable[[Any], dict[str, Any]] = lambda context: {}

    def question(self, context: Any) -> Question:
        return Question(self.message_id, self.variables(context))

    def accept(self, context: Any, answer: Answer) -> str:
        text = answer.text.strip()
        if is_skip(text):
            # A skip word is never kept as the answer: empty when optional, else asked again.
            if self.optional:
                return ""
            raise UserError("errors.answer_required")
        if not text:
            raise UserError("errors.answer_required")
        if len(text) > MAX_TEXT:
            raise UserError("errors.answer_too_long", maximum=MAX_TEXT)
        return text


@dataclass(frozen=True)
class ChoiceStep:
    name: str
    message_id: str
    options: Sequence[str]
    label_prefix: str
    variables: Callable[[Any], dict[str, Any]] = lambda context: {}

    def question(self, context: Any) -> Question:
        return Question(
            self.message_id,
            self.variables(context),
            tuple((f"{self.label_prefix}_{option}", option, {}) for option in self.options),
        )

    def accept(self, context: Any, answer: Answer) -> str:
        value = answer.text.strip().lower()
        if value in self.options:
            return value
        if value.isdigit() and 1 <= int(value) <= len(self.options):
            return self.options[int(value) - 1]
        raise UserError("errors.pick_a_choice", count=len(self.options))


@dataclass(frozen=True)
class RatingsStep:
    """Topics from a numbered list, each with a level or priority 1–5: ``1:4 5:2``."""

    name: str
    message_id: str
    topics: Callable[[Any], list[str]]
    optional: bool = False

    def question(self, context: Any) -> Question:
        return Question(self.message_id, {"topics": self.topics(context)})

    def accept(self, context: Any, answer: Answer) -> dict[str, int]:
        text = answer.text.strip()
        if self.optional and is_skip(text):
            return {}
        numbered = dict(enumerate(self.topics(context), 1))
        return parse_ratings(text, numbered, optional=self.optional)


def parse_ratings(text: str, numbered: dict[int, str], *, optional: bool) -> dict[str, int]:
    """``1:4 5:2`` -> {topic 1: 4, topic 5: 2}, the numbers being those shown next to each
    topic (not always 1 to n: a topic keeps its number from one list to the next)."""
    count = max(numbered, default=0)
    # The numbers to offer when some are missing from the list shown; [] when they run 1 to n.
    shown = sorted(numbered) if len(numbered) != count else []
    ratings: dict[str, int] = {}
    for item in re.split(r"[,;\s]+(?=\d)", text):
        match = _RATING.match(item.strip().rstrip(",;"))
        if not match:
            raise UserError(
                "errors.bad_ratings", value=item, count=count, numbers=shown, optional=optional
            )
        number, level = int(match.group(1)), int(match.group(2))
        if number not in numbered:
            raise UserError("errors.bad_topic_number", value=number, count=count, numbers=shown)
        if not 1 <= level <= 5:
            raise UserError("errors.bad_level", value=level)
        ratings[numbered[number]] = level
    if not ratings:
        raise UserError(
            "errors.bad_ratings", value=text, count=count, numbers=shown, optional=optional
        )
    return ratings


@dataclass(frozen=True)
class LanguagesStep:
    name: str
    message_id: str

    def question(self, context: Any) -> Question:
        return Question(self.message_id)

    def accept(self, context: Any, answer: Answer) -> list[str]:
        codes = [code.strip().lower() for code in re.split(r"[,;\s]+", answer.text) if code.strip()]
        if not codes:
            raise UserError("errors.bad_languages", value=answer.text)
        for code in codes:
            try:
                Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                raise UserError("errors.bad_languages", value=code) from None
        return list(dict.fromkeys(codes))


@dataclass(frozen=True)
class TimezoneStep:
    name: str
    message_id: str
    current: Callable[[Any], str]

    def question(self, context: Any) -> Question:
        zone = self.current(context)
        return Question(
            self.message_id, {"zone": zone}, (("labels.keep_zone", "keep", {"zone": zone}),)
        )

    def accept(self, context: Any, answer: Answer) -> str:
        if answer.text.strip().lower() in KEEP_WORDS:
            return self.current(context)
        return parse_timezone(answer.text)


@dataclass(frozen=True)
class SuggestedValueStep:
    """A value with the program's suggestion as default: "ok" keeps it, else ``parse`` reads it."""

    name: str
    message_id: str
    suggested: Callable[[Any], int]
    parse: Callable[[str], int]

    def question(self, context: Any) -> Question:
        return Question(self.message_id, {"suggested": self.suggested(context)})

    def accept(self, context: Any, answer: Answer) -> int:
        if answer.text.strip().lower() in KEEP_WORDS:
            return self.suggested(context)
        return self.parse(answer.text)
