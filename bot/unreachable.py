"""Owners are told when a participant can no longer be reached (they blocked the bot, removed
the app, left the workspace): nudges and check-ins stop reaching them, and only a person can
find out why."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import OutboxMessage, Person, Program
from bot.i18n import Renderer
from bot.messages import Message
from bot.ports import UnitOfWork
from bot.scheduling.working_hours import WorkingHours
from bot.turn import EngineConfig


class UnreachableNotice:
    """Queues, in the same transaction that marks the person unreachable, a note to each owner
    of each of their programs, in the owner's language and working hours."""

    def __init__(self, renderer: Renderer, config: EngineConfig) -> None:
        self.renderer = renderer
        self.config = config

    async def __call__(self, uow: UnitOfWork, person: Person, now: datetime) -> None:
        assert person.id is not None
        for enrollment in await uow.enrollments_of_person(person.id):
            program = await uow.program(enrollment.program_id)
            if program is None or program.id is None:
                continue
            for owner in await uow.owners_of(program.id):
                if owner.id is None or owner.id == person.id or owner.unreachable:
                    continue
                locale = self.renderer.locale_for(
                    owner.locale or program.locale, self.config.default_locale
                )
                text = self.renderer.render(
                    locale,
                    "owner.person_unreachable",
                    name=person.display_name,
                    program=program.name,
                    platform=person.platform,
                )
                # Once per time they become unreachable: a later episode is told again.
                key = f"unreachable:{person.id}:{program.id}:{owner.id}:{now.isoformat()}"
                await tell_owner(uow, owner, program, text, key, "unreachable_owner", now)


class ChannelRefusedNotice:
    """Queues, in the transaction that records the failed post, a note to each owner of each
    open program whose digest goes to the channel that refused it: how to let the bot in."""

    def __init__(self, renderer: Renderer, config: EngineConfig) -> None:
        self.renderer = renderer
        self.config = config

    async def __call__(self, uow: UnitOfWork, refused: OutboxMessage, now: datetime) -> None:
        channel = refused.channel or {}
        for program in await uow.open_programs():
            if program.id is None or not _same_channel(program, channel):
                continue
            for owner in await uow.owners_of(program.id):
                if owner.id is None or owner.unreachable:
                    continue
                locale = self.renderer.locale_for(
                    owner.locale or program.locale, self.config.default_locale
                )
                text = self.renderer.render(
                    locale,
                    "owner.digest_channel_refused",
                    program=program.name,
                    channel=str(channel.get("channel", "")),
                )
                key = f"channel_refused:{refused.id}:{program.id}:{owner.id}"
                await tell_owner(uow, owner, program, text, key, "channel_refused_owner", now)


def _same_channel(program: Program, channel: dict[str, object]) -> bool:
    digest = program.digest_channel or {}
    return bool(digest) and all(
        digest.get(part) == channel.get(part) for part in ("platform", "workspace", "channel")
    )


async def tell_owner(
    uow: UnitOfWork,
    owner: Person,
    program: Program,
    text: str,
    key: str,
    purpose: str,
    now: datetime,
) -> None:
    """Queues ``text`` to an owner, for their next working moment."""
    zone = ZoneInfo(owner.timezone or program.timezone)
    hours = WorkingHours.from_overrides(owner.working_hours)
    await uow.enqueue(
        OutboxMessage(
            key=key,
            purpose=purpose,
            platform=owner.platform,
            person_id=owner.id,
            payload=Message(text=text).to_payload(),
            created_at=now,
            not_before=hours.next_working_moment(now, zone),
        )
    )
