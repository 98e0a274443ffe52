"""The guides that ship with Tandem: one YAML file a topic of the default catalogue and a locale,
``prompts/<locale>/guides/<key>.yaml``, the same keys in every locale.

A topic is known by its key (``cybersecurity``) across languages: a French program lists
"Bonnes pratiques de cybersécurité" where an English one lists "Cybersecurity hygiene", and both
find the same guide in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.commands.vocabulary import plain
from bot.guides.model import Guide, Resource, Stage
from bot.i18n import PROMPTS_DIR
from bot.settings import SUPPORTED_LOCALES

GUIDES_FOLDER = "guides"
# The C parser when PyYAML has it: the pure-Python one takes a second for the whole library.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class StageText:
    goal: str
    questions: tuple[str, ...]
    exercise: str
    prepare: str
    resources: tuple[Resource, ...] = ()


@dataclass(frozen=True)
class DefaultTopic:
    key: str
    locale: str
    name: str
    # What the mentee might bring: "a post you hesitated to publish".
    real_case: str
    resources: tuple[Resource, ...]
    stages: dict[Stage, StageText]

    def guide(self, stage: Stage, name: str | None = None) -> Guide:
        text = self.stages[stage]
        return Guide(
            topic=name or self.name,
            stage=stage,
            goal=text.goal,
            questions=text.questions,
            exercise=text.exercise,
            prepare=text.prepare,
            resources=text.resources or self.resources,
        )


def topic_words(text: str) -> str:
    """A topic compared without case, accents, or the spaces and punctuation around words."""
    return " ".join(plain(text).replace("’", "'").split())


class GuideLibrary:
    """The default guides of every locale, read once."""

    def __init__(self, prompts_dir: Path = PROMPTS_DIR) -> None:
        self._topics: dict[str, dict[str, DefaultTopic]] = {
            locale: _read_folder(prompts_dir / locale / GUIDES_FOLDER, locale)
            for locale in SUPPORTED_LOCALES
        }
        self._keys: dict[str, str] = {}
        for by_key in self._topics.values():
            for key, topic in by_key.items():
                self._keys[topic_words(topic.name)] = key
                self._keys[topic_words(key.replace("_", " "))] = key

    def topics(self, locale: str) -> dict[str, DefaultTopic]:
        return self._topics[locale]

    def key_of(self, topic: str) -> str | None:
        """The key of a catalogue topic written in any supported language, else None."""
        return self._keys.get(topic_words(topic))

    def names_of(self, key: str) -> list[str]:
        """The topic's name in every locale."""
        return [by_key[key].name for by_key in self._topics.values() if key in by_key]

    def topic(self, key: str | None, locale: str) -> DefaultTopic | None:
        return self._topics[locale].get(key) if key else None


@cache
def default_library() -> GuideLibrary:
    return GuideLibrary()


def _read_folder(folder: Path, locale: str) -> dict[str, DefaultTopic]:
    if not folder.is_dir():
        return {}
    return {
        path.stem: _topic(
            path.stem, locale, yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        )
        for path in sorted(folder.glob("*.yaml"))
    }


def _topic(key: str, locale: str, data: dict[str, Any]) -> DefaultTopic:
    return DefaultTopic(
        key=key,
        locale=locale,
        name=str(data["topic"]).strip(),
        real_case=str(data.get("real_case", "")).strip(),
        resources=tuple(Resource.from_data(item) for item in data.get("resources") or ()),
        stages={stage: _stage(data.get(stage.value) or {}) for stage in Stage},
    )


def _stage(data: dict[str, Any]) -> StageText:
    return StageText(
        goal=str(data.get("goal", "")).strip(),
        questions=tuple(str(q).strip() for q in data.get("questions") or ()),
        exercise=str(data.get("exercise", "")).strip(),
        prepare=str(data.get("prepare", "")).strip(),
        resources=tuple(Resource.from_data(item) for item in data.get("resources") or ()),
    )
