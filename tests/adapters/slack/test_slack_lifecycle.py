"""A whole program through Slack: what each person is sent, from invitation to forget-me."""

from __future__ import annotations

from tests.adapters.slack.payloads import TEAM
from tests.adapters.slack.world import MENTEE, MENTOR, SlackWorld, dm, play, received

HR = "UHROWNER1"


async def test_a_program_from_invitation_to_forget_me(slack: SlackWorld) -> None:
    await play(
        slack,
        [
            (HR, '/tandem program new "Digital Pioneers" sessions: 6 every: 2w length: 1h'),
            (HR, f"/tandem invite <@{MENTOR}|lea> <@{MENTEE}|marc>"),
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
            (HR, f"/tandem pair <@{MENTOR}> <@{MENTEE}>"),
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
                '/session log 45m "LinkedIn basics" next: "post a first article" date: yesterday',
            ),
            (MENTEE, "/session log"),
            (MENTEE, "form:1h|Company page and SEO basics|-"),
            (MENTEE, "/tandem status"),
            (MENTEE, "/tandem my-data"),
            (MENTEE, "/tandem forget-me"),
            (MENTEE, "click:#1"),
            (MENTOR, "/tandem status"),
        ],
    )
    expected = {
        HR: [
            '"Digital Pioneers" is created',
            "Invitation sent to lea, marc",
            'lea joined "Digital Pioneers" as mentor',
            'Marc Dubois joined "Digital Pioneers" as mentee',
            "are now a pair",
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
            "Meet your mentor: lea (Digital marketing)",
            'dare to say "I don\'t know"',
            "✓ Skill up on the tools",
            "How many meetings",
            "✓ Video call",
            "Here is the charter",
            "✓ Confirm the charter",
            "confirmed by both of you",
            "lea logged your session",
            "That's 2 of 6 sessions",
            "Sessions: 2 of 6 done (1 h 45 in all)",
            '"display_name": "Marc Dubois"',
            "Do you want me to erase everything about you?",
            "everything about you is erased",
        ],
    }
    for who, wanted in expected.items():
        texts = received(slack, who)
        assert len(texts) == len(set(texts)), f"{who} was sent something twice"
        remaining = iter(texts)
        for needle in wanted:
            assert any(needle in text for text in remaining), f"{who} never got {needle!r}"
    # Nothing went anywhere but the three people's direct messages.
    channels = {arguments["channel"] for arguments in slack.fake.calls_to("chat.postMessage")}
    assert channels == {dm(HR), dm(MENTOR), dm(MENTEE)}
    async with slack.runtime.uow_factory() as uow:
        assert await uow.person_by_identity("slack", TEAM, MENTEE) is None
