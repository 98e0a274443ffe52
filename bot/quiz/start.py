"""Starting a quiz: the one entry point, whatever asked for it (a logged session, a workshop).

``start_quiz(turn, person, topics, origin, program_id=…)`` picks three questions on the topics,
stores the attempt and sends its first question to the person — in the turn's replies when
they are the one speaking, else through the outbox in their language and working hours (at once
for the speaker of a follow-up, ``bot.follow_ups``). The
rest of the quiz is the person's clicks (``bot.quiz.answer``).

How the questions are picked: the program's own questions in the person's language come before
the default bank's; a question the person was shown already comes only once every question of
its topic was; the three go to as many different topics as there are, the topics with the most
questions left first. The same origin gives one quiz per person, however often it is started,
and a person with a quiz started in the last day and not finished gets no other one yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.domain import EnrollmentStatus, Pair, Person, SessionLog
from bot.quiz.bank import default_bank, topic_key, topic_name, topics_in_text
from bot.quiz.ports import QuizAttempt
from bot.quiz.questions import Question, question_of
from bot.turn import Turn

QUESTIONS = 3
# A quiz left open for less than this is not joined by another one: thirteen sessions logged in
# a day give one quiz, not thirteen.
ONE_QUIZ_AT_A_TIME = timedelta(days=1)
# Long enough for a busy week, short enough that the quiz still speaks of a fresh session.
QUIZ_LIFETIME = timedelta(days=7)
CHOICE_PREFIX = "quiz"
SKIP = "skip"


async def start_quiz(
    turn: Turn,
    person: Person,
    topics: Sequence[str],
    origin: str,
    *,
    program_id: int | None,
) -> QuizAttempt | None:
    """Send ``person`` a three-question quiz on ``topics`` (catalogue names in any language,
    topic keys, or the program's own topics). ``origin`` says what it follows, e.g.
    ``"session:<log id>"`` or ``"workshop:<id>"``. Returns the attempt, or None when no
    question fits the topics or this origin already gave the person a quiz."""
    assert person.id is not None
    if await turn.uow.quiz_in_the_way(person.id, origin, since=turn.now - ONE_QUIZ_AT_A_TIME):
        return None
    locale = await turn.locale_of(person)
    program = await turn.uow.program(program_id) if program_id is not None else None
    own_topics = [*program.topics, *program.reciprocal_topics] if program is not None else []
    keys = list(dict.fromkeys(k for k in (topic_key(t, own_topics) for t in topics) if k))
    pools = await _pools(turn, program_id, locale, keys)
    chosen = _pick(pools, await turn.uow.questions_seen(person.id))
    if not chosen:
        return None
    shown = [q.shuffled(f"{origin}:{person.id}:{q.ref}") for q in chosen]
    attempt = await turn.uow.add_quiz(
        QuizAttempt(
            person_id=person.id,
            program_id=program_id,
            origin=origin,
            locale=locale,
            created_at=turn.now,
            expires_at=turn.now + QUIZ_LIFETIME,
        ),
        shown,
    )
    await send_question(turn, person, attempt, shown[0], 1, len(shown), first=True)
    return attempt


async def _pools(
    turn: Turn, program_id: int | None, locale: str, keys: Sequence[str]
) -> dict[str, list[Question]]:
    """topic key -> its questions, the program's own first."""
    pools: dict[str, list[Question]] = {key: [] for key in keys}
    if program_id is not None and keys:
        for question_id, imported in await turn.uow.imported_questions(program_id, locale, keys):
            pools[imported.topic].append(
                question_of(
                    f"imported:{question_id}",
                    imported.topic,
                    imported.text,
                    imported.choices,
                    imported.explanation,
                )
            )
    bank = default_bank(locale)
    for key in keys:
        if key in bank:
            pools[key].extend(bank[key].questions)
    return {key: pool for key, pool in pools.items() if pool}


def _pick(pools: dict[str, list[Question]], seen: dict[str, int]) -> list[Question]:
    chosen: list[Question] = []
    used = {key: 0 for key in pools}
    order = list(pools)
    while len(chosen) < QUESTIONS:
        left = {key: [q for q in pool if q not in chosen] for key, pool in pools.items()}
        candidates = [key for key in order if left[key]]
        if not candidates:
            break

        unseen = {key: sum(1 for q in left[key] if not seen.get(q.ref)) for key in candidates}
        key = min(candidates, key=lambda k: (used[k], -unseen[k], order.index(k)))
        # Fewest times shown first; among equals, the order of the pool (the program's first).
        question = min(left[key], key=lambda q: seen.get(q.ref, 0))
        chosen.append(question)
        used[key] += 1
    return chosen


async def send_question(
    turn: Turn,
    person: Person,
    attempt: QuizAttempt,
    question: Question,
    position: int,
    total: int,
    *,
    first: bool = False,
) -> None:
    """Show the question at ``position`` (of ``total``) with its choices and a Skip button."""
    assert attempt.id is not None
    locale = attempt.locale
    choices = [
        await turn.choice(
            "quiz.choice", f"{CHOICE_PREFIX}:{attempt.id}:{position}:{i}", person, label=label
        )
        for i, label in enumerate(question.choices)
    ]
    choices.append(
        await turn.choice("quiz.skip", f"{CHOICE_PREFIX}:{attempt.id}:{position}:{SKIP}", person)
    )
    variables: dict[str, Any] = {
        "question": question,
        "position": position,
        "total": total,
        "topic": topic_name(question.topic, locale),
        "first": first,
    }
    speaker = person.id == turn.person_id
    if speaker and turn.speaking:
        await turn.say("quiz.question", choices=tuple(choices), **variables)
    else:
        await turn.notify(
            person,
            "quiz.question",
            key=f"quiz:{attempt.id}:{position}",
            purpose="quiz",
            choices=tuple(choices),
            # The speaker of a follow-up has just spoken: at work, whatever their hours say.
            at_once=speaker,
            **variables,
        )


async def after_logged_session(turn: Turn, arguments: dict[str, Any]) -> None:
    """The follow-up a logged session defers (``bot.follow_ups``): its mentee's quiz, unless
    the log was undone or the pair is gone meanwhile."""
    log = await turn.uow.session_log(int(arguments["log_id"]))
    pair = await turn.uow.pair(log.pair_id) if log is not None else None
    if log is not None and pair is not None:
        await quiz_after_session(turn, pair, log)


async def quiz_after_session(turn: Turn, pair: Pair, log: SessionLog) -> QuizAttempt | None:
    """The mentee's quiz after a logged session: on the catalogue topics the session's topics
    name, else on the topics the mentee chose at intake (highest priority first), else on every
    topic the mentees of the program learn."""
    enrollment = (
        await turn.uow.enrollment(pair.mentee_enrollment_id) if pair.mentee_enrollment_id else None
    )
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE or log.id is None:
        return None  # nobody to ask, or a mentee who paused or left: no quiz to chase them
    mentee = await turn.uow.person(enrollment.person_id)
    program = await turn.uow.program(pair.program_id)
    if mentee is None or program is None:
        return None
    topics = topics_in_text(log.topics, [*program.topics, *program.reciprocal_topics])
    if not topics and pair.mentee_enrollment_id is not None:
        profile = await turn.uow.profile_of(pair.mentee_enrollment_id)
        wants = profile.wants if profile is not None else {}
        topics = sorted(wants, key=lambda topic: -wants[topic])
    return await start_quiz(
        turn, mentee, topics or list(program.topics), f"session:{log.id}", program_id=program.id
    )
