"""A roster imported by a Slack owner: each address is resolved through Slack's Web API (the
fake server, speaking its wire format): a few with ``users.lookupByEmail``, a whole roster with
the pages of ``users.list``; deactivated accounts and unknown addresses get their verdict; the
confirmation's invitations reach the people resolved, by direct message, through the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web import make_app
from bot.clock import VirtualClock
from bot.events import EventKind, InboundEvent, Sender, SharedFile
from bot.main import build_runtime
from bot.messages import Message
from tests.adapters.slack.conftest import slack_settings
from tests.adapters.slack.payloads import TEAM, direct_message
from tests.adapters.slack.world import SlackWorld, buttons, dm, play, received, settle
from tests.console_support import START
from tests.fakes.slack_api import FakeSlack
from tests.roster_files import csv_bytes, roster

OWNER = "UHR00001"


@pytest.fixture
async def fast_slack(migrated_url: str, fake_slack: FakeSlack) -> AsyncIterator[SlackWorld]:
    """The Slack world, with the fake and the deliverer allowing thousands of posts a second
    (the pacing itself is the outbox's, tested on its own): a roster's invitations go at once."""
    fake_slack.rate_per_second = fake_slack.burst = 100_000.0
    await fake_slack.stop()
    await fake_slack.start()
    settings = slack_settings(
        migrated_url, fake_slack.url, slack_messages_per_second=100_000.0, slack_burst=100_000
    )
    runtime = await build_runtime(settings, VirtualClock(START), migrate=False)
    try:
        async with TestClient(TestServer(make_app(runtime.slack))) as http:
            yield SlackWorld(http, fake_slack, runtime)
    finally:
        await runtime.close()


def _owner() -> Sender:
    return Sender(platform="slack", workspace=TEAM, user_id=OWNER, display_name="hr")


async def _import(world: SlackWorld, data: bytes) -> Message:
    (reply,) = await world.runtime.engine.handle(
        InboundEvent(
            kind=EventKind.COMMAND,
            sender=_owner(),
            text="/tandem roster import",
            files=(SharedFile("people.csv", data, len(data)),),
        )
    )
    return reply


async def _confirm(world: SlackWorld, reply: Message) -> Message:
    (button, _) = reply.choices
    (answer,) = await world.runtime.engine.handle(
        InboundEvent(kind=EventKind.CHOICE, sender=_owner(), value=button.value)
    )
    await settle(world)
    return answer


def _invitations(world: SlackWorld) -> list[dict[str, object]]:
    return [
        message
        for message in world.fake.posted
        if str((message.get("metadata") or {}).get("event_payload", {}).get("key", "")).startswith(
            "invitation:"
        )
    ]


def _slack_users(world: SlackWorld, emails: list[str]) -> dict[str, str]:
    """Slack members with these addresses (upper case, as directories often store them)."""
    ids = {}
    for number, email in enumerate(emails):
        user_id = f"U{number:07}"
        world.fake.users[user_id] = {
            "real_name": f"Member {number}",
            "tz": "Europe/Paris",
            "profile": {"email": email.upper(), "display_name": f"member{number}"},
        }
        ids[email] = user_id
    return ids


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_few_addresses_are_looked_up_one_by_one(slack: SlackWorld) -> None:
    await play(slack, [(OWNER, '/tandem program new "Pilot"')])
    made = roster(12, bad=False)
    invited = [email for email, verdict in made.expected.items() if verdict == "invite"]
    ids = _slack_users(slack, invited[:-1])
    # One account was deactivated: Slack still answers, with deleted: true.
    slack.fake.users[ids[invited[0]]]["deleted"] = True

    reply = await _import(slack, csv_bytes(made))

    assert len(slack.fake.calls_to("users.lookupByEmail")) == len(invited)
    assert not slack.fake.calls_to("users.list")
    assert f"• {len(invited) - 2} to invite" in reply.text
    assert "• 2 unknown e-mails" in reply.text
    # Nothing was sent to anyone by the dry run.
    await settle(slack)
    assert not [m for m in slack.fake.posted if m["channel"] != dm(OWNER)]

    answer = await _confirm(slack, reply)
    assert f"Done: {len(invited) - 2} invitations" in answer.text
    reached = {m["channel"] for m in _invitations(slack)}
    assert reached == {dm(ids[email]) for email in invited[1:-1]}


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_whole_roster_reads_the_member_list_by_pages(fast_slack: SlackWorld) -> None:
    slack = fast_slack
    await play(slack, [(OWNER, '/tandem program new "Pilot"')])
    made = roster(2500)
    invited = [email for email, verdict in made.expected.items() if verdict == "invite"]
    # Slack knows everyone but the last ten, and 700 other members who are not in the roster.
    ids = _slack_users(slack, [*invited[:-10], *(f"other{i}@acme.example" for i in range(700))])

    reply = await _import(slack, csv_bytes(made))

    pages = slack.fake.calls_to("users.list")
    members = len(slack.fake.users)
    assert members > 3000
    assert len(pages) == -(-members // 1000)
    assert {page["limit"] for page in pages} == {"1000"}
    assert not slack.fake.calls_to("users.lookupByEmail")
    to_invite = len(invited) - 10
    assert f"• {to_invite:,} to invite" in reply.text
    # The ten Slack does not know, and the console-style address nobody has.
    assert "• 11 unknown e-mails" in reply.text
    assert "• 1 duplicate\n" in reply.text

    answer = await _confirm(slack, reply)
    assert f"Done: {to_invite:,} invitations" in answer.text
    invitations = _invitations(slack)
    assert len(invitations) == to_invite
    assert {m["channel"] for m in invitations} == {dm(ids[email]) for email in invited[:-10]}

    # The same roster again: nobody is looked up twice, nothing is sent twice.
    again = await _import(slack, csv_bytes(made))
    assert f"• {to_invite:,} already invited" in again.text
    # Only the ten Slack did not know are asked about again.
    assert len(slack.fake.calls_to("users.lookupByEmail")) == 11
    await settle(slack)
    assert len(_invitations(slack)) == to_invite


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_slack_refusing_the_lookup_imports_nothing(slack: SlackWorld) -> None:
    await play(slack, [(OWNER, '/tandem program new "Pilot"')])
    slack.fake.scopes = slack.fake.scopes - {"users:read.email"}
    made = roster(5, bad=False)
    reply = await _import(slack, csv_bytes(made))
    assert "users:read.email" in reply.text
    assert not reply.choices
    slack.fake.violations.clear()


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_roster_shared_in_the_direct_conversation(slack: SlackWorld) -> None:
    await play(slack, [(OWNER, '/tandem program new "Pilot"')])
    made = roster(8, bad=False)
    invited = [email for email, verdict in made.expected.items() if verdict == "invite"]
    _slack_users(slack, invited)
    shared = slack.fake.share_file("people.csv", csv_bytes(made, french=True, separator=";"))
    event = {
        **direct_message(OWNER, "/tandem roster import", dm(OWNER)),
        "subtype": "file_share",
        "files": [shared],
    }
    response = await slack.event(event, "EvRoster1")
    assert response.status == 200
    await settle(slack)
    assert slack.fake.calls_to("files.download") == [{"file": shared["id"]}]
    answers = [text for text in received(slack, OWNER) if "checked" in text]
    assert answers and f"• {len(invited)} to invite" in answers[-1]
    # The report goes up as a file next to the answer, and the answer carries the button.
    assert [f["title"] for f in slack.fake.shared_files] == ['Roster check for "Pilot"']
    _, found = buttons(slack, OWNER)
    assert found[0]["text"]["text"] == f"Send {len(invited)} invitations"
    await play(slack, [(OWNER, "click:Send")])
    assert len(_invitations(slack)) == len(invited)


@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
async def test_a_rate_limited_lookup_waits_and_goes_on(slack: SlackWorld) -> None:
    await play(slack, [(OWNER, '/tandem program new "Pilot"')])
    made = roster(3, bad=False)
    invited = [email for email, verdict in made.expected.items() if verdict == "invite"]
    _slack_users(slack, invited)
    slack.fake.retry_after = "0"
    slack.fake.method_failures["users.lookupByEmail"] = [429, 429]
    reply = await _import(slack, csv_bytes(made))
    assert slack.fake.rejected[429] == 2
    assert f"• {len(invited)} to invite" in reply.text
