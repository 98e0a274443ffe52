"""What the platform quiz tests share: which default question a message shows."""

from __future__ import annotations

from bot.quiz.bank import default_bank
from bot.quiz.questions import Question


def shown_question(text: str) -> Question:
    """The English default question whose text ``text`` contains."""
    for topic in default_bank("en").values():
        for question in topic.questions:
            if question.text in text:
                return question
    raise AssertionError(text)
