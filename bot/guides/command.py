"""``/tandem guide [topic]``, and the guide shown when a session is planned."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.commands.grammar import Command
from bot.domain import Enrollment, Pair, Program, Role
from bot.errors import UserError
from bot.guides.model import Stage
from bot.guides.pairs import guide_book, pair_guide_facts
from bot.guides.topics import matching_topics
from bot.turn import Turn


async def guide(turn: Turn, command: Command) -> None:
    """The guide of the topic named, else of the pair's own topic, at the pair's stage."""
    typed = " ".join(command.args).strip()
    locale = await turn.locale_of(turn.person)
    enrollment = await turn.current_enrollment()
    program = await turn.uow.program(enrollment.program_id) if enrollment else None
    pair = await turn.uow.active_pair_of(enrollment.id) if enrollment and enrollment.id else None
    book = await guide_book(turn.uow, program)
    topics = _catalogue(turn, program, locale)
    with_guide = [book.topic_name(t, locale) for t in topics if book.has_guide(t)]
    pair_topics: list[str] = []
    stage = Stage.FIRST
    if program is not None and pair is not None:
        facts = await pair_guide_facts(turn.uow, program, pair, turn.today_for(turn.person))
        pair_topics, stage = facts.topics, facts.stage
    if typed:
        matches = matching_topics(typed, topics, book.library)
        if not matches:
            raise UserError("guides.unknown_topic", typed=typed, topics=with_guide)
        if len(matches) > 1:
            names = [book.topic_name(t, locale) for t in matches]
            raise UserError("guides.ambiguous_topic", typed=typed, topics=names)
        topic = matches[0]
    elif pair_topics:
        topic = pair_topics[0]
    else:
        raise UserError("guides.no_pair_topic", topics=with_guide)
    shown = book.guide(topic, stage, locale)
    if shown is None:
        raise UserError(
            "guides.no_guide_for_topic", topic=book.topic_name(topic, locale), topics=with_guide
        )
    others = [book.topic_name(t, locale) for t in pair_topics if t != topic]
    await turn.say("guides.shown", guide=shown, other_topics=others)


def _catalogue(turn: Turn, program: Program | None, locale: str) -> list[str]:
    """The topics one may ask about: the program's, else the default catalogue's."""
    if program is not None:
        return [*program.topics, *program.reciprocal_topics]
    return [
        *turn.renderer.lines(locale, "catalogue.digital"),
        *turn.renderer.lines(locale, "catalogue.reciprocal"),
    ]


async def show_with_plan(
    turn: Turn, enrollment: Enrollment, pair: Pair, starts_at: datetime
) -> None:
    """After ``/session plan``: the mentor sees the session's guide, the mentee a short note."""
    program = await turn.uow.program(pair.program_id)
    if program is None:
        return
    on = starts_at.astimezone(ZoneInfo(turn.timezone_of(turn.person))).date()
    facts = await pair_guide_facts(turn.uow, program, pair, on)
    if facts.topic is None:
        return
    locale = await turn.locale_of(turn.person)
    book = await guide_book(turn.uow, program)
    if enrollment.role == Role.MENTOR:
        shown = book.guide(facts.topic, facts.stage, locale)
        if shown is not None:
            others = [book.topic_name(t, locale) for t in facts.topics[1:]]
            await turn.say("guides.planned_mentor", guide=shown, other_topics=others)
    else:
        await turn.say(
            "guides.planned_mentee",
            topic=book.topic_name(facts.topic, locale),
            real_case=book.real_case(facts.topic, locale),
        )
