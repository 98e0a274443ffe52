"""Every topic of the default catalogue has a guide for each stage, in French and in English,
with every part a mentor needs; and the topic is the same one in both languages."""

from __future__ import annotations

import pytest
import yaml

from bot.guides.library import GUIDES_FOLDER, GuideLibrary, default_library
from bot.guides.model import Stage
from bot.i18n import PROMPTS_DIR, Renderer
from bot.settings import SUPPORTED_LOCALES

renderer = Renderer()


def _catalogue(locale: str) -> list[str]:
    return [
        *renderer.lines(locale, "catalogue.digital"),
        *renderer.lines(locale, "catalogue.reciprocal"),
    ]


def test_every_catalogue_topic_has_a_guide_file_with_the_same_key_in_every_locale() -> None:
    library = default_library()
    keys = {locale: set(library.topics(locale)) for locale in SUPPORTED_LOCALES}
    assert keys["fr"] == keys["en"]
    # The catalogues list the same topics in the same order: the n-th French topic is the
    # n-th English one, and both lead to the same guide.
    french, english = _catalogue("fr"), _catalogue("en")
    assert len(french) == len(english) == len(keys["en"]) == 22
    for fr_topic, en_topic in zip(french, english, strict=True):
        key = library.key_of(en_topic)
        assert key is not None, en_topic
        assert library.key_of(fr_topic) == key, (fr_topic, en_topic)
        assert library.topic(key, "en").name == en_topic  # type: ignore[union-attr]
        assert library.topic(key, "fr").name == fr_topic  # type: ignore[union-attr]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_guide_has_a_goal_three_questions_an_exercise_preparation_and_resources(
    locale: str,
) -> None:
    library = default_library()
    for topic in _catalogue(locale):
        default = library.topic(library.key_of(topic), locale)
        assert default is not None, topic
        assert default.real_case, topic
        for stage in Stage:
            guide = default.guide(stage)
            where = (locale, default.key, stage.value)
            assert len(guide.goal) >= 20, where
            assert len(guide.questions) == 3, where
            assert len(set(guide.questions)) == 3, where
            assert all(q.endswith("?") for q in guide.questions), where
            assert len(guide.exercise) >= 20 and len(guide.prepare) >= 15, where
            assert 2 <= len(guide.resources) <= 3, where
            for resource in guide.resources:
                assert resource.title, where
                assert resource.url is None or resource.url.startswith("https://"), where
        # Three different meetings, not one guide three times.
        assert len({default.guide(stage).goal for stage in Stage}) == 3


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_default_guide_renders_in_full(locale: str) -> None:
    library = default_library()
    for default in library.topics(locale).values():
        for stage in Stage:
            guide = default.guide(stage)
            text = renderer.render(locale, "guides.shown", guide=guide, other_topics=[])
            assert guide.goal in text and guide.exercise in text and guide.prepare in text
            assert all(question in text for question in guide.questions)
            assert all(resource.title in text for resource in guide.resources)


def test_guide_files_hold_only_known_fields() -> None:
    known = {"topic", "real_case", "resources", *(stage.value for stage in Stage)}
    parts = {"goal", "questions", "exercise", "prepare", "resources"}
    for locale in SUPPORTED_LOCALES:
        for path in (PROMPTS_DIR / locale / GUIDES_FOLDER).glob("*.yaml"):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            assert set(data) <= known, path
            for stage in Stage:
                assert set(data[stage.value]) <= parts, (path, stage)


def test_a_library_without_a_locale_folder_is_empty(tmp_path: object) -> None:
    library = GuideLibrary(PROMPTS_DIR.parent / "no-such-folder")
    assert library.topics("en") == {} and library.key_of("Blockchain") is None
