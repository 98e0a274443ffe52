"""A whole program through Teams: what each person is sent, from invitation to forget-me."""

from __future__ import annotations

import pytest

from tests.adapters.teams.world import (
    CHANNEL,
    HR,
    MENTEE,
    MENTOR,
    NAMES,
    TeamsWorld,
    play,
    received,
)
from tests.fakes.bot_connector import TENANT

LEA, MARC = f"<at>{NAMES[MENTOR]}</at>", f"<at>{NAMES[MENTEE]}</at>"


@pytest.mark.parametrize("execute", [True, False], ids=["execute", "submit-fallback"])
async def test_a_program_from_invitation_to_forget_me(teams: TeamsWorld, execute: bool) -> None:
    await play(
        teams,
        [
            (HR, 'tandem program new "Digital Pioneers" sessions: 6 every: 2w length: 1h'),
            (HR, "#channel tandem digest channel here"),
            (HR, f"tandem invite {LEA} {MARC}"),
            (MENTOR, "click:mentor"),
            (MENTOR, "1:4 9:5 5:3"),
            (MENTOR, "none"),
            (MENTOR, "Learn to explain simply to executives"),
            (MENTOR, "fr, en"),
            (MENTOR, "Digital marketing"),
            (MENTOR, "Tuesday mornings"),
            (MENTOR, "click:"),
            (MENTEE, "click:mentee"),
            (MENTEE, "1:3"),
            (MENTEE, "1:5 9:4"),
            (MENTEE, "Post on LinkedIn on my own"),
            (MENTEE, "fr"),
            (MENTEE, "Finance"),
            (MENTEE, "Thursday afternoons"),
            (MENTEE, "America/New_York"),
            (HR, f"tandem pair {LEA} {MARC}"),
            (MENTOR, "click:#1"),
            (MENTEE, "click:#2"),
            (MENTEE, "6"),
            (MENTEE, "45m"),
            (MENTEE, "click:#2"),
            (MENTEE, "laptop, smartphone"),
            (MENTOR, "click:#1"),
            (MENTEE, "click:#1"),
            (
                MENTOR,
                'session log 45m "LinkedIn basics" next: "post a first article" date: yesterday',
            ),
            (MENTEE, "session log"),
            (MENTEE, "form:1h|Company page and SEO basics|-"),
            (MENTEE, "status"),
            (MENTEE, "tandem my-data"),
            (MENTEE, "tandem forget-me"),
            (MENTEE, "click:#1"),
            (MENTOR, "tandem status"),
            (HR, "#channel tandem digest now"),
        ],
        execute=execute,
    )
    expected = {
        HR: [
            '"Digital Pioneers" is created',
            # Called by the names Teams showed in the mentions, though they never wrote yet.
            "Invitation sent to Léa Martin, Marc Dubois",
            'Léa Martin joined "Digital Pioneers" as mentor',
            'Marc Dubois joined "Digital Pioneers" as mentee',
            "are now a pair",
            'Weekly digest of "Digital Pioneers"',
        ],
        MENTOR: [
            "invites you",
            "✓ Join as mentor",
            "Question 2/7",
            "✓ Keep America/New_York",
            "your profile is complete",
            "Meet your mentee: Marc Dubois (Finance)",
            "A few tips",
            "✓ Pedagogy",
            "Here is the charter",
            "✓ Confirm the charter",
            "confirmed by both of you",
            "That's 1 of 6 sessions",
            "Marc Dubois logged your session",
            "Your partner has left the program",
            "Partner: not paired yet",
        ],
        MENTEE: [
            "invites you",
            "✓ Join as mentee",
            "Time zone: America/New_York",
            "Meet your mentor: Léa Martin (Digital marketing)",
            'dare to say "I don\'t know"',
            "✓ Skill up on the tools",
            "How many meetings",
            "✓ Video call",
            "Here is the charter",
            "✓ Confirm the charter",
            "confirmed by both of you",
            "Léa Martin logged your session",
            "That's 2 of 6 sessions",
            "Sessions: 2 of 6 done (1 h 45 in all)",
            '"display_name": "Marc Dubois"',
            "Do you want me to erase everything about you?",
            "everything about you is erased",
        ],
    }
    for who, wanted in expected.items():
        texts = received(teams, who)
        remaining = iter(texts)
        for needle in wanted:
            assert any(needle in text for text in remaining), f"{who} never got {needle!r}"
    # The two invited people had never written to the bot: a conversation was made for each.
    created_for = {parameters["members"][0]["id"] for _, parameters in teams.fake.created}
    assert {MENTOR, MENTEE} <= created_for
    # The owners' channel got its hello as a new post; answers to commands typed there went
    # privately to the person who typed them, as a slash command's do on Slack.
    (hello,) = teams.fake.to(CHANNEL)
    assert "weekly digest" in hello.text
    conversations = {sent.conversation_id for sent in teams.fake.sent}
    assert conversations == {teams.conversation(p) for p in (HR, MENTOR, MENTEE)} | {CHANNEL}
    async with teams.runtime.uow_factory() as uow:
        assert await uow.person_by_identity("teams", TENANT, MENTEE) is None
