"""Teams: ``/session plan`` alone proposes three free slots on an Adaptive Card, through the
real messaging endpoint; one Action.Execute books it for both, each with the .ics invitation
as a file; a second click changes nothing; a bad date is answered in French."""

from __future__ import annotations

import base64
from typing import Any

from icalendar import Calendar

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

PREFIX = "data:text/calendar;base64,"


def invitations(teams: TeamsWorld, user: str) -> list[Calendar]:
    found = []
    for sent in teams.fake.to(teams.conversation(user)):
        for file in sent.activity.get("attachments") or ():
            if file.get("contentType") == "text/calendar":
                assert file["contentUrl"].startswith(PREFIX)
                found.append(
                    Calendar.from_ical(base64.b64decode(file["contentUrl"][len(PREFIX) :]))
                )
    return found


async def click(teams: TeamsWorld, action: dict[str, Any], reply_to: str) -> None:
    response = await teams.act(MENTOR, dict(action["data"]), reply_to, execute=True)
    assert response.status in (200, 201)
    await settle(teams)


async def test_proposals_on_a_card_one_click_books_it_for_both(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "session plan")])
    reply_to, card = teams.latest_card(MENTOR)
    assert "both free, within both your working hours" in card_texts(card)
    actions = card_actions(card)
    assert len(actions) == 3 and all(a["type"] == "Action.Execute" for a in actions)

    await click(teams, actions[2], reply_to)
    assert any("Next session planned for" in text for text in received(teams, MENTOR)[-3:])
    assert any("planned your next session" in text for text in received(teams, MENTEE))
    for user in (MENTOR, MENTEE):
        (calendar,) = invitations(teams, user)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == "tandem-session-1@tandem.invalid"

    # The same card clicked again: the booking stands alone.
    before = await dump(teams.runtime.uow_factory)
    await click(teams, actions[0], reply_to)
    assert await dump(teams.runtime.uow_factory) == before
    assert not teams.fake.violations


async def test_a_plan_on_a_day_off_is_refused_in_french(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "tandem language fr")])
    before = await dump(teams.runtime.uow_factory)
    await play(teams, [(MENTOR, "session plan 21/11/2026 10:00")])
    assert "n'est pas un jour travaillé pour vous" in received(teams, MENTOR)[-1]
    await play(teams, [(MENTOR, "session plan 2026-11-20 banane")])
    assert "n'est pas une heure" in received(teams, MENTOR)[-1]
    assert await dump(teams.runtime.uow_factory) == before
