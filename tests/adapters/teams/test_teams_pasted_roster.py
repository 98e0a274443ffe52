"""Teams: a roster pasted under ``tandem roster import`` reaches the dry run line by line,
through the real messaging endpoint, whether Teams sends the message as HTML paragraphs or as
plain text with line breaks."""

from __future__ import annotations

import pytest

from tests.adapters.teams.world import HR, TeamsWorld, play, received, settle


@pytest.mark.parametrize(
    "pasted",
    [
        "<p>tandem roster import</p><p>e-mail;nom;rôle</p>"
        "<p>marc@acme.example;Marc;mentoré</p><p>zoe@acme.example;Zoé&nbsp;Roy;Mentor</p>",
        "tandem roster import<br>e-mail;nom;rôle<br/>marc@acme.example;Marc;mentoré<br>"
        "zoe@acme.example;Zoé Roy;Mentor",
    ],
    ids=["paragraphs", "line-breaks"],
)
async def test_a_pasted_roster_is_read_line_by_line(teams: TeamsWorld, pasted: str) -> None:
    await play(teams, [(HR, 'tandem program new "Pilot"')])
    activity = teams.activity(HR, "message", text=pasted, textFormat="xml")
    response = await teams.post(activity)
    assert response.status in (200, 201)
    await settle(teams)
    # The report's card (its buttons with it), then its file.
    answer = "\n".join(received(teams, HR)[-2:])
    # Both lines read (nobody there opened Tandem yet): none folded into the header.
    assert "2 not reachable until they install Tandem" in answer
    assert "zoe@acme.example" in answer
