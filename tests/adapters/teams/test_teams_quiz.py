"""Teams: the mentee's quiz after a logged session, through the real messaging endpoint —
Adaptive Card buttons, the answer written over the question's card, a second click ignored."""

from __future__ import annotations

from tests.adapters.teams.world import (
    MENTEE,
    MENTOR,
    TeamsWorld,
    answered_cards,
    card_actions,
    card_texts,
    play,
    received,
    seed_pair,
    settle,
)
from tests.quiz_support import shown_question


async def test_the_mentee_answers_a_quiz_in_teams(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTEE, "help"), (MENTOR, "help")])
    await play(teams, [(MENTOR, 'session log 45m "Negotiation: anchoring and concessions"')])

    reply_to, card = teams.latest_card(MENTEE)
    text = card_texts(card)
    assert "Quiz 1/3 · Negotiation" in text
    actions = card_actions(card)
    assert actions[-1]["title"] == "Skip"
    question = shown_question(text)
    (right,) = [a for a in actions if a["title"] == question.choices[question.answer]]

    response = await teams.act(MENTEE, dict(right["data"]), reply_to, execute=True)
    assert response.status in (200, 201)
    await settle(teams)
    (answered,) = answered_cards(teams, MENTEE)
    assert "✅ Right" in card_texts(answered) and question.explanation in card_texts(answered)

    # The same card again (a double click before Teams replaced it): one card is answered once
    # (the adapter's card id), so the turn does not run again: the first answer stands.
    response = await teams.act(MENTEE, dict(right["data"]), reply_to, execute=True)
    assert response.status in (200, 201)
    await settle(teams)
    assert card_texts(answered_cards(teams, MENTEE)[-1]) == f"✓ {right['title']}"

    await play(teams, [(MENTEE, "click:Skip"), (MENTEE, "click:Skip")])
    assert received(teams, MENTEE)[-1].startswith("1/3 — good start")
