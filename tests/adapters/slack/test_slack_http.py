"""Slack end to end: signed requests into the real web app, replies through the fake Web API."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timedelta

import pytest

from bot.clock import VirtualClock
from tests.adapters.slack.payloads import (
    TEAM,
    app_home_opened,
    block_actions,
    direct_message,
    event_callback,
    signed_headers,
    slash_command,
    view_closed,
    view_submission,
)
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, seed_pair

SLACK_DEADLINE = 3.0


async def _session_logs(world: SlackWorld, pair_id: int) -> list[tuple[int, str]]:
    async with world.runtime.uow_factory() as uow:
        return [(log.minutes, log.topics) for log in await uow.session_logs(pair_id)]


async def test_a_slash_command_is_acknowledged_at_once_and_answered_by_dm(
    slack: SlackWorld,
) -> None:
    started = time.monotonic()
    response = await slack.command(MENTOR, "/tandem", "help", "trig-help")
    assert response.status == 200
    assert time.monotonic() - started < SLACK_DEADLINE
    (reply,) = await slack.fake.wait_for("chat.postMessage")
    assert reply["channel"] == f"D-{MENTOR}"
    assert "/session log" in reply["text"]
    # Who spoke was looked up once, with locale and time zone, and kept in the database.
    (lookup,) = slack.fake.calls_to("users.info")
    assert lookup["user"] == MENTOR and lookup["include_locale"] in (True, "true", "1")
    async with slack.runtime.uow_factory() as uow:
        person = await uow.person_by_identity("slack", TEAM, MENTOR)
        assert person is not None
        assert (person.display_name, person.timezone) == ("lea", "America/New_York")
    await slack.command(MENTOR, "/tandem", "help", "trig-help-2")
    await slack.fake.wait_for("chat.postMessage", 2)
    assert len(slack.fake.calls_to("users.info")) == 1, "profiles are cached"


async def test_session_log_without_arguments_opens_a_modal_and_a_bad_duration_is_shown_inline(
    slack: SlackWorld,
) -> None:
    pair_id = await seed_pair(slack)
    response = await slack.command(MENTOR, "/session", "log", "trig-form")
    assert response.status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened["trigger_id"] == "trig-form"
    view = opened["view"]
    assert view["type"] == "modal" and view["notify_on_close"] is True
    fields = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
    assert fields == ["duration", "topics", "next", "date"]
    date_block = next(b for b in view["blocks"] if b.get("block_id") == "date")
    today = date_block["element"]["initial_date"]

    bad = view_submission(
        MENTOR,
        "trig-submit-1",
        view,
        {
            "duration": {"type": "plain_text_input", "value": "forever"},
            "topics": {"type": "plain_text_input", "value": "LinkedIn basics"},
            "next": {"type": "plain_text_input", "value": None},
            "date": {"type": "datepicker", "selected_date": today},
        },
    )
    response = await slack.interact(bad)
    assert response.status == 200
    answer = await response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"duration"}
    assert await _session_logs(slack, pair_id) == []

    good = view_submission(
        MENTOR,
        "trig-submit-2",
        view,
        {
            "duration": {"type": "plain_text_input", "value": "45m"},
            "topics": {"type": "plain_text_input", "value": "LinkedIn basics"},
            "next": {"type": "plain_text_input", "value": "post a first article"},
            "date": {"type": "datepicker", "selected_date": today},
        },
    )
    response = await slack.interact(good)
    assert response.status == 200
    assert (await response.read()) in (b"", b"{}")
    assert await _session_logs(slack, pair_id) == [(45, "LinkedIn basics")]
    (confirmation,) = await slack.fake.wait_for("chat.postMessage")
    assert confirmation["channel"] == f"D-{MENTOR}"


async def test_closing_the_modal_cancels_the_form(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await slack.command(MENTOR, "/session", "log", "trig-form")
    (opened,) = await slack.fake.wait_for("views.open")
    response = await slack.interact(view_closed(MENTOR, opened["view"]))
    assert response.status == 200
    (said,) = await slack.fake.wait_for("chat.postMessage")
    assert said["channel"] == f"D-{MENTOR}"


async def test_a_button_click_reaches_the_engine_and_the_prompt_is_replaced(
    slack: SlackWorld,
) -> None:
    await slack.command(MENTOR, "/tandem", 'program new "Pilot"', "trig-new")
    await slack.fake.wait_for("chat.postMessage")
    # A mention as Slack writes it reaches the engine as @U…
    await slack.command(MENTOR, "/tandem", f"invite <@{MENTEE}|marc>", "trig-invite")
    await slack.fake.wait_for("chat.postMessage", 2)
    assert await slack.runtime.deliverer.drain() == 1
    invitation = next(p for p in slack.fake.posted if p["channel"] == f"D-{MENTEE}")
    buttons = [
        element
        for block in invitation["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert buttons, "the invitation carries buttons"
    click = block_actions(MENTEE, "trig-click", buttons[0], invitation, f"D-{MENTEE}")
    response = await slack.interact(click)
    assert response.status == 200
    (update,) = await slack.fake.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == (f"D-{MENTEE}", invitation["ts"])
    assert all(block["type"] != "actions" for block in update["blocks"])
    assert buttons[0]["text"]["text"] in update["text"]
    async with slack.runtime.uow_factory() as uow:
        mentee = await uow.person_by_identity("slack", TEAM, MENTEE)
        assert mentee is not None and mentee.id is not None
        (enrollment,) = await uow.enrollments_of_person(mentee.id)
        assert enrollment.role.value in ("mentor", "mentee")
    # The engine's answer to the click (the intake's first question) went to the mentee.
    await slack.fake.wait_for("chat.postMessage", 3)
    assert slack.fake.calls_to("chat.postMessage")[-1]["channel"] == f"D-{MENTEE}"


async def _engine_outcomes(caplog: pytest.LogCaptureFixture, count: int) -> list[str]:
    """The outcomes of the first ``count`` turns the engine handled, once it has."""
    async with asyncio.timeout(5):
        while True:
            outcomes = [
                str(getattr(record, "outcome", ""))
                for record in caplog.records
                if record.name == "tandem.engine" and record.getMessage() == "event handled"
            ]
            if len(outcomes) >= count:
                return outcomes
            await asyncio.sleep(0.01)


async def test_a_retried_event_has_one_effect(
    slack: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tandem.engine")
    pair_id = await seed_pair(slack)
    message = direct_message(MENTOR, 'session log 45m "LinkedIn basics"', f"D-{MENTOR}")
    first = await slack.event(message, "Ev0001")
    assert first.status == 200
    await slack.fake.wait_for("chat.postMessage")
    retry = await slack.event(message, "Ev0001", retry=1)
    assert retry.status == 200
    await slack.runtime.slack.settled()
    # The retry finds the request in the inbox: acknowledged, and never run a second time.
    assert await _engine_outcomes(caplog, 1) == ["ok"]
    # A later, different event is answered as usual.
    await slack.event(direct_message(MENTOR, "session list", f"D-{MENTOR}"), "Ev0002")
    await slack.fake.wait_for("chat.postMessage", 2)
    assert len(await _session_logs(slack, pair_id)) == 1
    assert [c["channel"] for c in slack.fake.calls_to("chat.postMessage")] == [f"D-{MENTOR}"] * 2
    async with slack.runtime.uow_factory() as uow:
        person = await uow.person_by_identity("slack", TEAM, MENTOR)
        assert person is not None and person.address == {"dm_channel": f"D-{MENTOR}"}


async def test_unsigned_wrongly_signed_and_stale_requests_are_refused(slack: SlackWorld) -> None:
    body = slash_command(MENTOR, "/tandem", "help", "trig-x")
    form = "application/x-www-form-urlencoded"
    wrong = signed_headers(body, form, secret="not-the-secret")
    stale = signed_headers(body, form, timestamp=int(time.time()) - 6 * 60)
    for headers in (wrong, stale, {"Content-Type": form}):
        response = await slack.http.post("/slack/events", data=body.encode(), headers=headers)
        assert response.status == 401
    assert slack.fake.calls_to("chat.postMessage") == []
    assert slack.fake.calls_to("users.info") == []


async def test_opening_the_app_home_publishes_the_persons_tandem(slack: SlackWorld) -> None:
    await seed_pair(slack)
    response = await slack.event(app_home_opened(MENTOR, f"D-{MENTOR}"), "Ev0100")
    assert response.status == 200
    (published,) = await slack.fake.wait_for("views.publish")
    assert published["user_id"] == MENTOR
    view = published["view"]
    assert view["type"] == "home"
    texts = " ".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "marc" in texts
    (actions,) = [b for b in view["blocks"] if b["type"] == "actions"]
    assert "/session log" in [button["value"] for button in actions["elements"]]

    # The Home tab's "Log a session" button opens the form.
    home_button = actions["elements"][0]
    click = {
        "type": "block_actions",
        "user": {"id": MENTOR, "team_id": TEAM},
        "team": {"id": TEAM},
        "container": {"type": "view", "view_id": "VHOME"},
        "trigger_id": "trig-home",
        "view": {"id": "VHOME", "type": "home"},
        "actions": [{**home_button, "block_id": "b", "action_ts": "1"}],
    }
    assert (await slack.interact(click)).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened["trigger_id"] == "trig-home"


async def test_a_rate_limited_reply_waits_and_is_sent(slack: SlackWorld) -> None:
    await slack.command(MENTOR, "/tandem", "help", "trig-1")
    await slack.fake.wait_for("chat.postMessage")
    slack.fake.fail_next(429)
    await slack.command(MENTOR, "/tandem", "help", "trig-2")
    await slack.fake.wait_for("chat.postMessage", 2, within=6)
    assert slack.fake.rejected[429] == 1


async def test_url_verification_is_answered(slack: SlackWorld) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "t", "challenge": challenge, "type": "url_verification"})
    response = await slack.post(body, "application/json")
    assert response.status == 200
    assert challenge in await response.text()


def test_event_callback_payloads_are_json() -> None:
    assert event_callback({"type": "x"}, "Ev1").startswith("{")


async def test_a_form_asked_for_in_a_direct_message_opens_from_a_button(
    slack: SlackWorld,
) -> None:
    await seed_pair(slack)
    await slack.event(direct_message(MENTOR, "session log", f"D-{MENTOR}"), "Ev0200")
    (reply,) = await slack.fake.wait_for("chat.postMessage")
    (actions,) = [block for block in reply["blocks"] if block["type"] == "actions"]
    (button,) = actions["elements"]
    assert button["value"] == "session log"
    click = {
        "type": "block_actions",
        "user": {"id": MENTOR, "team_id": TEAM},
        "team": {"id": TEAM},
        "container": {"type": "message", "channel_id": f"D-{MENTOR}", "message_ts": "1.2"},
        "trigger_id": "trig-reopen",
        "actions": [{**button, "block_id": "b", "action_ts": "1"}],
    }
    assert (await slack.interact(click)).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened["trigger_id"] == "trig-reopen"
    assert opened["view"]["callback_id"] == "tandem_form"


async def test_profiles_are_looked_up_again_after_a_day(slack: SlackWorld) -> None:
    await slack.command(MENTOR, "/tandem", "help", "trig-a")
    await slack.fake.wait_for("chat.postMessage")
    clock = slack.runtime.clock
    assert isinstance(clock, VirtualClock)
    clock.advance(timedelta(hours=23))
    await slack.command(MENTOR, "/tandem", "help", "trig-b")
    await slack.fake.wait_for("chat.postMessage", 2)
    assert len(slack.fake.calls_to("users.info")) == 1
    slack.fake.users[MENTOR]["tz"] = "Asia/Tokyo"
    clock.advance(timedelta(hours=2))
    await slack.command(MENTOR, "/tandem", "help", "trig-c")
    await slack.fake.wait_for("chat.postMessage", 3)
    assert len(slack.fake.calls_to("users.info")) == 2


async def test_an_expired_trigger_leaves_a_button_that_opens_the_form(slack: SlackWorld) -> None:
    await seed_pair(slack)
    slack.fake.expired_triggers.add("trig-late")
    await slack.command(MENTOR, "/session", "log", "trig-late")
    (reply,) = await slack.fake.wait_for("chat.postMessage")
    (actions,) = [block for block in reply["blocks"] if block["type"] == "actions"]
    assert [button["value"] for button in actions["elements"]] == ["/session log"]


async def test_a_reply_that_replaces_the_prompt_is_written_over_it(slack: SlackWorld) -> None:
    await slack.command(MENTOR, "/tandem", 'program new "Pilot"', "trig-new")
    await slack.fake.wait_for("chat.postMessage")
    await slack.command(MENTOR, "/tandem", f"invite <@{MENTEE}|marc>", "trig-invite")
    await slack.fake.wait_for("chat.postMessage", 2)
    assert await slack.runtime.deliverer.drain() == 1
    invitation = next(p for p in slack.fake.posted if p["channel"] == f"D-{MENTEE}")
    (actions,) = [block for block in invitation["blocks"] if block["type"] == "actions"]
    decline = next(b for b in actions["elements"] if b["value"].endswith(":decline"))
    click = block_actions(MENTEE, "trig-decline", decline, invitation, f"D-{MENTEE}")
    assert (await slack.interact(click)).status == 200
    (update,) = await slack.fake.wait_for("chat.update")
    assert "Pilot" in update["text"]
    assert all(block["type"] != "actions" for block in update["blocks"])
    # The answer replaced the prompt: nothing more was posted for it.
    assert len(slack.fake.calls_to("chat.postMessage")) == 3


def _filled(view: dict[str, object], trigger: str, today: str) -> dict[str, object]:
    return view_submission(
        MENTOR,
        trigger,
        view,
        {
            "duration": {"type": "plain_text_input", "value": "45m"},
            "topics": {"type": "plain_text_input", "value": "LinkedIn basics"},
            "next": {"type": "plain_text_input", "value": None},
            "date": {"type": "datepicker", "selected_date": today},
        },
    )


async def _opened_form(slack: SlackWorld) -> tuple[dict[str, object], str]:
    await slack.command(MENTOR, "/session", "log", "trig-form")
    (opened,) = await slack.fake.wait_for("views.open")
    view = opened["view"]
    date_block = next(b for b in view["blocks"] if b.get("block_id") == "date")
    return view, date_block["element"]["initial_date"]


async def test_the_same_form_submitted_twice_with_other_trigger_ids_logs_one_session(
    slack: SlackWorld,
) -> None:
    pair_id = await seed_pair(slack)
    view, today = await _opened_form(slack)
    for trigger in ("trig-submit-1", "trig-submit-2"):
        response = await slack.interact(_filled(view, trigger, today))
        assert response.status == 200
    await slack.runtime.slack.settled()
    assert await _session_logs(slack, pair_id) == [(45, "LinkedIn basics")]
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_a_form_behind_a_slow_turn_is_acknowledged_in_time_and_still_applied(
    slack: SlackWorld,
) -> None:
    pair_id = await seed_pair(slack)
    view, today = await _opened_form(slack)
    # The person's previous turn is held up by Slack's rate limit for three seconds.
    slack.fake.retry_after = "3"
    slack.fake.fail_next(429)
    await slack.command(MENTOR, "/tandem", "status", "trig-status")
    await asyncio.sleep(0.2)
    started = time.monotonic()
    response = await slack.interact(_filled(view, "trig-submit-slow", today))
    assert response.status == 200
    waited = time.monotonic() - started
    assert 2.0 < waited < 2.95, f"answered after {waited:.1f} s (Slack gives up after 3 s)"
    await slack.runtime.slack.settled()
    assert await _session_logs(slack, pair_id) == [(45, "LinkedIn basics")]
