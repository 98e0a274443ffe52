"""Slack: ``/session plan`` alone proposes three free slots as buttons, through the real HTTP
endpoint; one click books it for both, each with an .ics invitation as a file in their direct
message; the same proposal clicked again is refused and changes nothing."""

from __future__ import annotations

from icalendar import Calendar

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


async def test_proposals_as_buttons_one_click_books_it_for_both(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTEE, "help"), (MENTOR, "help")])
    await play(slack, [(MENTOR, "/session plan")])
    message, found = buttons(slack, MENTOR)
    assert "both free, within both your working hours" in message["text"]
    assert len(found) == 3 and all(len(b["text"]["text"]) <= 75 for b in found)
    assert not slack.fake.violations

    response = await slack.interact(
        block_actions(MENTOR, "trig-slot-1", found[0], message, dm(MENTOR))
    )
    assert response.status == 200
    await settle(slack)
    assert any("Next session planned for" in text for text in received(slack, MENTOR))
    assert "lea planned your next session" in received(slack, MENTEE)[-1]
    # Each gets the invitation as a file, in their own conversation with the bot.
    shared = {f["channel"]: Calendar.from_ical(f["data"]) for f in slack.fake.shared_files}
    assert set(shared) == {dm(MENTOR), dm(MENTEE)}
    for calendar in shared.values():
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == "tandem-session-1@tandem.invalid" and event["SEQUENCE"] == 0
        # lea's work e-mail comes from her Slack profile; Marc's profile shares none.
        assert str(event["ORGANIZER"]) == "mailto:lea.martin@example.com"
        assert "mailto:lea.martin@example.com" in [str(a) for a in event["ATTENDEE"]]

    # Another button of the same proposal: refused with what was booked; nothing changes.
    before = await dump(slack.runtime.uow_factory)
    response = await slack.interact(
        block_actions(MENTOR, "trig-slot-2", found[1], message, dm(MENTOR))
    )
    assert response.status == 200
    await settle(slack)
    assert "Already booked: your next session is on" in received(slack, MENTOR)[-1]
    assert await dump(slack.runtime.uow_factory) == before
    assert not slack.fake.violations


async def test_a_forged_slot_button_changes_nothing(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "/session plan")])
    message, found = buttons(slack, MENTOR)
    forged = {**found[0], "value": found[0]["value"].split("|", 1)[1]}
    before = await dump(slack.runtime.uow_factory)
    response = await slack.interact(
        block_actions(MENTOR, "trig-forged", forged, message, dm(MENTOR))
    )
    assert response.status == 200
    await settle(slack)
    assert "no longer valid" in received(slack, MENTOR)[-1]
    assert await dump(slack.runtime.uow_factory) == before


async def test_a_plan_outside_working_hours_is_refused_in_french(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "/tandem language fr")])
    before = await dump(slack.runtime.uow_factory)
    await play(slack, [(MENTOR, "/session plan 2026-11-20 21:00")])
    assert "en dehors de vos heures de travail" in received(slack, MENTOR)[-1]
    assert await dump(slack.runtime.uow_factory) == before
