"""Slack: a workshop announced by slash command reaches the program by direct message with a
Join button; clicking it through the real HTTP endpoint takes the seat, once."""

from __future__ import annotations

from typing import Any

from storage import tables
from tests.adapters.slack.payloads import block_actions
from tests.adapters.slack.world import (
    MENTEE,
    MENTOR,
    SlackWorld,
    buttons,
    dm,
    play,
    received,
    seed_pair,
    settle,
)
from tests.tables import dump

ANNOUNCE = (
    '/tandem workshop new "AI at lunch" topic: AI date: 2026-11-20 time: 12:30 length: 1h '
    "place: https://meet.example/ai capacity: 8"
)


async def click(
    world: SlackWorld, message: dict[str, Any], button: dict[str, Any], trigger: str
) -> None:
    response = await world.interact(block_actions(MENTEE, trigger, button, message, dm(MENTEE)))
    assert response.status == 200
    await settle(world)


async def test_the_join_button_takes_a_seat_once(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTOR, ANNOUNCE)])
    announcement, (join,) = buttons(slack, MENTEE)
    assert "AI at lunch" in announcement["text"] and join["text"]["text"] == "Join"

    await click(slack, announcement, join, "trig-join")
    assert "You have a seat" in received(slack, MENTEE)[-1]
    # With the workshop as an .ics file for their calendar, in the same conversation.
    (shared,) = slack.fake.shared_files
    assert shared["channel"] == dm(MENTEE)
    calendar = shared["data"].decode("utf-8")
    assert "SUMMARY:AI at lunch" in calendar and "DTSTART:20261120T" in calendar
    async with slack.runtime.uow_factory() as uow:
        (seat,) = await uow.seats_of(1)
        assert seat.status == "joined"

    # The same button again (a double click, another device): refused, nothing changes.
    before = await dump(slack.runtime.uow_factory)
    await click(slack, announcement, join, "trig-join-again")
    assert "no longer valid" in received(slack, MENTEE)[-1]
    assert await dump(slack.runtime.uow_factory) == before
    assert tables.workshop_seat.name in before


async def test_the_announcement_form_is_valid_block_kit(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTOR, "/tandem workshop new")])
    (opened,) = slack.fake.calls_to("views.open")
    labels = [b["label"]["text"] for b in opened["view"]["blocks"] if b["type"] == "input"]
    assert labels[:3] == ["Title", "Topic", "Date"] and "Who is invited" in labels
    assert slack.fake.violations == []
