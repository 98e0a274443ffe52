"""The quiz after a logged session leaves the turn (bot.follow_ups), and is neither lost nor sent
twice when a process dies in between: a real process runs the mentor's ``/session log`` turn and
is killed -9 as soon as the turn has committed, before anything carried out its follow-up; a
real deliverer then sends the mentee the partner's notice and the quiz's first question, once
each, and a second deliverer finds nothing left to do.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.bot.test_delivery_crash import finish, start_deliverer
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parents[2]

# Seeds a Slack pair, runs the mentor's turn, prints its replies, then dies at once.
TURN_THEN_KILL = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from bot.events import EventKind, InboundEvent, Sender
    from bot.main import build_runtime
    from bot.settings import Settings
    from tests.pairs import seed_pair

    async def main():
        runtime = await build_runtime(Settings(database_url=sys.argv[1]), migrate=False)
        await seed_pair(
            runtime, platform="slack", workspace="T1",
            mentor=("U1", "Mira"), mentee=("U2", "Theo"),
        )
        # Every hour a working one: what is queued is due now, whenever the test runs.
        async with runtime.uow_factory() as uow:
            for user in ("U1", "U2"):
                person = await uow.person_by_identity("slack", "T1", user)
                person.working_hours = {
                    "start": "00:00", "end": "23:59:59.999999", "days": list(range(7))
                }
            await uow.commit()
        replies = await runtime.engine.handle(InboundEvent(
            kind=EventKind.COMMAND,
            sender=Sender("slack", "T1", "U1", "Mira"),
            text='/session log 45m "Negotiation: anchoring and concessions"',
        ))
        print("\\n---\\n".join(reply.text for reply in replies), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    asyncio.run(main())
    """
)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


async def count(uow_factory: SqlUnitOfWorkFactory, query: str) -> int:
    async with uow_factory.engine.connect() as connection:
        return int((await connection.execute(sa.text(query))).scalar_one())


async def test_a_process_killed_after_the_turn_neither_loses_nor_doubles_the_quiz(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, slack: FakeSlack
) -> None:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "SLACK_"))},
        "TANDEM_LOG_LEVEL": "WARNING",
    }
    turn = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        TURN_THEN_KILL,
        migrated_url,
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        answered, errors = await turn.communicate()
    assert turn.returncode == -signal.SIGKILL, errors.decode()[-3000:]
    # The mentor was answered in the turn; the quiz was not part of it.
    assert "Session logged" in answered.decode()
    assert "Quiz" not in answered.decode()
    assert await count(uow_factory, "SELECT count(*) FROM quiz_attempt") == 0
    pending = "SELECT count(*) FROM outbox WHERE purpose = 'follow_up' AND status = 'pending'"
    assert await count(uow_factory, pending) == 1

    await finish(await start_deliverer(migrated_url, slack), within=60)
    # The mentor was answered in the turn: everything posted is for the mentee, in order.
    texts = [str(m.get("text", "")) for m in slack.posted]
    assert len(texts) == 2, texts
    assert len({m["channel"] for m in slack.posted}) == 1
    assert "Mira logged your session" in texts[0]
    assert "Quiz 1/3" in texts[1]
    assert set(slack.keys_posted().values()) == {1}

    # Run again, as after any restart: the follow-up was carried out once, for good.
    posted = len(slack.posted)
    await finish(await start_deliverer(migrated_url, slack), within=60)
    assert len(slack.posted) == posted
    assert await count(uow_factory, "SELECT count(*) FROM quiz_attempt") == 1
    assert await count(uow_factory, pending) == 0
