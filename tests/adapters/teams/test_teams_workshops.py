"""Teams: a workshop announced in the personal chat reaches the program as an Adaptive Card
with a Join button; clicking it through the real messaging endpoint takes the seat, once."""

from __future__ import annotations

from tests.adapters.teams.world import (
    MENTEE,
    MENTOR,
    TeamsWorld,
    card_actions,
    card_texts,
    play,
    received,
    seed_pair,
    settle,
)
from tests.tables import dump

ANNOUNCE = (
    'tandem workshop new "AI at lunch" topic: AI date: 2026-11-20 time: 12:30 length: 1h '
    "place: https://meet.example/ai capacity: 8"
)


async def test_the_join_button_takes_a_seat_once_in_teams(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTEE, "help"), (MENTOR, "help")])
    await play(teams, [(MENTOR, ANNOUNCE)])

    reply_to, card = teams.latest_card(MENTEE)
    assert "AI at lunch" in card_texts(card)
    (join,) = [action for action in card_actions(card) if action["title"] == "Join"]
    response = await teams.act(MENTEE, dict(join["data"]), reply_to, execute=True)
    assert response.status in (200, 201)
    await settle(teams)
    assert any("You have a seat" in text for text in received(teams, MENTEE)[-3:])
    async with teams.runtime.uow_factory() as uow:
        (seat,) = await uow.seats_of(1)
        assert seat.status == "joined"

    # The same button again (a double click, another device): nothing changes.
    before = await dump(teams.runtime.uow_factory)
    response = await teams.act(MENTEE, dict(join["data"]), reply_to, execute=True)
    assert response.status in (200, 201)
    await settle(teams)
    assert await dump(teams.runtime.uow_factory) == before
