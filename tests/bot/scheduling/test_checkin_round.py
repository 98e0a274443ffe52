"""A check-in round written in bulk: each person gets their own check-in, conversation, message
in their language and buttons bound to them, across chunks, and a tick run again adds nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from bot.clock import VirtualClock
from bot.domain import Enrollment, OutboxMessage, Person, Program, Role
from bot.fanout import NewCheckin, NewConversation, NewOutboxMessage
from bot.i18n import Renderer
from bot.messages import Choice, Message
from bot.prompts import SEPARATOR
from bot.scheduling import checkins
from bot.scheduling.ticker import Ticker
from bot.turn import EngineConfig
from storage import tables
from storage.unit_of_work import SqlUnitOfWorkFactory

JOINED = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
# Monday 2 November, 10:00 in Paris: the first check-in of people who joined two weeks before.
DUE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LOCALES = ["en", "fr", "en", "fr", "en"]


async def seed(uow_factory: SqlUnitOfWorkFactory) -> dict[int, str]:
    """Five participants in one program, English and French; person id -> locale."""
    async with uow_factory() as uow:
        program = Program(
            name="Pilot",
            starts_on=date(2026, 10, 19),
            created_at=JOINED,
            locale="en",
            timezone="Europe/Paris",
            topics=["Social networks"],
        )
        uow.add(program)
        people = [
            Person("slack", "T1", f"U{i}", f"Person {i}", JOINED, locale, "Europe/Paris")
            for i, locale in enumerate(LOCALES)
        ]
        for person in people:
            uow.add(person)
        await uow.flush()
        assert program.id is not None
        for i, person in enumerate(people):
            assert person.id is not None
            uow.add(Enrollment(program.id, person.id, [Role.MENTOR, Role.MENTEE][i % 2], JOINED))
        await uow.commit()
        return {person.id: person.locale for person in people if person.id and person.locale}


async def test_a_round_in_chunks_binds_each_message_to_its_own_person(
    uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkins, "ROUND_CHUNK", 2)  # five people: chunks of 2, 2 and 1
    locales = await seed(uow_factory)
    renderer = Renderer(default_locale="en")
    ticker = Ticker(uow_factory, VirtualClock(DUE), renderer, EngineConfig("en"))

    assert dict(await ticker.tick()) == {"checkin": 5}

    async with uow_factory() as uow:
        session = uow.session
        enrollments = {
            row.id: row.person_id for row in await session.execute(sa.select(tables.enrollment))
        }
        checkin_rows = (await session.execute(sa.select(tables.checkin))).all()
        conversations = {
            row.subject_id: row for row in await session.execute(sa.select(tables.conversation))
        }
        outbox = {row.key: row for row in await session.execute(sa.select(tables.outbox))}
        prompts = {row.token: row for row in await session.execute(sa.select(tables.prompt))}
    assert len(checkin_rows) == len(conversations) == len(outbox) == len(prompts) == 5
    for checkin in checkin_rows:
        person_id = enrollments[checkin.enrollment_id]
        conversation = conversations[checkin.id]
        assert (conversation.person_id, conversation.flow, conversation.step) == (
            person_id,
            "checkin",
            "mood",
        )
        message = outbox[f"checkin:{checkin.enrollment_id}:1"]
        assert message.person_id == person_id
        assert message.payload["text"] == renderer.render(
            locales[person_id], "checkin.mood", zone="Europe/Paris", program="Pilot"
        )
        values = [choice["value"] for choice in message.payload["choices"]]
        token = values[0].split(SEPARATOR)[0]
        assert values == [
            f"{token}{SEPARATOR}conv:{conversation.id}:mood:{mood}" for mood in range(1, 6)
        ]
        prompt = prompts[token]
        assert prompt.person_id == person_id
        assert prompt.offers == [
            f"choice:conv:{conversation.id}:mood:{mood}" for mood in range(1, 6)
        ]
    french = [row for row in outbox.values() if locales[row.person_id] == "fr"]
    assert len({row.payload["text"] for row in french}) == 1
    assert french[0].payload["text"] != next(
        row.payload["text"] for row in outbox.values() if locales[row.person_id] == "en"
    )

    assert dict(await ticker.tick()) == {}
    async with uow_factory() as uow:
        for table in (tables.checkin, tables.conversation, tables.outbox, tables.prompt):
            assert await uow.session.scalar(sa.select(sa.func.count()).select_from(table)) == 5


async def test_an_outbox_key_is_queued_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    await seed(uow_factory)

    def message(key: str, text: str) -> NewOutboxMessage:
        payload = Message(text=text).to_payload()
        return NewOutboxMessage(key, "test", "slack", payload, DUE, DUE, channel={"c": "C1"})

    async with uow_factory() as uow:
        first = [message("a", "first a"), message("b", "b"), message("a", "second a")]
        assert await uow.enqueue_many(first) == {"a", "b"}
        again = OutboxMessage("a", "test", "slack", {"text": "x"}, DUE, DUE)
        assert await uow.enqueue_many([again, message("c", "c")]) == {"c"}
        await uow.commit()
    async with uow_factory() as uow:
        rows = await uow.session.execute(sa.select(tables.outbox.c.key, tables.outbox.c.payload))
        assert {key: payload["text"] for key, payload in rows} == {
            "a": "first a",
            "b": "b",
            "c": "c",
        }


def test_new_rows_have_the_columns_of_their_tables() -> None:
    for row, table in (
        (NewCheckin, tables.checkin),
        (NewConversation, tables.conversation),
        (NewOutboxMessage, tables.outbox),
    ):
        assert set(row._fields) == {column.name for column in table.columns} - {"id"}


def test_a_plain_message_payload_is_the_full_one() -> None:
    plain = Message(text="Hello", choices=(Choice("a", "A"), Choice("b", "B")), refused=True)
    assert plain.to_payload() == dataclasses.asdict(plain)
    assert Message.from_payload(plain.to_payload()) == plain
