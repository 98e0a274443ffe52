"""The kickoff of a new pair: introductions, preparation tips, then expectation setting."""

from __future__ import annotations

from bot.conversations import charter as charter_flow
from bot.conversations import runner
from bot.domain import Charter, Pair, Person, Profile
from bot.turn import Turn


def shared_topics(mentor: Profile | None, mentee: Profile | None) -> list[dict[str, object]]:
    """Topics the mentee wants that the mentor can teach, the mentee's priorities first."""
    if mentor is None or mentee is None:
        return []
    common = [topic for topic in mentee.wants if topic in mentor.teaches]
    common.sort(key=lambda topic: (-mentee.wants[topic], -mentor.teaches[topic], topic))
    return [
        {"topic": topic, "level": mentor.teaches[topic], "priority": mentee.wants[topic]}
        for topic in common
    ]


async def kickoff(turn: Turn, pair: Pair, mentor: Person, mentee: Person) -> None:
    assert pair.id is not None and pair.mentor_enrollment_id and pair.mentee_enrollment_id
    program = await turn.uow.program(pair.program_id)
    assert program is not None
    mentor_profile = await turn.uow.profile_of(pair.mentor_enrollment_id)
    mentee_profile = await turn.uow.profile_of(pair.mentee_enrollment_id)
    topics = shared_topics(mentor_profile, mentee_profile)
    turn.uow.add(Charter(pair_id=pair.id))
    await turn.uow.flush()
    for person, partner, partner_profile, role in (
        (mentor, mentee, mentee_profile, "mentor"),
        (mentee, mentor, mentor_profile, "mentee"),
    ):
        await turn.notify(
            person,
            f"kickoff.intro_{role}",
            key=f"kickoff:{pair.id}:{person.id}",
            purpose="kickoff",
            partner=partner.display_name,
            department=partner_profile.department if partner_profile else "",
            topics=topics,
            program=program,
        )
        await turn.notify(
            person,
            f"kickoff.tips_{role}",
            key=f"kickoff_tips:{pair.id}:{person.id}",
            purpose="kickoff_tips",
            partner=partner.display_name,
        )
        await runner.start(turn, charter_flow.FLOW, pair.id, person)
