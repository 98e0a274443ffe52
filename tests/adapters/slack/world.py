"""A Slack workspace around the real web app: signed requests in, the fake Web API out."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from bot.domain import Enrollment, Pair, Person, Program, Role
from bot.main import Runtime
from tests.adapters.slack.payloads import (
    TEAM,
    event_callback,
    interaction,
    signed_headers,
    slash_command,
)
from tests.fakes.slack_api import FakeSlack

MENTOR, MENTEE = "UMENTOR1", "UMENTEE1"
FORM = "application/x-www-form-urlencoded"


@dataclass
class SlackWorld:
    http: TestClient
    fake: FakeSlack
    runtime: Runtime

    async def post(
        self, body: str, content_type: str, extra: dict[str, str] | None = None
    ) -> ClientResponse:
        headers = {**signed_headers(body, content_type), **(extra or {})}
        return await self.http.post("/slack/events", data=body.encode(), headers=headers)

    async def command(self, user: str, command: str, text: str, trigger: str) -> ClientResponse:
        return await self.post(slash_command(user, command, text, trigger), FORM)

    async def interact(self, payload: dict[str, object]) -> ClientResponse:
        return await self.post(interaction(payload), FORM)

    async def event(
        self, event: dict[str, object], event_id: str, retry: int | None = None
    ) -> ClientResponse:
        extra = {}
        if retry is not None:
            extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(event_callback(event, event_id), "application/json", extra)


async def seed_pair(world: SlackWorld) -> int:
    """A program with MENTOR and MENTEE enrolled and paired; returns the pair's id."""
    now = world.runtime.clock.now()
    async with world.runtime.uow_factory() as uow:
        program = Program("Pilot", now.date(), now, "en", "Europe/Paris")
        mentor = Person("slack", TEAM, MENTOR, "lea", now, locale="en")
        mentee = Person("slack", TEAM, MENTEE, "marc", now, locale="en")
        for entity in (program, mentor, mentee):
            uow.add(entity)
        await uow.flush()
        assert program.id and mentor.id and mentee.id
        enrollments = [
            Enrollment(program.id, mentor.id, Role.MENTOR, now),
            Enrollment(program.id, mentee.id, Role.MENTEE, now),
        ]
        for enrollment in enrollments:
            uow.add(enrollment)
        await uow.flush()
        pair = Pair(program.id, enrollments[0].id, enrollments[1].id, now)
        uow.add(pair)
        await uow.flush()
        assert pair.id is not None
        await uow.commit()
        return pair.id
