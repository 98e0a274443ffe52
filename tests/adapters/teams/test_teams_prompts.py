"""Teams: a card action the bot never showed this person is refused, changes nothing, and the
card it came from is left as it was; the cards the bot showed work once."""

from __future__ import annotations

from typing import Any

from tests.adapters.teams.world import (
    MENTEE,
    MENTOR,
    TeamsWorld,
    answered_cards,
    card_actions,
    play,
    received,
    seed_pair,
    settle,
)
from tests.tables import dump

STALE = "That button is no longer valid"
SOME_ACTIVITY = "1699999999999"


async def act(world: TeamsWorld, user: str, data: dict[str, Any], *, execute: bool) -> None:
    response = await world.act(user, data, SOME_ACTIVITY, execute=execute)
    assert response.status in (200, 201)
    await settle(world)


def updates(world: TeamsWorld, user: str) -> list[str | None]:
    return [s.target_id for s in world.fake.to(world.conversation(user)) if s.how == "update"]


def refusals(world: TeamsWorld, user: str) -> int:
    return sum(STALE in text for text in received(world, user))


async def test_forged_card_actions_are_refused_and_leave_the_card(teams: TeamsWorld) -> None:
    pair_id = await seed_pair(teams)
    await play(teams, [(MENTOR, "help")])
    before = await dump(teams.runtime.uow_factory)
    forged = [
        {"tandem": "choice", "value": "forget:yes", "label": "Yes", "card": "forged-1"},
        {"tandem": "choice", "value": "AAAAAAAAAAAAAAAA|forget:yes", "card": "forged-2"},
        {
            "tandem": "form",
            "form": "session_log",
            "card": "forged-3",
            "field_duration": "45m",
            "field_topics": "Made up",
        },
    ]
    for data in forged:
        for execute in (True, False):
            await act(teams, MENTOR, {**data, "card": f"{data['card']}-{execute}"}, execute=execute)
    assert answered_cards(teams, MENTOR) == [], "no card was answered in place"
    assert updates(teams, MENTOR) == [], "no card was replaced"
    assert refusals(teams, MENTOR) == 2 * len(forged)
    assert await dump(teams.runtime.uow_factory) == before
    async with teams.runtime.uow_factory() as uow:
        assert await uow.session_logs(pair_id) == []


async def test_another_persons_card_and_an_answered_one_are_refused(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTOR, "help"), (MENTEE, "tandem forget-me")])
    _, card = teams.latest_card(MENTEE)
    erase, cancel = (dict(action["data"]) for action in card_actions(card))
    before = await dump(teams.runtime.uow_factory)
    await act(teams, MENTOR, erase, execute=True)
    assert answered_cards(teams, MENTOR) == [] and refusals(teams, MENTOR) == 1
    assert await dump(teams.runtime.uow_factory) == before

    # The mentee cancels: the card is answered in place. Its other button, sent again under
    # a card id never seen (a retry would carry the same one), is refused.
    await play(teams, [(MENTEE, "click:#2")])
    assert len(answered_cards(teams, MENTEE)) == 1
    after_cancel = await dump(teams.runtime.uow_factory)
    await act(teams, MENTEE, {**erase, "card": "another-card"}, execute=True)
    assert len(answered_cards(teams, MENTEE)) == 1 and refusals(teams, MENTEE) == 1
    assert await dump(teams.runtime.uow_factory) == after_cancel
    assert cancel["value"].split("|")[0] == erase["value"].split("|")[0], "one prompt, two buttons"
