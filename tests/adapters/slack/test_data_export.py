"""/tandem my-data through Slack's HTTP endpoint: a summary in the direct message, then the whole
export as a JSON file shared in the same conversation (files_upload_v2 against the fake)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.inbox import InboxItem, InboxStore
from tests.adapters.every_row import every_row
from tests.adapters.slack.payloads import TEAM
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, dm, play, received, seed_pair

WAITING_WORDS = "Wombat payroll secret"


async def a_request_waiting(store: InboxStore) -> None:
    """A message from the mentee, received and not run yet (another replica holds it back):
    the inbox keeps its raw payload until it runs."""
    now = datetime.now(UTC)
    item = InboxItem(
        key="slack:Ev-waiting",
        platform="slack",
        conversation=f"slack:{TEAM}:{MENTEE}",
        kind="message",
        payload={"body": {"event": {"user": MENTEE, "text": WAITING_WORDS}}},
        sender=f"slack:{TEAM}:{MENTEE}",
    )
    item_id = await store.accept(item, "another-replica", now, now + timedelta(minutes=1))
    assert item_id is not None
    await store.retry_later(item_id, "another-replica", now + timedelta(days=1), "", give_up=False)


async def test_my_data_arrives_as_a_summary_and_a_json_file(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTEE, '/session log 45m "Quokka ledger basics"')])
    await play(slack, [(MENTEE, "/tandem my-data")])

    summary = received(slack, MENTEE)[-1]
    assert summary.startswith("Here is everything Tandem stores about you")
    assert "tandem-my-data.json" in summary and "{" not in summary
    (shared,) = slack.fake.shared_files
    assert shared["channel"] == dm(MENTEE)
    assert shared["title"] == "Everything Tandem stores about you"
    export = json.loads(shared["data"].decode("utf-8"))
    (person,) = export["tables"]["person"]
    assert person["user_id"] == MENTEE and person["platform"] == "slack"
    (log,) = export["tables"]["session_log"]
    assert log["topics"] == "Quokka ledger basics"

    # Another person's request shares their own file, in their own conversation only.
    await play(slack, [(MENTOR, "/tandem my-data")])
    assert [f["channel"] for f in slack.fake.shared_files] == [dm(MENTEE), dm(MENTOR)]
    mentor_export = json.loads(slack.fake.shared_files[1]["data"].decode("utf-8"))
    assert mentor_export["tables"]["person"][0]["user_id"] == MENTOR


async def test_a_failed_upload_leaves_the_summary_sent_once(slack: SlackWorld) -> None:
    await seed_pair(slack)
    slack.fake.failing_uploads = 1
    await play(slack, [(MENTEE, "/tandem my-data")])
    answers = [t for t in received(slack, MENTEE) if "everything Tandem stores" in t]
    assert len(answers) == 1 and slack.fake.shared_files == []


async def test_my_data_counts_the_requests_still_waiting_in_the_inbox(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTEE, "/tandem my-data")])
    assert "still waiting to be handled" not in received(slack, MENTEE)[-1]
    await a_request_waiting(slack.runtime.inbox.store)
    await play(slack, [(MENTEE, "/tandem my-data")])
    summary = received(slack, MENTEE)[-1]
    assert "Requests you sent that are still waiting to be handled: 1" in summary
    export = json.loads(slack.fake.shared_files[-1]["data"].decode("utf-8"))
    assert export["requests_not_run_yet"] == 1
    # Only the mentee's own conversation counts.
    await play(slack, [(MENTOR, "/tandem my-data")])
    assert "still waiting to be handled" not in received(slack, MENTOR)[-1]


async def test_after_forget_me_no_table_nor_the_inbox_holds_the_person(slack: SlackWorld) -> None:
    await seed_pair(slack)
    await play(slack, [(MENTEE, '/session log 45m "Quokka ledger basics"')])
    await play(slack, [(MENTOR, "/tandem status")])
    assert slack.runtime.slack is not None
    inbox = slack.runtime.slack.inbox.store
    await a_request_waiting(inbox)
    database = slack.runtime.uow_factory.engine  # type: ignore[attr-defined]
    before = "\n".join(await every_row(database, inbox.engine))
    # The test can fail: their id, name and words are there before, a request not run yet
    # included.
    traces = (MENTEE, "Marc Dubois", "Quokka ledger basics", WAITING_WORDS)
    assert all(trace in before for trace in traces)
    await play(slack, [(MENTEE, "/tandem forget-me"), (MENTEE, "click:#1")])
    assert "everything about you is erased" in received(slack, MENTEE)[-1]

    rows = await every_row(database, inbox.engine)
    text = "\n".join(rows)
    assert "inbox:" in text, "the inbox was looked at"
    for trace in traces:
        assert trace not in text, [line for line in rows if trace in line]
    # The waiting request will not run: nothing would bring the person back.
    assert await inbox.unfinished() == 0
