"""The console's ChatPort: what the bot sends on its own lands in the session's transcript."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain import Person
from bot.messages import Message
from bot.ports import Pace

PLATFORM = "console"
WORKSPACE = "console"


@dataclass(frozen=True)
class Delivery:
    """One message as a person (or a channel) saw it in the console."""

    recipient: str
    message: Message
    kind: str  # "reply" to the speaker, "push" from the outbox, "channel" post
    key: str | None = None
    # When it arrived on the virtual clock; shown for what arrives while time is skipped.
    at: datetime | None = None
    timed: bool = False

    @property
    def text(self) -> str:
        """The message as the terminal shows it: a file it carries is printed after it."""
        attachment = self.message.attachment
        if attachment is None:
            return self.message.text
        return f"{self.message.text}\n📎 {attachment.filename}\n{attachment.content}"


class ConsoleChatPort:
    platform = PLATFORM
    pace: Pace | None = None  # a terminal has no rate limit

    def __init__(self, on_delivery: Callable[[Delivery], None]) -> None:
        self._on_delivery = on_delivery
        self._ids = itertools.count(1)
        self._sent: dict[str, str] = {}

    async def send_to_person(self, person: Person, message: Message, key: str) -> str:
        self._on_delivery(Delivery(person.user_id, message, "push", key=key))
        return self._remember(key)

    async def post_to_channel(self, channel: dict[str, Any], message: Message, key: str) -> str:
        self._on_delivery(Delivery(f"#{channel['channel']}", message, "channel", key=key))
        return self._remember(key)

    async def find_sent(
        self,
        keys: Collection[str],
        person: Person | None,
        channel: dict[str, Any] | None,
        since: datetime,
    ) -> dict[str, str]:
        return {key: self._sent[key] for key in keys if key in self._sent}

    async def close(self) -> None:
        return None

    def _remember(self, key: str) -> str:
        self._sent[key] = f"console-{next(self._ids)}"
        return self._sent[key]
