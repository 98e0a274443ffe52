"""The foundation's lifecycle scenario, the same on every platform: a program from invitation
to forget-me, and what each person must have been told, in order."""

from __future__ import annotations

from collections.abc import Callable


def lifecycle_steps(
    hr: str,
    mentor: str,
    mentee: str,
    *,
    slash: str,
    mention: Callable[[str], str],
) -> list[tuple[str, str]]:
    """``slash``: "/" where commands are slash commands, "" where they are typed as they are;
    ``mention``: how the platform writes a mention of a user id in a command."""
    both = f"{mention(mentor)} {mention(mentee)}"
    return [
        (hr, f'{slash}tandem program new "Digital Pioneers" sessions: 6 every: 2w length: 1h'),
        (hr, f"{slash}tandem invite {both}"),
        (mentor, "click:mentor"),
        (mentor, "1:4 9:5 5:3"),
        (mentor, "none"),
        (mentor, "Learn to explain simply to executives"),
        (mentor, "fr, en"),
        (mentor, "Digital marketing"),
        (mentor, "Tuesday mornings"),
        (mentor, "click:"),
        (mentee, "click:mentee"),
        (mentee, "1:3"),
        (mentee, "1:5 9:4"),
        (mentee, "Post on LinkedIn on my own"),
        (mentee, "fr"),
        (mentee, "Finance"),
        (mentee, "Thursday afternoons"),
        (mentee, "America/New_York"),
        (hr, f"{slash}tandem pair {both}"),
        (mentor, "click:#1"),
        (mentee, "click:#2"),
        (mentee, "6"),
        (mentee, "45m"),
        (mentee, "click:#2"),
        (mentee, "laptop, smartphone"),
        (mentor, "click:#1"),
        (mentee, "click:#1"),
        (
            mentor,
            f'{slash}session log 45m "LinkedIn basics" next: "post a first article" date: today',
        ),
        (mentee, f"{slash}session log"),
        (mentee, "form:1h|Company page and SEO basics|-"),
        (mentee, f"{slash}tandem status"),
        (mentee, f"{slash}tandem my-data"),
        (mentee, f"{slash}tandem forget-me"),
        (mentee, "click:#1"),
        (mentor, f"{slash}tandem status"),
    ]


def lifecycle_expected(
    hr: str, mentor: str, mentee: str, *, mentor_name: str, mentee_name: str
) -> dict[str, list[str]]:
    """What each person must have been told, in this order (among other things)."""
    return {
        hr: [
            '"Digital Pioneers" is created',
            f'{mentor_name} joined "Digital Pioneers" as mentor',
            f'{mentee_name} joined "Digital Pioneers" as mentee',
            "are now a pair",
        ],
        mentor: [
            "invites you",
            "✓ Join as mentor",
            "Question 2/7",
            "✓ Keep America/New_York",
            "your profile is complete",
            f"Meet your mentee: {mentee_name} (Finance)",
            "A few tips",
            "✓ Pedagogy",
            "Here is the charter",
            "✓ Confirm the charter",
            "confirmed by both of you",
            "That's 1 of 6 sessions",
            f"{mentee_name} logged your session",
            "Your partner has left the program",
            "your tandem has ended",
        ],
        mentee: [
            "invites you",
            "✓ Join as mentee",
            "Time zone: America/New_York",
            f"Meet your mentor: {mentor_name} (Digital marketing)",
            'dare to say "I don\'t know"',
            "✓ Skill up on the tools",
            "How many meetings",
            "✓ Video call",
            "Here is the charter",
            "✓ Confirm the charter",
            "confirmed by both of you",
            f"{mentor_name} logged your session",
            "That's 2 of 6 sessions",
            "Sessions: 2 of 6 done (1 h 45 in all)",
            "Here is everything Tandem stores about you",
            "Do you want me to erase everything about you?",
            "everything about you is erased",
        ],
    }


def assert_told_in_order(
    expected: dict[str, list[str]], received: Callable[[str], list[str]]
) -> None:
    for who, wanted in expected.items():
        texts = received(who)
        assert len(texts) == len(set(texts)), f"{who} was sent something twice"
        remaining = iter(texts)
        for needle in wanted:
            assert any(needle in text for text in remaining), f"{who} never got {needle!r}"
