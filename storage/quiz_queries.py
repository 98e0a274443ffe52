"""Quizzes (``bot.quiz``): attempts, the questions they showed and how they were answered,
owners' own questions, and the digest's quiz figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest.figures import DigestPeriod, QuizFigures, QuizTopicFigures
from bot.quiz.ports import RIGHT, SKIPPED, WRONG, ImportedQuestion, QuizAttempt, QuizItem
from bot.quiz.questions import Question
from storage import tables

_ANSWERED = (RIGHT, WRONG)


def _attempt(row: sa.Row[tuple[object, ...]]) -> QuizAttempt:
    return QuizAttempt(
        id=row.id,
        person_id=row.person_id,
        program_id=row.program_id,
        origin=row.origin,
        locale=row.locale,
        created_at=row.created_at,
        expires_at=row.expires_at,
        finished_at=row.finished_at,
    )


class SqlQuizQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def add_quiz(self, attempt: QuizAttempt, questions: Sequence[Question]) -> QuizAttempt:
        attempt_id = await self.session.scalar(
            sa.insert(tables.quiz_attempt)
            .values(
                person_id=attempt.person_id,
                program_id=attempt.program_id,
                origin=attempt.origin,
                locale=attempt.locale,
                created_at=attempt.created_at,
                expires_at=attempt.expires_at,
            )
            .returning(tables.quiz_attempt.c.id)
        )
        await self.session.execute(
            sa.insert(tables.quiz_item),
            [
                {
                    "attempt_id": attempt_id,
                    "position": position,
                    "question_ref": question.ref,
                    "topic": question.topic,
                    "question": question.to_json(),
                    "shown_at": attempt.created_at if position == 1 else None,
                }
                for position, question in enumerate(questions, start=1)
            ],
        )
        return QuizAttempt(**{**attempt.__dict__, "id": attempt_id})

    async def quiz_attempt(self, attempt_id: int) -> QuizAttempt | None:
        row = (
            await self.session.execute(
                sa.select(tables.quiz_attempt).where(tables.quiz_attempt.c.id == attempt_id)
            )
        ).first()
        return _attempt(row) if row is not None else None

    async def quiz_in_the_way(self, person_id: int, origin: str, since: datetime) -> bool:
        columns = tables.quiz_attempt.c
        found = await self.session.scalar(
            sa.select(columns.id)
            .where(
                columns.person_id == person_id,
                sa.or_(
                    columns.origin == origin,
                    sa.and_(columns.created_at >= since, columns.finished_at.is_(None)),
                ),
            )
            .limit(1)
        )
        return found is not None

    async def quiz_items(self, attempt_id: int) -> Sequence[QuizItem]:
        columns = tables.quiz_item.c
        result = await self.session.execute(
            sa.select(columns.position, columns.question, columns.shown_at, columns.outcome)
            .where(columns.attempt_id == attempt_id)
            .order_by(columns.position)
        )
        return [
            QuizItem(
                attempt_id=attempt_id,
                position=row.position,
                question=Question.from_json(row.question),
                shown_at=row.shown_at,
                outcome=row.outcome,
            )
            for row in result
        ]

    async def record_quiz_answer(
        self, attempt_id: int, position: int, outcome: str, now: datetime
    ) -> bool:
        columns = tables.quiz_item.c
        # One statement: of two clicks racing, the second updates nothing.
        result = await self.session.execute(
            sa.update(tables.quiz_item)
            .where(
                columns.attempt_id == attempt_id,
                columns.position == position,
                columns.outcome.is_(None),
            )
            .values(outcome=outcome, answered_at=now),
            execution_options={"synchronize_session": False},
        )
        return bool(getattr(result, "rowcount", 0))

    async def show_quiz_item(self, attempt_id: int, position: int, now: datetime) -> None:
        columns = tables.quiz_item.c
        await self.session.execute(
            sa.update(tables.quiz_item)
            .where(
                columns.attempt_id == attempt_id,
                columns.position == position,
                columns.shown_at.is_(None),
            )
            .values(shown_at=now),
            execution_options={"synchronize_session": False},
        )

    async def finish_quiz(self, attempt_id: int, now: datetime) -> None:
        await self.session.execute(
            sa.update(tables.quiz_attempt)
            .where(tables.quiz_attempt.c.id == attempt_id)
            .values(finished_at=now),
            execution_options={"synchronize_session": False},
        )

    async def questions_seen(self, person_id: int) -> dict[str, int]:
        item, attempt = tables.quiz_item.c, tables.quiz_attempt.c
        result = await self.session.execute(
            sa.select(item.question_ref, sa.func.count())
            .select_from(tables.quiz_item.join(tables.quiz_attempt))
            .where(attempt.person_id == person_id, item.shown_at.is_not(None))
            .group_by(item.question_ref)
        )
        return {ref: int(count) for ref, count in result}

    async def imported_questions(
        self, program_id: int, locale: str, topics: Sequence[str]
    ) -> Sequence[tuple[int, ImportedQuestion]]:
        columns = tables.quiz_question.c
        result = await self.session.execute(
            sa.select(tables.quiz_question)
            .where(
                columns.program_id == program_id,
                columns.locale == locale,
                columns.topic.in_(list(topics)),
            )
            .order_by(columns.id)
        )
        return [
            (
                row.id,
                ImportedQuestion(
                    program_id=row.program_id,
                    locale=row.locale,
                    topic=row.topic,
                    text=row.text,
                    choices=tuple(row.choices),
                    explanation=row.explanation,
                ),
            )
            for row in result
        ]

    async def add_imported_questions(self, questions: Sequence[ImportedQuestion]) -> int:
        if not questions:
            return 0
        await self.session.execute(
            sa.insert(tables.quiz_question),
            [
                {
                    "program_id": q.program_id,
                    "locale": q.locale,
                    "topic": q.topic,
                    "text": q.text,
                    "choices": list(q.choices),
                    "explanation": q.explanation,
                }
                for q in questions
            ],
        )
        return len(questions)

    async def quiz_figures(self, period: DigestPeriod) -> QuizFigures:
        attempt, item = tables.quiz_attempt.c, tables.quiz_item.c
        in_period = sa.and_(
            attempt.program_id == period.program_id,
            attempt.created_at >= period.start_at,
            attempt.created_at < period.end_at,
        )
        sent = await self.session.scalar(sa.select(sa.func.count()).where(in_period)) or 0
        if not sent:
            return QuizFigures(min_group=period.quote_min_group)
        rows = (
            await self.session.execute(
                sa.select(attempt.id, attempt.person_id, item.topic, item.outcome)
                .select_from(tables.quiz_item.join(tables.quiz_attempt))
                .where(in_period, item.outcome.is_not(None))
            )
        ).all()
        answered = [row for row in rows if row.outcome in _ANSWERED]
        topics: dict[str, list[Any]] = {}
        for row in answered:
            topics.setdefault(row.topic, []).append(row)
        shown: list[QuizTopicFigures] = []
        withheld = 0
        for topic, topic_rows in sorted(topics.items()):
            people = len({row.person_id for row in topic_rows})
            if people < period.quote_min_group:
                withheld += 1
                continue
            shown.append(
                QuizTopicFigures(
                    topic=topic,
                    people=people,
                    answered=len(topic_rows),
                    right=sum(1 for row in topic_rows if row.outcome == RIGHT),
                )
            )
        return QuizFigures(
            sent=int(sent),
            taken=len({row.id for row in answered}),
            people=len({row.person_id for row in answered}),
            answered=len(answered),
            right=sum(1 for row in answered if row.outcome == RIGHT),
            skipped=sum(1 for row in rows if row.outcome == SKIPPED),
            topics=tuple(shown),
            topics_withheld=withheld,
            min_group=period.quote_min_group,
        )
