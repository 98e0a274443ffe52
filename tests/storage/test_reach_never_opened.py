"""Who "never opened the app", as the digest, the export and the dashboard count it (the SQL of
``storage.leaver_queries``), on SQLite and PostgreSQL: someone on Teams with nothing to write
into and nothing that got through; not someone Tandem reached all the same (installed for them
through Microsoft Graph), nor anyone on a platform where the bot can always write first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import Invitation, OutboxMessage, OutboxStatus, Person, Program
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


async def test_never_opened_is_nothing_to_write_into_and_nothing_delivered(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        program = Program("Pilot", date(2026, 11, 2), NOW, "en", "Europe/Paris")
        uow.add(program)
        people = {
            # Invited on Teams from a roster, never opened Tandem, the invitation still owed.
            "waiting": Person("teams", "t1", "aad-1", "Waiting", NOW),
            # Installed for through Graph: no address stored, the invitation delivered.
            "installed": Person("teams", "t1", "aad-2", "Installed", NOW),
            # Wrote to the bot: a conversation reference.
            "opened": Person("teams", "t1", "29:x", "Opened", NOW, address={"reference": {}}),
            # Slack: the bot opens a direct message itself.
            "slack": Person("slack", "T1", "U1", "Slack", NOW),
        }
        for person in people.values():
            uow.add(person)
        await uow.flush()
        assert program.id is not None
        for name, person in people.items():
            assert person.id is not None
            uow.add(Invitation(program.id, person.id, None, NOW))
            await uow.enqueue(
                OutboxMessage(
                    key=f"invitation:{name}",
                    purpose="invitation",
                    platform=person.platform,
                    payload={"text": "join?"},
                    created_at=NOW,
                    not_before=NOW + timedelta(hours=1) if name == "waiting" else NOW,
                    person_id=person.id,
                    status=OutboxStatus.PENDING if name == "waiting" else OutboxStatus.SENT,
                )
            )
        await uow.commit()

    async with uow_factory() as uow:
        counts = await uow.reach_counts(program.id, NOW)
        each = await uow.reach_of_people([p.id for p in people.values() if p.id], NOW)
        listed = await uow.not_reached(program.id, NOW, 10)
        failed = await uow.failed_people(program.id)
    assert (counts.people, counts.delivered, counts.waiting) == (4, 3, 1)
    assert counts.never_opened == 1
    assert counts.not_reached == 1
    assert {name: each[p.id].never_opened for name, p in people.items() if p.id} == {
        "waiting": True,
        "installed": False,
        "opened": False,
        "slack": False,
    }
    # The reach report names the one not reached, and has no failure to send again.
    assert [(line.name, line.reach.never_opened) for line in listed] == [("Waiting", True)]
    assert failed == []
