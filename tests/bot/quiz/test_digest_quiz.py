"""The quiz in the owners' digest and report: participation, and the share of right answers per
topic only where at least the program's group size of people answered (worked out by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.digest import report, weekly
from bot.domain import Person, Program
from bot.i18n import Renderer
from bot.quiz.bank import default_bank
from bot.quiz.ports import QuizAttempt
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TAKEN = NOW - timedelta(days=3)
# Per person, the quiz's questions (topic) and how each was answered (None: never answered).
ANSWERS = {
    "ana": [("negotiation", "right"), ("negotiation", "right"), ("chatbots", "right")],
    "ben": [("negotiation", "right"), ("negotiation", "wrong"), ("chatbots", "wrong")],
    "cleo": [("negotiation", "wrong"), ("negotiation", "skipped"), ("negotiation", "skipped")],
    "dev": [("negotiation", None), ("chatbots", None), ("chatbots", None)],
}


async def _seed(uow_factory: SqlUnitOfWorkFactory) -> Program:
    async with uow_factory() as uow:
        program = Program(
            name="Pilot",
            starts_on=date(2026, 11, 2),
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
            locale="en",
            timezone="Europe/Paris",
        )
        uow.add(program)
        await uow.flush()
        assert program.id is not None
        for name, answers in ANSWERS.items():
            person = Person("console", "local", name, name, created_at=TAKEN)
            uow.add(person)
            await uow.flush()
            assert person.id is not None
            used: dict[str, int] = {}
            questions = []
            for topic, _ in answers:
                used[topic] = used.get(topic, -1) + 1
                questions.append(default_bank("en")[topic].questions[used[topic]])
            attempt = await uow.add_quiz(
                QuizAttempt(person.id, program.id, "session:1", "en", TAKEN, TAKEN + timedelta(7)),
                questions,
            )
            assert attempt.id is not None
            for position, (_, outcome) in enumerate(answers, start=1):
                if outcome is not None:
                    await uow.record_quiz_answer(attempt.id, position, outcome, TAKEN)
        await uow.commit()
        return program


async def test_quiz_figures_in_the_digest_and_the_report(uow_factory: SqlUnitOfWorkFactory) -> None:
    program = await _seed(uow_factory)
    renderer = Renderer(default_locale="en")
    async with uow_factory() as uow:
        digest = await weekly.render(uow, renderer, "en", program, NOW)
        french = await weekly.render(uow, renderer, "fr", program, NOW)
        full = await report.render(uow, renderer, "en", program, NOW)

    (quiz,) = [s for s in digest.sections if s.title == "Quiz after sessions"]
    # 4 sent; ana, ben and cleo answered at least one: 3 taken. Answers (skips apart): 3 + 3 + 1
    # = 7, right: 3 (ana) + 1 (ben) = 4, 4/7 = 57%. Negotiation: 5 answers by 3 people, 3
    # right = 60%. Chatbots: answered by 2 people only, under the group size of 3: not shown.
    assert quiz.lines == (
        "4 quizzes sent, 3 taken by 3 people: 57% of 7 answers right, 2 questions skipped",
        "Negotiation: 60% right (5 answers, 3 people)",
    )
    assert quiz.note == (
        "Scores show per topic once at least 3 people answered, to keep answers anonymous "
        "(1 topic not shown yet)."
    )
    (quiz_fr,) = [s for s in french.sections if s.title == "Quiz après les sessions"]
    assert "Négociation : 60 % de bonnes réponses (5 réponses, 3 personnes)" in quiz_fr.lines
    page = report.html_page(renderer, "en", full, NOW)
    assert "Quiz after sessions" in page
    assert "Negotiation: 60% right (5 answers, 3 people)" in page
    assert "Chatbots" not in page
