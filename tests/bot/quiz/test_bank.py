"""Every default question follows the rules, in both languages, for every catalogue topic."""

from __future__ import annotations

import yaml

from bot.i18n import PROMPTS_DIR, Renderer
from bot.quiz.bank import BANK_FOLDER, default_bank, topic_key, topics_in_text
from bot.quiz.questions import MAX_CHOICE_LENGTH, RIGHT_MARK
from bot.settings import SUPPORTED_LOCALES


def test_every_topic_of_the_default_catalogue_has_at_least_eight_questions() -> None:
    renderer = Renderer()
    for locale in SUPPORTED_LOCALES:
        catalogue = renderer.lines(locale, "catalogue.digital") + renderer.lines(
            locale, "catalogue.reciprocal"
        )
        bank = default_bank(locale)
        assert sorted(topic.name for topic in bank.values()) == sorted(catalogue), locale
        assert all(len(topic.questions) >= 8 for topic in bank.values()), locale


def test_both_languages_hold_the_same_questions_in_the_same_order() -> None:
    english, french = default_bank("en"), default_bank("fr")
    assert sorted(english) == sorted(french)
    for key in english:
        assert [q.ref for q in english[key].questions] == [q.ref for q in french[key].questions]
        for en, fr in zip(english[key].questions, french[key].questions, strict=True):
            assert len(en.choices) == len(fr.choices), en.ref


def test_every_question_has_one_right_answer_and_choices_that_fit_a_button() -> None:
    for locale in SUPPORTED_LOCALES:
        for path in sorted((PROMPTS_DIR / locale / BANK_FOLDER).glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for number, item in enumerate(data["questions"], start=1):
                where = f"{path.relative_to(PROMPTS_DIR)} question {number}"
                choices = [str(c) for c in item["choices"]]
                assert sum(c.startswith(RIGHT_MARK) for c in choices) == 1, where
                assert 2 <= len(choices) <= 5, where
                assert all(
                    0 < len(c.removeprefix(RIGHT_MARK)) <= MAX_CHOICE_LENGTH for c in choices
                )
                assert len(set(choices)) == len(choices), where
                assert str(item["q"]).strip() and str(item["why"]).strip(), where
                assert "\n" not in str(item["why"]).strip(), where


def test_topics_are_found_by_name_in_either_language_and_by_keywords() -> None:
    assert topic_key("Négociation") == topic_key("negotiation") == "negotiation"
    assert topic_key("Cybersecurity hygiene") == "cybersecurity"
    assert topic_key("Onboarding", ["Onboarding"]) == "Onboarding"
    assert topic_key("Knitting") is None
    assert topics_in_text("LinkedIn basics, then privacy settings") == [
        "social-networks",
        "privacy",
    ]
    assert topics_in_text("Prise de parole et négociation salariale") == [
        "public-speaking",
        "negotiation",
    ]
    assert topics_in_text("Our onboarding plan", ["Onboarding"]) == ["Onboarding"]
    # A word inside another is not a mention ("said" holds no "ai").
    assert topics_in_text("Lunch, nothing said about work") == []
