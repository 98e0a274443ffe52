"""One quiz question, and the rules every question follows, default or imported.

A question's choices are written with the right one marked by a leading ``*`` (in the default
bank and in owners' files alike): a file can then say "two right answers" or "none", which an
index could not, and the checker names the mistake.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Slack refuses a button whose text is longer; Teams and the console show as much.
MAX_CHOICE_LENGTH = 75
MIN_CHOICES = 2
MAX_CHOICES = 5
MAX_TEXT_LENGTH = 500
RIGHT_MARK = "*"


@dataclass(frozen=True)
class Question:
    # "default:<topic key>:<number>" or "imported:<id>": what a person was asked, across locales.
    ref: str
    topic: str
    text: str
    choices: tuple[str, ...]
    # Index in ``choices`` of the right one.
    answer: int
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "topic": self.topic,
            "text": self.text,
            "choices": list(self.choices),
            "answer": self.answer,
            "explanation": self.explanation,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Question:
        return cls(
            ref=str(data["ref"]),
            topic=str(data["topic"]),
            text=str(data["text"]),
            choices=tuple(str(c) for c in data["choices"]),
            answer=int(data["answer"]),
            explanation=str(data["explanation"]),
        )

    def shuffled(self, seed: str) -> Question:
        """The same question with its choices in an order fixed by ``seed``: the bank is free
        to write the right answer first, the person does not see it first every time."""
        order = list(range(len(self.choices)))
        random.Random(seed).shuffle(order)
        return Question(
            ref=self.ref,
            topic=self.topic,
            text=self.text,
            choices=tuple(self.choices[i] for i in order),
            answer=order.index(self.answer),
            explanation=self.explanation,
        )


@dataclass(frozen=True)
class Problem:
    """What is wrong with one question: a block of ``quiz.j2`` (``problem_<kind>``) and its
    variables."""

    kind: str
    variables: dict[str, Any]


def problems_of(text: str, marked_choices: Sequence[str], explanation: str) -> list[Problem]:
    """Everything wrong with a question written with ``*`` before its right choice."""
    problems: list[Problem] = []
    if not text.strip():
        problems.append(Problem("no_question", {}))
    elif len(text) > MAX_TEXT_LENGTH:
        problems.append(Problem("question_too_long", {"maximum": MAX_TEXT_LENGTH}))
    choices = [c.strip() for c in marked_choices if c and c.strip()]
    right = [c for c in choices if c.startswith(RIGHT_MARK)]
    if len(choices) < MIN_CHOICES:
        problems.append(Problem("too_few_choices", {"count": len(choices)}))
    if len(choices) > MAX_CHOICES:
        problems.append(Problem("too_many_choices", {"count": len(choices)}))
    if choices and not right:
        problems.append(Problem("no_right_answer", {}))
    if len(right) > 1:
        problems.append(Problem("several_right_answers", {"count": len(right)}))
    for choice in choices:
        label = choice.removeprefix(RIGHT_MARK).strip()
        if len(label) > MAX_CHOICE_LENGTH:
            problems.append(
                Problem(
                    "choice_too_long",
                    {"choice": label, "length": len(label), "maximum": MAX_CHOICE_LENGTH},
                )
            )
    if not explanation.strip():
        problems.append(Problem("no_explanation", {}))
    return problems


def question_of(
    ref: str, topic: str, text: str, marked_choices: Sequence[str], explanation: str
) -> Question:
    """A question from choices already checked (``problems_of`` found nothing)."""
    choices = [c.strip() for c in marked_choices if c and c.strip()]
    answer = next(i for i, c in enumerate(choices) if c.startswith(RIGHT_MARK))
    return Question(
        ref=ref,
        topic=topic,
        text=text.strip(),
        choices=tuple(c.removeprefix(RIGHT_MARK).strip() for c in choices),
        answer=answer,
        explanation=explanation.strip(),
    )
