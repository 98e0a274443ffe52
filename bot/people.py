"""Who is speaking, and who is being talked about (``@someone`` in a command)."""

from __future__ import annotations

from datetime import datetime

from bot.domain import Person
from bot.errors import UserError
from bot.events import Sender
from bot.ports import UnitOfWork
from bot.turn import Turn


async def person_of_sender(uow: UnitOfWork, sender: Sender) -> Person | None:
    """The person Tandem knows behind a platform identity. Someone a roster import found in
    the company's directory, known until now by their directory id, takes their platform id
    at their first activity."""
    person = await uow.person_by_identity(sender.platform, sender.workspace, sender.user_id)
    if person is None and sender.directory_id and sender.directory_id != sender.user_id:
        person = await uow.person_by_identity(
            sender.platform, sender.workspace, sender.directory_id
        )
        if person is not None:
            person.user_id = sender.user_id
            await uow.flush()
    return person


async def resolve_sender(uow: UnitOfWork, sender: Sender, now: datetime) -> Person:
    """The person behind a platform identity, created at first contact and kept up to date."""
    person = await person_of_sender(uow, sender)
    if person is None:
        person = Person(
            platform=sender.platform,
            workspace=sender.workspace,
            user_id=sender.user_id,
            display_name=sender.display_name or sender.user_id,
            created_at=now,
            locale=sender.locale,
            timezone=sender.timezone,
            address=sender.address,
            email=sender.email,
        )
        uow.add(person)
        await uow.flush()
        return person
    if sender.display_name and person.display_name != sender.display_name:
        person.display_name = sender.display_name
    if sender.address and person.address != sender.address:
        person.address = sender.address
    if sender.timezone and not person.timezone:
        person.timezone = sender.timezone
    # The platform's directory is the current truth of an address (a roster may be older).
    if sender.email and person.email != sender.email:
        person.email = sender.email
    # Someone who writes to the bot can be reached again.
    person.unreachable = False
    return person


def mention_id(token: str) -> str:
    """``@alice`` -> ``alice``; adapters turn their platform's mentions into this form."""
    if not token.startswith("@") or len(token) < 2:
        raise UserError("errors.not_a_mention", value=token)
    return token[1:]


async def resolve_mention(turn: Turn, token: str) -> Person:
    """The person named in a command, in the speaker's workspace; known from now on."""
    user_id = mention_id(token)
    sender = turn.person
    person = await turn.uow.person_by_identity(sender.platform, sender.workspace, user_id)
    name = turn.event.mentions.get(user_id)
    if person is None:
        person = Person(
            platform=sender.platform,
            workspace=sender.workspace,
            user_id=user_id,
            display_name=name or user_id,
            created_at=turn.now,
        )
        turn.uow.add(person)
        await turn.uow.flush()
    elif name and person.display_name == person.user_id:
        person.display_name = name
    return person
