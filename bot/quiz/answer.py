"""A click on a quiz button: right, wrong or skipped, the explanation, then the next question
or the score.

The buttons are bound to the person like every prompt (``bot.prompts``): a forged one, or one
shown to somebody else, is refused before this runs. A question already answered (the same
button clicked twice, another button of the same question, a number typed after a click) and a
quiz past its week get their own answer (``explain_stale`` for a button already taken), and
nothing changes: the outcome is kept once, by the first click.
"""

from __future__ import annotations

from bot.errors import UserError
from bot.prompts import STALE
from bot.quiz.bank import topic_name
from bot.quiz.ports import RIGHT, SKIPPED, WRONG, QuizAttempt
from bot.quiz.start import QUIZ_LIFETIME, SKIP, send_question
from bot.turn import Turn


def _parsed(rest: str) -> tuple[int, int, str] | None:
    """``<attempt id>:<position>:<choice index>|skip`` -> its parts; None when malformed."""
    attempt_id, _, tail = rest.partition(":")
    position, _, answer = tail.partition(":")
    if not (attempt_id.isdigit() and position.isdigit()):
        return None
    if answer != SKIP and not answer.isdigit():
        return None
    return int(attempt_id), int(position), answer


async def _own_attempt(turn: Turn, attempt_id: int) -> QuizAttempt | None:
    attempt = await turn.uow.quiz_attempt(attempt_id)
    return attempt if attempt is not None and attempt.person_id == turn.person_id else None


def _refuse_if_expired(turn: Turn, attempt: QuizAttempt) -> None:
    if attempt.expires_at <= turn.now:
        raise UserError("errors.quiz_expired", days=QUIZ_LIFETIME.days)


async def on_quiz_choice(turn: Turn, rest: str) -> None:
    parsed = _parsed(rest)
    attempt = await _own_attempt(turn, parsed[0]) if parsed is not None else None
    if parsed is None or attempt is None or attempt.id is None:
        raise UserError(STALE)
    _, position, answer = parsed
    _refuse_if_expired(turn, attempt)
    items = await turn.uow.quiz_items(attempt.id)
    if not 1 <= position <= len(items):
        raise UserError(STALE)
    question = items[position - 1].question
    if answer != SKIP and int(answer) >= len(question.choices):
        raise UserError(STALE)
    outcome = SKIPPED if answer == SKIP else RIGHT if int(answer) == question.answer else WRONG
    if not await turn.uow.record_quiz_answer(attempt.id, position, outcome, turn.now):
        raise UserError("errors.quiz_already_answered")
    await turn.say(
        "quiz.feedback",
        question=question,
        outcome=outcome,
        chosen=question.choices[int(answer)] if answer != SKIP else "",
        right_answer=question.choices[question.answer],
        position=position,
        total=len(items),
        topic=topic_name(question.topic, attempt.locale),
        replaces_prompt=True,
    )
    if position < len(items) and items[position].outcome is None:
        await turn.uow.show_quiz_item(attempt.id, position + 1, turn.now)
        await send_question(
            turn, turn.person, attempt, items[position].question, position + 1, len(items)
        )
        return
    await turn.uow.finish_quiz(attempt.id, turn.now)
    outcomes = [item.outcome for item in items[: position - 1]] + [outcome]
    outcomes += [item.outcome for item in items[position:]]
    right = outcomes.count(RIGHT)
    skipped = outcomes.count(SKIPPED)
    await turn.say("quiz.score", right=right, total=len(items), skipped=skipped)


async def explain_stale(turn: Turn, rest: str) -> None:
    """A quiz button whose prompt is gone: say why when it is the person's own quiz (expired,
    or that question answered already); otherwise leave the generic refusal."""
    parsed = _parsed(rest)
    attempt = await _own_attempt(turn, parsed[0]) if parsed is not None else None
    if parsed is None or attempt is None or attempt.id is None:
        return
    _refuse_if_expired(turn, attempt)
    items = await turn.uow.quiz_items(attempt.id)
    position = parsed[1]
    if 1 <= position <= len(items) and items[position - 1].outcome is not None:
        raise UserError("errors.quiz_already_answered")


async def quiz_question_open(turn: Turn, value: str) -> bool:
    """Whether the quiz question a button (``quiz:…``) belongs to still waits for an answer:
    not answered, and its quiz not ended. A bare number then reaches it; otherwise it goes to
    the question before."""
    parsed = _parsed(value.partition(":")[2])
    attempt = await _own_attempt(turn, parsed[0]) if parsed is not None else None
    if parsed is None or attempt is None or attempt.id is None or attempt.expires_at <= turn.now:
        return False
    items = await turn.uow.quiz_items(attempt.id)
    position = parsed[1]
    return 1 <= position <= len(items) and items[position - 1].outcome is None
