"""/tandem my-data through the Teams endpoint: the summary as the message's text and the whole
export as a JSON file inside the same activity; an export too large for one activity follows
the summary as plain text in parts."""

from __future__ import annotations

import base64
import json

from adapters.teams.replies import FILE_BUDGET, Replies
from adapters.teams.structured import CARD_BUDGET
from bot.i18n import Renderer
from bot.messages import Attachment, Message
from tests.adapters.every_row import every_row
from tests.adapters.teams.world import MENTEE, MENTOR, NAMES, TeamsWorld, play, received, seed_pair

PREFIX = "data:application/json;base64,"


async def test_my_data_arrives_as_a_summary_with_the_json_file(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTEE, 'session log 45m "Quokka ledger basics"')])
    await play(teams, [(MENTEE, "tandem my-data")])

    sent = teams.fake.to(teams.conversation(MENTEE))[-1].activity
    assert sent["text"].startswith("Here is everything Tandem stores about you")
    (file,) = sent["attachments"]
    assert file["contentType"] == "application/json" and file["name"] == "tandem-my-data.json"
    assert file["contentUrl"].startswith(PREFIX)
    export = json.loads(base64.b64decode(file["contentUrl"][len(PREFIX) :]).decode("utf-8"))
    (person,) = export["tables"]["person"]
    assert person["user_id"] == MENTEE and person["platform"] == "teams"
    (log,) = export["tables"]["session_log"]
    assert log["topics"] == "Quokka ledger basics"
    # One activity stays within the budget kept under Teams' limit for a bot's message.
    assert len(json.dumps(sent).encode("utf-8")) < CARD_BUDGET


def test_an_export_too_large_for_one_activity_follows_in_parts() -> None:
    # Over three times the budget, whatever the budget is.
    rows = 3 * FILE_BUDGET // 400 + 10
    content = json.dumps(
        {"rows": [{"id": i, "text": "é" * 200} for i in range(rows)]}, ensure_ascii=False, indent=2
    )
    assert len(content.encode("utf-8")) > 3 * FILE_BUDGET
    message = Message(text="Summary", attachment=Attachment("tandem-my-data.json", content))
    summary, *parts = Replies(Renderer()).activities(message)
    assert summary.text == "Summary" and not summary.attachments
    assert len(parts) >= 3
    assert all(len(part.text.encode("utf-8")) <= FILE_BUDGET for part in parts)
    assert "".join(part.text for part in parts) == content


async def test_after_forget_me_no_table_nor_the_inbox_holds_the_person(teams: TeamsWorld) -> None:
    await seed_pair(teams)
    await play(teams, [(MENTEE, 'session log 45m "Quokka ledger basics"')])
    await play(teams, [(MENTOR, "tandem status")])
    assert teams.runtime.teams is not None
    inbox = teams.runtime.teams.inbox.store
    database = teams.runtime.uow_factory.engine  # type: ignore[attr-defined]
    before = "\n".join(await every_row(database, inbox.engine))
    # The test can fail: their id, name and words are there before.
    traces = (MENTEE, NAMES[MENTEE], teams.conversation(MENTEE), "Quokka ledger basics")
    assert all(trace in before for trace in traces)
    await play(teams, [(MENTEE, "tandem forget-me"), (MENTEE, "click:#1")])
    assert "everything about you is erased" in received(teams, MENTEE)[-1]

    rows = await every_row(database, inbox.engine)
    assert any(line.startswith("inbox:") for line in rows), "the inbox was looked at"
    for trace in traces:
        assert not [line for line in rows if trace in line], trace
