"""Which guide a pair gets: its topic, its stage, and the owners' guides before the defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain import Charter, Profile, Program
from bot.guides.choice import GuideBook, pair_topics, sessions_target, stage_of
from bot.guides.library import default_library
from bot.guides.model import OwnerGuide, Stage
from bot.i18n import Renderer

renderer = Renderer()


def _program(locale: str = "en") -> Program:
    # Six sessions every two weeks from 2 November: the program ends on 25 January.
    return Program(
        name="Pilot",
        starts_on=date(2026, 11, 2),
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
        locale=locale,
        timezone="Europe/Paris",
        sessions_planned=6,
        cadence_days=14,
        topics=renderer.lines(locale, "catalogue.digital"),
        reciprocal_topics=renderer.lines(locale, "catalogue.reciprocal"),
    )


def test_the_stage_follows_the_sessions_logged_and_the_program_s_last_weeks() -> None:
    program = _program()
    early = date(2026, 11, 20)
    assert stage_of(program, 0, 6, early) == Stage.FIRST
    assert stage_of(program, 2, 6, early) == Stage.MIDDLE
    assert stage_of(program, 5, 6, early) == Stage.LAST
    # The last two weeks close the tandem, unless it never met.
    assert stage_of(program, 2, 6, date(2027, 1, 12)) == Stage.LAST
    assert stage_of(program, 0, 6, date(2027, 1, 20)) == Stage.FIRST
    # The charter's number of meetings wins over the program's.
    charter = Charter(pair_id=1, meetings=3)
    assert sessions_target(program, charter) == 3 and sessions_target(program, None) == 6
    assert stage_of(program, 2, sessions_target(program, charter), early) == Stage.LAST


def test_the_pair_s_topic_is_what_the_mentee_wants_most_among_what_the_mentor_teaches() -> None:
    program = _program()
    social, seo, ai = program.topics[0], program.topics[1], program.topics[8]
    mentor = Profile(enrollment_id=1, teaches={social: 3, ai: 5, "Knitting": 5})
    mentee = Profile(enrollment_id=2, wants={seo: 5, social: 4, ai: 4})
    # SEO is wanted most but nobody teaches it; between equals, the mentor's level decides.
    assert pair_topics(program, mentor, mentee) == [ai, social]
    # Nothing in common: what the mentee wants; nobody wants anything: what the mentor teaches.
    assert pair_topics(program, Profile(enrollment_id=1), mentee) == [seo, ai, social]
    assert pair_topics(program, mentor, None) == [ai, social]
    assert pair_topics(program, None, None) == []


def test_an_owner_guide_for_the_stage_and_language_comes_first() -> None:
    program = _program()
    topic = program.topics[3]  # Cybersecurity hygiene

    def own(goal: str, stage: str | None, locale: str | None, line: int) -> OwnerGuide:
        return OwnerGuide(
            program_id=1,
            topic=topic,
            goal=goal,
            questions=["Why?"],
            stage=stage,
            locale=locale,
            line=line,
        )

    book = GuideBook(
        default_library(),
        [
            own("Any stage, anyone", None, None, 1),
            own("First, in French", "first", "fr", 2),
            own("First, anyone", "first", None, 3),
        ],
    )
    default_first = default_library().topic("cybersecurity", "en").guide(Stage.FIRST)  # type: ignore[union-attr]
    first_en = book.guide(topic, Stage.FIRST, "en")
    assert first_en is not None and first_en.goal == "First, anyone" and first_en.from_owners
    assert first_en.questions == ("Why?",) and first_en.exercise == default_first.exercise
    first_fr = book.guide(topic, Stage.FIRST, "fr")
    assert first_fr is not None and first_fr.goal == "First, in French"
    assert first_fr.topic == "Bonnes pratiques de cybersécurité"
    last = book.guide(topic, Stage.LAST, "en")
    assert last is not None and last.goal == "Any stage, anyone"
    # Other topics keep their default guide; a topic outside the catalogue has none.
    blockchain = book.guide(program.topics[14], Stage.LAST, "en")
    assert blockchain is not None and not blockchain.from_owners
    assert book.guide("Our CRM", Stage.FIRST, "en") is None
