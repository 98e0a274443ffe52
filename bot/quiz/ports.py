"""What the quiz needs from storage: attempts, the questions each person saw, owners' questions,
and the owners' figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.digest.figures import DigestPeriod, QuizFigures
from bot.quiz.questions import Question

RIGHT = "right"
WRONG = "wrong"
SKIPPED = "skipped"


@dataclass(frozen=True)
class QuizItem:
    attempt_id: int
    position: int
    question: Question
    shown_at: datetime | None = None
    # RIGHT, WRONG or SKIPPED once answered.
    outcome: str | None = None


@dataclass(frozen=True)
class QuizAttempt:
    person_id: int
    program_id: int | None
    # Where it comes from: "session:<log id>", "workshop:<id>"…
    origin: str
    locale: str
    created_at: datetime
    expires_at: datetime
    finished_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class ImportedQuestion:
    """An owner's question for one program, in one language."""

    program_id: int
    locale: str
    topic: str
    text: str
    # The right one marked with a leading "*", as written in the file.
    choices: tuple[str, ...]
    explanation: str


class QuizStore(Protocol):
    async def add_quiz(self, attempt: QuizAttempt, questions: Sequence[Question]) -> QuizAttempt:
        """Stores the attempt and its questions (positions from 1, the first shown now);
        returns the attempt with its id."""
        ...

    async def quiz_attempt(self, attempt_id: int) -> QuizAttempt | None: ...

    async def quiz_in_the_way(self, person_id: int, origin: str, since: datetime) -> bool:
        """Whether the person already had a quiz of that origin, or has one started since
        ``since`` and not finished."""
        ...

    async def quiz_items(self, attempt_id: int) -> Sequence[QuizItem]:
        """Its questions, by position."""
        ...

    async def record_quiz_answer(
        self, attempt_id: int, position: int, outcome: str, now: datetime
    ) -> bool:
        """Keeps the answer of a question not answered yet; False when it was answered."""
        ...

    async def show_quiz_item(self, attempt_id: int, position: int, now: datetime) -> None: ...

    async def finish_quiz(self, attempt_id: int, now: datetime) -> None: ...

    async def questions_seen(self, person_id: int) -> dict[str, int]:
        """ref -> how many times the person was shown that question."""
        ...

    async def imported_questions(
        self, program_id: int, locale: str, topics: Sequence[str]
    ) -> Sequence[tuple[int, ImportedQuestion]]:
        """(id, question) of the program's own questions on these topics in that language."""
        ...

    async def add_imported_questions(self, questions: Sequence[ImportedQuestion]) -> int: ...

    async def quiz_figures(self, period: DigestPeriod) -> QuizFigures: ...
