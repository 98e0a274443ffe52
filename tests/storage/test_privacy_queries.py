"""What forget-me does to the rows that stay, on SQLite and PostgreSQL: messages about the
person to others, channel posts and the history, whatever the case and the alphabet."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bot.domain import AuditEntry, OutboxMessage, OutboxStatus, Person
from bot.messages import Message
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ERASED = Message(text="This message was erased.").to_payload()


def _message(key: str, text: str, **fields: object) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        purpose="test",
        platform="console",
        payload=Message(text=text).to_payload(),
        created_at=NOW,
        not_before=NOW,
        **fields,  # type: ignore[arg-type]
    )


async def test_erasing_traces_drops_blanks_or_keeps_each_row_as_it_should(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        gone = Person("console", "console", "éloïse", "Éloïse Zaraté", NOW)
        other = Person("console", "console", "paul", "paul", NOW)
        uow.add(gone)
        uow.add(other)
        await uow.flush()
        assert gone.id is not None and other.id is not None
        for message in (
            _message("to-her", "Hello Éloïse Zaraté", person_id=gone.id),
            _message("pending-about-her", "Meet your mentee: Éloïse Zaraté", person_id=other.id),
            _message(
                "sent-about-her",
                "ÉLOÏSE ZARATÉ logged your session: Origami taxonomy",
                person_id=other.id,
                status=OutboxStatus.SENT,
            ),
            _message(
                "digest",
                "Pairs: paul → éloïse zaraté. Learnt: “Origami taxonomy”",
                channel={"platform": "console", "channel": "owners"},
            ),
            _message(
                "digest-lowercased",
                "Topics covered most: origami taxonomy (1)",
                channel={"platform": "console", "channel": "owners"},
                status=OutboxStatus.SENT,
            ),
            _message("unrelated", "Hello paul, about Éloïsette", person_id=other.id),
            _message(
                "quoting-her",
                "A tip for you: “Origami taxonomy”",
                person_id=other.id,
                status=OutboxStatus.SENT,
            ),
        ):
            uow.add(message)
        uow.add(
            AuditEntry(NOW, other.id, "pair.created", subject="paul → Éloïse Zaraté", details={})
        )
        await uow.flush()
        changed = await uow.erase_traces(
            gone.id, ["Éloïse Zaraté", "éloïse"], ["Origami taxonomy"], "[erased]", ERASED
        )
        await uow.commit()
    assert changed == 7

    async with uow_factory() as uow:
        outbox = {
            row.key: row.payload["text"]
            for row in await uow.session.execute(sa.select(tables.outbox))
        }
        (subject,) = (await uow.session.execute(sa.select(tables.audit_entry.c.subject))).scalars()
    assert outbox == {
        "sent-about-her": "This message was erased.",
        "digest": "Pairs: paul → [erased]. Learnt: “[erased]”",
        # Found whatever the case (the digest writes topics in lower case).
        "digest-lowercased": "Topics covered most: [erased] (1)",
        # A whole word only: another name that starts the same is someone else's.
        "unrelated": "Hello paul, about Éloïsette",
        # A message that only quotes her words, unnamed, keeps the rest.
        "quoting-her": "A tip for you: “[erased]”",
    }
    assert subject == "paul → [erased]"
