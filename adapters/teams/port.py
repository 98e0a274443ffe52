"""Teams' side of the outbox: nudges, reminders and digests written first by the bot.

People are written to in their personal chat (see ``proactive``); digests go to the channel
whose reference an owner stored with ``tandem digest channel here``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from adapters.teams.activities import PLATFORM
from adapters.teams.app import TeamsApp
from bot.domain import Person
from bot.messages import Message
from bot.ports import DeliveryError, Pace
from bot.settings import Settings


class TeamsChatPort:
    platform = PLATFORM

    def __init__(self, app: TeamsApp, pace: Pace) -> None:
        self.app = app
        self.pace: Pace | None = pace

    @classmethod
    def from_app(cls, app: TeamsApp, settings: Settings) -> TeamsChatPort:
        pace = Pace(
            per_second=settings.teams_messages_per_second,
            burst=settings.teams_burst,
            # Teams allows 7 a second in one conversation but only 60 in 30 seconds.
            per_conversation_per_second=2.0,
        )
        return cls(app, pace)

    async def send_to_person(self, person: Person, message: Message, key: str) -> str:
        reference = (person.address or {}).get("reference")
        return await self.app.proactive.to_person(
            person.workspace, person.user_id, reference, message, attempts=1
        )

    async def post_to_channel(self, channel: dict[str, Any], message: Message, key: str) -> str:
        reference = channel.get("reference")
        if not reference:
            raise DeliveryError("teams channel without a conversation reference", transient=False)
        try:
            return await self.app.proactive.continue_with(reference, message, attempts=1)
        except DeliveryError as error:
            if not error.unreachable:
                raise
            # The bot was removed from the team or the channel: the owners are told, nobody
            # is marked unreachable.
            raise DeliveryError(error.reason, transient=False, channel_refused=True) from error

    async def find_sent(
        self,
        keys: Collection[str],
        person: Person | None,
        channel: dict[str, Any] | None,
        since: datetime,
    ) -> dict[str, str]:
        # The Bot Connector lets a bot write to a conversation, not read it back: a send whose
        # outcome a crash lost is sent again (at least once, never lost).
        return {}

    async def close(self) -> None:
        return None
