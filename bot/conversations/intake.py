"""The intake questionnaire: what one can teach, wants to learn, languages, availability, zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.conversations import assessment, runner
from bot.conversations.steps import LanguagesStep, RatingsStep, TextStep, TimezoneStep
from bot.domain import Conversation, ConversationStatus, Enrollment, Person, Profile, Program, Role
from bot.turn import Turn

FLOW = "intake"


@dataclass(frozen=True)
class IntakeContext:
    program: Program
    enrollment: Enrollment
    person: Person
    zone: str

    @property
    def is_mentor(self) -> bool:
        return self.enrollment.role == Role.MENTOR

    def teachable(self) -> list[str]:
        # Mentors teach digital topics; mentees offer soft skills in return (reciprocal mentoring).
        return list(self.program.topics if self.is_mentor else self.program.reciprocal_topics)

    def learnable(self) -> list[str]:
        return list(self.program.reciprocal_topics if self.is_mentor else self.program.topics)


class IntakeFlow:
    name = FLOW

    async def load(self, turn: Turn, conversation: Conversation) -> IntakeContext | None:
        enrollment = await turn.uow.enrollment(conversation.subject_id)
        if enrollment is None:
            return None
        program = await turn.uow.program(enrollment.program_id)
        person = await turn.uow.person(enrollment.person_id)
        if program is None or person is None:
            return None
        return IntakeContext(program, enrollment, person, turn.timezone_of(person))

    def steps(self, context: IntakeContext) -> list[runner.Step]:
        role = context.enrollment.role.value
        return [
            RatingsStep(
                "teaches",
                f"intake.teaches_{role}",
                topics=IntakeContext.teachable,
                optional=not context.is_mentor,
            ),
            RatingsStep(
                "wants",
                f"intake.wants_{role}",
                topics=IntakeContext.learnable,
                optional=context.is_mentor,
            ),
            TextStep("goals", f"intake.goals_{role}"),
            LanguagesStep("languages", "intake.languages"),
            TextStep("department", "intake.department"),
            TextStep("availability", "intake.availability"),
            TimezoneStep("timezone", "intake.timezone", current=_zone),
        ]

    async def finish(self, turn: Turn, conversation: Conversation, context: IntakeContext) -> None:
        answers = conversation.answers
        assert context.enrollment.id is not None
        profile = await turn.uow.profile_of(context.enrollment.id)
        if profile is None:
            profile = Profile(enrollment_id=context.enrollment.id)
            turn.uow.add(profile)
        profile.teaches = dict(answers["teaches"])
        profile.wants = dict(answers["wants"])
        profile.goals = answers["goals"]
        profile.languages = list(answers["languages"])
        profile.department = answers["department"]
        profile.availability = answers["availability"]
        profile.completed_at = turn.now
        context.person.timezone = answers["timezone"]
        conversation.status = ConversationStatus.DONE
        turn.audit("profile.completed", program_id=context.program.id)
        pair = await turn.uow.active_pair_of(context.enrollment.id)
        await turn.say(
            "intake.done",
            profile=profile,
            zone=context.person.timezone,
            is_mentor=context.is_mentor,
            paired=pair is not None,
        )
        # The baseline of the skill self-assessment: progress is measured against it.
        await assessment.ask_baseline(
            turn, context.enrollment, context.program, context.person, profile
        )


def _zone(context: Any) -> str:
    return str(context.zone)


runner.register(IntakeFlow())
