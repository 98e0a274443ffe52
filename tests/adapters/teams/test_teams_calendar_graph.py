"""Teams with a Microsoft 365 tenant connected through Graph (the fake Graph on a free port),
through the real messaging endpoint: a proposal's Action.Execute books a Teams meeting in the
organiser's Outlook calendar with the partner invited (no invitation file then), the reminder
carries the meeting link, and ``session cancel`` DELETEs the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import VirtualClock
from tests.adapters.teams.world import (
    MENTEE,
    MENTOR,
    NAMES,
    TeamsWorld,
    card_actions,
    play,
    received,
    seed_pair,
    settle,
)
from tests.calendar_support import give_emails
from tests.fakes.graph_calendar import FakeGraph

JOIN = "https://teams.microsoft.com/l/meetup-join/"


def _files(teams: TeamsWorld, user: str) -> list[dict[str, object]]:
    return [
        file
        for sent in teams.fake.to(teams.conversation(user))
        for file in sent.activity.get("attachments") or ()
        if file.get("contentType") == "text/calendar"
    ]


async def test_booking_reminder_and_cancel_go_through_graph(
    teams_with_graph: TeamsWorld, graph: FakeGraph
) -> None:
    teams = teams_with_graph
    await seed_pair(teams)
    # Their user principal names, as the roster gives them.
    await give_emails(
        teams.runtime.uow_factory,
        **{NAMES[MENTOR]: "lea@contoso.com", NAMES[MENTEE]: "marc@contoso.com"},
    )
    await play(teams, [(MENTEE, "help"), (MENTOR, "help"), (MENTOR, "session plan")])
    (asked,) = graph.calls("POST", "/calendar/getSchedule")
    assert sorted(asked.body["schedules"]) == ["lea@contoso.com", "marc@contoso.com"]
    reply_to, card = teams.latest_card(MENTOR)
    actions = card_actions(card)
    assert len(actions) == 3

    # That afternoon: within both working days, New York and Paris, for the reminder.
    response = await teams.act(MENTOR, dict(actions[0]["data"]), reply_to, execute=True)
    assert response.status in (200, 201)
    await settle(teams)
    (created,) = graph.calls("POST", "/events")
    assert created.path == "/v1.0/users/lea@contoso.com/events"
    assert created.body["attendees"] == [
        {"emailAddress": {"address": "marc@contoso.com"}, "type": "required"}
    ]
    assert created.body["isOnlineMeeting"] is True
    assert any("Next session planned for" in t and JOIN in t for t in received(teams, MENTOR))
    assert any("planned your next session" in t and JOIN in t for t in received(teams, MENTEE))
    # In both Outlook calendars already: no invitation file, no download link.
    assert not _files(teams, MENTOR) and not _files(teams, MENTEE)

    clock = teams.runtime.clock
    assert isinstance(clock, VirtualClock)
    starts = next(iter(graph.events.values()))["start"]["dateTime"]
    clock.set(datetime.fromisoformat(starts).replace(tzinfo=UTC) - timedelta(minutes=50))
    await teams.runtime.ticker.tick()
    await settle(teams)
    for user in (MENTOR, MENTEE):
        (reminder,) = [t for t in received(teams, user) if t.startswith("Reminder: your session")]
        assert JOIN in reminder

    await play(teams, [(MENTEE, "session cancel")])
    (delete,) = graph.calls("DELETE")
    event_id = next(iter(graph.events))
    assert delete.path == f"/v1.0/users/lea@contoso.com/events/{event_id}"
    assert graph.events[event_id]["deleted"] is True
    assert any("cancelled your session" in t for t in received(teams, MENTOR)[-2:])
    assert not _files(teams, MENTOR) and not teams.fake.violations
