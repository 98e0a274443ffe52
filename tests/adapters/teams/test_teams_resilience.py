"""Teams failing the bot: rate limits, blocked people, gateways, restarts, installs.

Each time nothing is lost, nothing is done twice, and whoever needs to know is told.
"""

from __future__ import annotations

import time
from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer

from adapters.teams.sending import backoff
from adapters.web import make_app
from bot.clock import VirtualClock
from bot.domain import OutboxStatus, Person, ProgramOwner
from bot.main import build_runtime
from tests.adapters.teams.conftest import teams_settings
from tests.adapters.teams.world import (
    HR,
    MENTEE,
    MENTOR,
    NAMES,
    TeamsWorld,
    play,
    received,
    seed_pair,
    settle,
)
from tests.console_support import START
from tests.fakes.bot_connector import TENANT, FakeBotConnector


async def _outbox_statuses(world: TeamsWorld) -> list[OutboxStatus]:
    async with world.runtime.uow_factory() as uow:
        rows = await uow.outbox_messages(range(1, 1000))
        return [row.status for row in rows.values()]


def told(world: TeamsWorld, user: str) -> list[str]:
    """What ``user`` was told, less the quiz a mentee gets after a logged session."""
    return [text for text in received(world, user) if not text.startswith("A quick quiz")]


async def test_a_429_with_retry_after_is_waited_out_then_sent_once(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTEE, "status")])
    teams.fake.fail_next(429, times=2, retry_after="1")
    started = time.monotonic()
    await play(teams, [(MENTEE, "tandem charter")])
    waited = time.monotonic() - started
    assert teams.fake.rejected[429] == 2
    # Retry-After said one second, twice: it was honoured, not hammered.
    assert waited >= 2.0
    answers = received(teams, MENTEE)
    assert len(answers) == 2 and len(set(answers)) == 2


async def test_502_504_and_412_are_retried_for_the_outbox_too(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    teams.fake.fail_next(502)
    teams.fake.fail_next(504)
    teams.fake.fail_next(412)
    await play(teams, [(MENTOR, 'session log 45m "LinkedIn basics"')])
    # The outbox's deliverer tries again after its backoff (seconds, on the virtual clock).
    clock = teams.runtime.clock
    assert isinstance(clock, VirtualClock)
    for _ in range(10):
        clock.advance(timedelta(minutes=1))
        await settle(teams)
    assert teams.fake.rejected == {502: 1, 504: 1, 412: 1}
    (notice,) = told(teams, MENTEE)
    assert "logged your session" in notice
    assert set(await _outbox_statuses(teams)) == {OutboxStatus.SENT}


async def test_a_person_who_blocked_the_bot_is_marked_unreachable_and_owners_are_told(
    teams: TeamsWorld,
) -> None:
    await seed_pair(teams)
    await play(teams, [(HR, "status")])  # the owner has written to the bot before
    async with teams.runtime.uow_factory() as uow:
        owner = await uow.person_by_identity("teams", TENANT, HR)
        assert owner is not None and owner.id is not None
        (program,) = await uow.programs_named("Pilot")
        assert program.id is not None
        uow.add(ProgramOwner(program.id, owner.id))
        await uow.commit()
    teams.fake.blocked_conversations.add(teams.conversation(MENTEE))
    await play(teams, [(MENTOR, 'session log 45m "LinkedIn basics"')])
    # Final at once, not retried: one attempt for the notice, one for the quiz that follows.
    assert teams.fake.rejected[403] == 2
    async with teams.runtime.uow_factory() as uow:
        mentee = await uow.person_by_identity("teams", TENANT, MENTEE)
        assert mentee is not None and mentee.unreachable
    (note,) = [text for text in received(teams, HR) if "can no longer be reached" in text]
    assert NAMES[MENTEE] in note and "Teams" in note
    # A second failed message does not tell the owners again.
    await play(teams, [(MENTOR, 'session log 30m "Privacy settings"')])
    notes = [text for text in received(teams, HR) if "can no longer be reached" in text]
    assert len(notes) == 1
    # Writing to the bot again makes them reachable.
    teams.fake.blocked_conversations.clear()
    await play(teams, [(MENTEE, "status")])
    async with teams.runtime.uow_factory() as uow:
        mentee = await uow.person_by_identity("teams", TENANT, MENTEE)
        assert mentee is not None and not mentee.unreachable


async def test_installing_the_app_stores_the_reference_and_a_restart_loses_nothing(
    migrated_url: str, fake_connector: FakeBotConnector
) -> None:
    settings = teams_settings(migrated_url, fake_connector.url)
    first = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        async with TestClient(TestServer(make_app(None, first.teams))) as http:
            world = TeamsWorld(http, fake_connector, first)
            install = world.activity(MENTOR, "installationUpdate", action="add")
            assert (await world.post(install)).status in (200, 201)
            added = world.activity(
                MENTEE,
                "conversationUpdate",
                membersAdded=[world.account(MENTEE)],
            )
            assert (await world.post(added)).status in (200, 201)
            await settle(world)
            (welcome,) = received(world, MENTOR)
            assert "Tandem" in welcome and "status" in welcome
    finally:
        await first.close()
    created_before = len(fake_connector.created)

    # A new process: nothing in memory, the reference comes from the database.
    second = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        async with TestClient(TestServer(make_app(None, second.teams))) as http:
            world = TeamsWorld(http, fake_connector, second)
            async with second.uow_factory() as uow:
                for user in (MENTOR, MENTEE):
                    person = await uow.person_by_identity("teams", TENANT, user)
                    assert person is not None and person.address is not None
                    assert person.timezone is not None
            await _pair_known_people(world)
            await play(world, [(MENTOR, 'session log 45m "LinkedIn basics"')])
            (notice,) = [t for t in received(world, MENTEE) if "logged your session" in t]
            assert notice
    finally:
        await second.close()
    # The mentee was reached through the stored reference: no conversation had to be created.
    assert len(fake_connector.created) == created_before


async def _pair_known_people(world: TeamsWorld) -> None:
    from bot.domain import Enrollment, Pair, Program, Role

    now = world.runtime.clock.now()
    async with world.runtime.uow_factory() as uow:
        program = Program("Pilot", now.date(), now, "en", "Europe/Paris")
        uow.add(program)
        people: list[Person] = []
        for user in (MENTOR, MENTEE):
            person = await uow.person_by_identity("teams", TENANT, user)
            assert person is not None
            people.append(person)
        await uow.flush()
        assert program.id is not None
        enrollments = [
            Enrollment(program.id, people[0].id, Role.MENTOR, now),  # type: ignore[arg-type]
            Enrollment(program.id, people[1].id, Role.MENTEE, now),  # type: ignore[arg-type]
        ]
        for enrollment in enrollments:
            uow.add(enrollment)
        await uow.flush()
        uow.add(Pair(program.id, enrollments[0].id, enrollments[1].id, now))  # type: ignore[arg-type]
        await uow.commit()


def test_backoff_has_jitter_and_never_comes_before_retry_after() -> None:
    import random

    rng = random.Random(7)
    waits = [backoff(attempt, None, rng) for attempt in (1, 2, 3, 4) for _ in range(50)]
    assert len(set(waits)) > 100  # jittered, not a fixed schedule
    assert max(waits) <= 4.0
    assert all(backoff(2, 3.0, rng) >= 3.0 for _ in range(50))
