"""The micro-quiz after a logged session, in English and in French: feedback on each answer,
the score, skipping; a second click, another person's click, a forged one and a click after the
quiz ended change nothing and say why."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.console.session import ConsoleSession, Delivery
from bot.quiz.bank import default_bank
from bot.quiz.questions import Question
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

from .conftest import ConsoleFactory, run_script


def question_of(delivery: Delivery, locale: str) -> Question:
    """The default question a delivery shows (its text is in the message)."""
    for topic in default_bank(locale).values():
        for question in topic.questions:
            if question.text in delivery.text:
                return question
    raise AssertionError(f"no default question in {delivery.text!r}")


def button(delivery: Delivery, label: str) -> str:
    assert delivery.message is not None
    (value,) = [c.value for c in delivery.message.choices if c.label == label]
    return value


def right_button(delivery: Delivery, locale: str) -> str:
    question = question_of(delivery, locale)
    return button(delivery, question.choices[question.answer])


def wrong_button(delivery: Delivery, locale: str) -> str:
    question = question_of(delivery, locale)
    wrong = next(c for i, c in enumerate(question.choices) if i != question.answer)
    return button(delivery, wrong)


async def outcomes(uow_factory: SqlUnitOfWorkFactory) -> list[str | None]:
    async with uow_factory() as uow:
        item = tables.quiz_item.c
        rows = await uow.session.execute(sa.select(item.outcome).order_by(item.attempt_id, item.id))
        return [row.outcome for row in rows]


def only(deliveries: list[Delivery], recipient: str, text: str) -> Delivery:
    (found,) = [d for d in deliveries if d.recipient == recipient and text in d.text]
    return found


async def test_quiz_after_a_session_in_english(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console = make_console()
    await run_script(console, "two_pairs_en.txt")
    logged = await console.run_line('@alice /session log 45m "LinkedIn basics, privacy settings"')
    first = only(logged, "bob", "Quiz 1/3")
    assert "A quick quiz on what you just covered: 3 questions" in first.text
    assert "Social networks and personal branding (LinkedIn, X, Instagram)" in first.text
    assert first.message is not None and first.message.choices[-1].label == "Skip"
    # The mentor, who taught it, gets no quiz.
    assert not [d for d in logged if d.recipient == "alice" and "Question" in d.text]

    reply = await console.choose("bob", right_button(first, "en"))
    assert '✅ Right: "' in reply[0].text and question_of(first, "en").explanation in reply[0].text
    second = only(reply, "bob", "Quiz 2/3 · Online privacy and e-reputation")

    # The same button again, and another button of the same question: already answered.
    for again in (right_button(first, "en"), wrong_button(first, "en")):
        (refusal,) = await console.choose("bob", again)
        assert refusal.message is not None and refusal.message.refused
        assert "You already answered this question" in refusal.text
    assert await outcomes(uow_factory) == ["right", None, None]

    reply = await console.choose("bob", wrong_button(second, "en"))
    assert "❌ Not quite: you chose" in reply[0].text
    third = only(reply, "bob", "Quiz 3/3")

    # Somebody else's button and a forged one: refused, and nothing changes.
    (refusal,) = await console.choose("erin", right_button(third, "en"))
    assert "That button is no longer valid" in refusal.text
    (refusal,) = await console.choose("bob", "made-up-token|quiz:1:3:0")
    assert "That button is no longer valid" in refusal.text
    assert await outcomes(uow_factory) == ["right", "wrong", None]

    # Skipping, here by typing the Skip button's number.
    assert third.message is not None
    reply = await console.run_line(f"@bob {len(third.message.choices)}")
    assert "⏭ Skipped. The answer is" in reply[0].text
    assert reply[1].text.startswith("1/3 — good start")
    assert "(1 question skipped)" in reply[1].text
    assert await outcomes(uow_factory) == ["right", "wrong", "skipped"]


async def test_quiz_in_french_after_a_planned_session_held_and_a_quiz_that_ended(
    make_console: ConsoleFactory, uow_factory: SqlUnitOfWorkFactory
) -> None:
    console: ConsoleSession = make_console()
    await run_script(console, "two_pairs_en.txt")
    await console.run_line("@bob /tandem language fr")
    await console.run_line("@alice /session plan 2026-11-19 14:00")
    asked = await console.run_line(":advance 25h")
    (question,) = [
        d for d in asked if d.recipient == "alice" and "planned_outcome" in (d.key or "")
    ]
    assert question.message is not None

    # "It happened": the session is logged in one click, and the mentee's quiz follows, on the
    # topics bob chose at intake (the logged topics name none).
    reply = await console.choose("alice", question.message.choices[0].value)
    first = only(reply, "bob", "Quiz 1/3")
    assert "Un petit quiz sur ce que vous venez de voir : 3 questions" in first.text
    assert "Réseaux sociaux et marque personnelle" in first.text
    assert first.message is not None and first.message.choices[-1].label == "Passer"

    answered = await console.choose("bob", right_button(first, "fr"))
    assert "✅ Bonne réponse : « " in answered[0].text
    second = only(answered, "bob", "Quiz 2/3 · Intelligence artificielle")

    # Eight days later the quiz has ended: the click is refused and nothing is recorded.
    await console.run_line(":advance 8d")
    (refusal,) = await console.choose("bob", right_button(second, "fr"))
    assert "Ce quiz est terminé : un quiz reste ouvert 7 jours" in refusal.text
    assert await outcomes(uow_factory) == ["right", None, None]
    # A second click on an answered question of the ended quiz says it ended, too.
    (refusal,) = await console.choose("bob", right_button(first, "fr"))
    assert "Ce quiz est terminé" in refusal.text
