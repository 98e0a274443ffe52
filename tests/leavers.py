"""What the leavers' tests share: an owner and a waiting candidate added to a seeded program,
and what the database says of a person, a pair and the messages owed to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain import Enrollment, OutboxMessage, Person, Profile, ProgramOwner, Role
from bot.main import Runtime
from bot.messages import Message


async def add_owner_and_candidate(
    runtime: Runtime,
    pair_id: int,
    *,
    owner: tuple[str, str],
    candidate: tuple[str, str],
) -> None:
    """``owner`` owns the pair's program; ``candidate`` (a mentor with a finished profile, not
    paired) waits for the next round of the matching. Both are (user id, display name)."""
    now = runtime.clock.now()
    async with runtime.uow_factory() as uow:
        pair = await uow.pair(pair_id)
        assert pair is not None and pair.mentee_enrollment_id is not None
        mentee = await uow.enrollment(pair.mentee_enrollment_id)
        assert mentee is not None
        seeded = await uow.person(mentee.person_id)
        assert seeded is not None
        people = [
            Person(seeded.platform, seeded.workspace, user_id, name, now, locale="en")
            for user_id, name in (owner, candidate)
        ]
        for person in people:
            uow.add(person)
        await uow.flush()
        assert people[0].id is not None and people[1].id is not None
        uow.add(ProgramOwner(program_id=pair.program_id, person_id=people[0].id))
        enrollment = Enrollment(pair.program_id, people[1].id, Role.MENTOR, now)
        uow.add(enrollment)
        await uow.flush()
        assert enrollment.id is not None
        topics = {"linkedin": 4, "seo": 3}
        uow.add(Profile(enrollment.id, topics, topics, languages=["en"], completed_at=now))
        # The mentee's profile is finished too, so that a second round can pair them.
        uow.add(Profile(mentee.id or 0, topics, topics, languages=["en"], completed_at=now))
        await uow.commit()


async def queue_to(
    runtime: Runtime, person: Who, key: str, text: str, due_in: timedelta = timedelta(hours=1)
) -> None:
    """A nudge waiting in the outbox for ``person``, due in an hour (or ``due_in``)."""
    now = runtime.clock.now()
    async with runtime.uow_factory() as uow:
        await uow.enqueue(
            OutboxMessage(
                key=key,
                purpose="nudge",
                platform=person.platform,
                person_id=person.id,
                payload=Message(text=text).to_payload(),
                created_at=now,
                not_before=now + due_in,
            )
        )
        await uow.commit()


@dataclass(frozen=True)
class Who:
    id: int
    platform: str


async def person(runtime: Runtime, platform: str, workspace: str, user_id: str) -> Who:
    async with runtime.uow_factory() as uow:
        found = await uow.person_by_identity(platform, workspace, user_id)
        assert found is not None and found.id is not None, user_id
        return Who(found.id, found.platform)


@dataclass(frozen=True)
class Seen:
    left: bool
    pair_status: str
    enrollment_statuses: tuple[str, ...]
    outbox_statuses: tuple[str, ...]


async def seen(runtime: Runtime, who: Who, pair_id: int) -> Seen:
    """The person, their pair and the messages owed to them, as stored now."""
    async with runtime.uow_factory() as uow:
        stored = await uow.person(who.id)
        pair = await uow.pair(pair_id)
        assert stored is not None and pair is not None
        return Seen(
            left=stored.left_at is not None,
            pair_status=str(pair.status),
            enrollment_statuses=tuple(
                str(e.status) for e in await uow.enrollments_of_person(who.id)
            ),
            outbox_statuses=tuple(str(m.status) for m in await uow.outbox_of(who.id)),
        )
