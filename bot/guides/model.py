"""What a guide is made of, whether it ships with Tandem or an owner imported it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

MAX_QUESTIONS = 3
MAX_RESOURCES = 5


class Stage(StrEnum):
    """Where a tandem stands in its sessions: the guide for a first meeting is not the last's."""

    FIRST = "first"
    MIDDLE = "middle"
    LAST = "last"


@dataclass(frozen=True)
class Resource:
    title: str
    # Left out where no stable address is known: the title is enough to find it.
    url: str | None = None

    @classmethod
    def from_data(cls, data: Any) -> Resource:
        """A resource written as "Title" or "Title — https://…", or as {title, url}."""
        if isinstance(data, dict):
            url = str(data.get("url") or "").strip() or None
            return cls(str(data.get("title") or "").strip(), url)
        text = str(data).strip()
        for separator in (" — ", " - ", " | "):
            title, found, url = text.rpartition(separator)
            if found and url.strip().startswith(("http://", "https://")):
                return cls(title.strip(), url.strip())
        if text.startswith(("http://", "https://")):
            return cls(text, text)
        return cls(text)

    def to_data(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url} if self.url else {"title": self.title}


@dataclass(frozen=True)
class Guide:
    """One meeting's guide for the mentor, as shown: every part filled in."""

    topic: str
    stage: Stage
    goal: str
    questions: tuple[str, ...]
    exercise: str
    prepare: str
    resources: tuple[Resource, ...]
    # True when the program's owners wrote (part of) it.
    from_owners: bool = False


@dataclass(eq=False)
class OwnerGuide:
    """A guide an owner imported for one topic of their program; stored (migration 0017).

    ``stage`` None: for every stage; ``locale`` None: for everyone, whatever their language.
    ``topic`` is spelt as the program lists it."""

    program_id: int
    topic: str
    goal: str
    questions: list[str] = field(default_factory=list)
    exercise: str = ""
    prepare: str = ""
    resources: list[dict[str, str]] = field(default_factory=list)
    stage: str | None = None
    locale: str | None = None
    # Where it was in the imported file, for the owner to find it again.
    line: int = 0
    imported_at: datetime | None = None
    id: int | None = None
