"""Skill self-assessment (at intake, halfway, at the end) and the end-of-program evaluation.

Each person rates the topics they came to learn from 1 to 5, on one line like the intake: the
ones they chose at intake (the whole list of what their side learns — the program's topics for
mentees, the reciprocal ones for mentors — when they chose none). Halfway and at the end they
rate again the topics they rated at intake, with their earlier level shown, so the two can be
compared. A topic keeps its number of the intake question in every round, and a skip word
leaves a round unrated. The end one goes on with the evaluation: satisfaction (buttons 1–5), would
they recommend it (0–10, typed: eleven buttons would not fit a phone), what changed in their
work, continue as reciprocal mentoring, and whether owners may see their name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.conversations import runner
from bot.conversations.feedback import SHARE
from bot.conversations.steps import ChoiceStep, TextStep, parse_ratings
from bot.domain import (
    AssessmentMoment,
    Conversation,
    ConversationStatus,
    Enrollment,
    EnrollmentStatus,
    Evaluation,
    Person,
    Profile,
    Program,
    Role,
    SkillAssessment,
    SkillRating,
)
from bot.errors import UserError
from bot.skip import is_skip
from bot.turn import Turn

FLOW = "assessment"
FIRST_STEP = "skills"
CONTINUE = ("yes", "no")
_LEVELS_IN_ORDER = re.compile(r"^[1-5](?:[\s,;]+[1-5])*$")


def topics_learnt(program: Program, role: Role) -> list[str]:
    """What this side of a pair came to learn: mentors learn the reciprocal (soft) skills."""
    return list(program.reciprocal_topics if role == Role.MENTOR else program.topics)


def chosen_topics(program: Program, role: Role, profile: Profile | None) -> list[str]:
    """The topics to rate: those chosen at intake, else all this side of a pair learns."""
    catalogue = topics_learnt(program, role)
    wanted = profile.wants if profile is not None else {}
    return [topic for topic in catalogue if topic in wanted] or catalogue


def numbered_topics(program: Program, role: Role, topics: list[str]) -> list[tuple[int, str]]:
    """Each topic with its number in the intake question, in that order: a topic keeps its
    number from one round to the next. A topic the program no longer lists comes last."""
    numbers = {topic: number for number, topic in enumerate(topics_learnt(program, role), 1)}
    for topic in topics:
        numbers.setdefault(topic, len(numbers) + 1)
    return sorted((numbers[topic], topic) for topic in dict.fromkeys(topics))


@dataclass(frozen=True)
class AssessmentContext:
    assessment: SkillAssessment
    enrollment: Enrollment
    program: Program
    # The levels given at intake, shown next to each topic halfway and at the end.
    earlier: dict[str, int] = field(default_factory=dict)

    @property
    def numbered(self) -> list[tuple[int, str]]:
        return numbered_topics(self.program, self.enrollment.role, list(self.assessment.topics))

    @property
    def topics(self) -> list[str]:
        return [topic for _, topic in self.numbered]

    @property
    def is_end(self) -> bool:
        return self.assessment.moment == AssessmentMoment.END


@dataclass(frozen=True)
class SkillsStep:
    """Levels 1–5 on numbered topics: ``1:4 3:2`` (some topics), ``4 2 3`` (all, in order), or
    a skip word (none of them)."""

    name: str = FIRST_STEP

    def question(self, context: AssessmentContext) -> runner.Question:
        numbered = context.numbered
        return runner.Question(
            f"assessment.{context.assessment.moment.value}",
            {
                "topics": [topic for _, topic in numbered],
                "numbers": [number for number, _ in numbered],
                "earlier": context.earlier,
                "program": context.program.name,
            },
        )

    def accept(self, context: AssessmentContext, answer: runner.Answer) -> dict[str, int]:
        text = answer.text.strip()
        if is_skip(text):
            return {}
        numbered = context.numbered
        if _LEVELS_IN_ORDER.match(text):
            levels = [int(level) for level in re.split(r"[\s,;]+", text)]
            if len(levels) != len(numbered):
                raise UserError(
                    "errors.skill_levels_count",
                    given=len(levels),
                    count=len(numbered),
                    numbers=[number for number, _ in numbered],
                )
            return {topic: level for (_, topic), level in zip(numbered, levels, strict=True)}
        return parse_ratings(text, dict(numbered), optional=True)


@dataclass(frozen=True)
class ScaleStep:
    """A whole number from ``low`` to ``high``; buttons when there are few enough to fit."""

    name: str
    message_id: str
    low: int
    high: int
    label_prefix: str | None = None

    def question(self, context: Any) -> runner.Question:
        choices: tuple[tuple[str, str, dict[str, Any]], ...] = ()
        if self.label_prefix:
            choices = tuple(
                (f"{self.label_prefix}_{n}", str(n), {}) for n in range(self.low, self.high + 1)
            )
        return runner.Question(self.message_id, {"low": self.low, "high": self.high}, choices)

    def accept(self, context: Any, answer: runner.Answer) -> int:
        text = answer.text.strip()
        if re.fullmatch(r"\d{1,2}", text) and self.low <= int(text) <= self.high:
            return int(text)
        raise UserError("errors.bad_scale", value=text, low=self.low, high=self.high)


def evaluation_steps() -> list[runner.Step]:
    return [
        ScaleStep("satisfaction", "assessment.satisfaction", 1, 5, "labels.satisfaction"),
        ScaleStep("recommend", "assessment.recommend", 0, 10),
        TextStep("changed", "assessment.changed", optional=True),
        ChoiceStep("continue", "assessment.continue", CONTINUE, "labels.continue"),
        ChoiceStep("share", "assessment.share", SHARE, "labels.share_name"),
    ]


class AssessmentFlow:
    name = FLOW

    async def load(self, turn: Turn, conversation: Conversation) -> AssessmentContext | None:
        assessment = await turn.uow.skill_assessment(conversation.subject_id)
        if assessment is None or assessment.answered_at is not None:
            return None
        enrollment = await turn.uow.enrollment(assessment.enrollment_id)
        if enrollment is None or enrollment.status == EnrollmentStatus.LEFT:
            return None
        program = await turn.uow.program(enrollment.program_id)
        if program is None:
            return None
        earlier: dict[str, int] = {}
        if assessment.moment != AssessmentMoment.BASELINE:
            earlier = (await turn.uow.baseline_levels([assessment.enrollment_id])).get(
                assessment.enrollment_id, {}
            )
        return AssessmentContext(assessment, enrollment, program, earlier)

    def steps(self, context: AssessmentContext) -> list[runner.Step]:
        steps: list[runner.Step] = [SkillsStep()]
        if context.is_end:
            steps.extend(evaluation_steps())
        return steps

    async def finish(
        self, turn: Turn, conversation: Conversation, context: AssessmentContext
    ) -> None:
        answers = conversation.answers
        assessment = context.assessment
        assert assessment.id is not None and context.enrollment.id is not None
        assessment.answered_at = turn.now
        levels: dict[str, int] = dict(answers[FIRST_STEP])
        for topic, level in levels.items():
            turn.uow.add(SkillRating(assessment_id=assessment.id, topic=topic, level=int(level)))
        await turn.uow.record_skill_progress(context.enrollment.id)
        conversation.status = ConversationStatus.DONE
        turn.audit(f"assessment.{assessment.moment.value}", program_id=context.program.id)
        evaluation = None
        if context.is_end and await turn.uow.evaluation_of(context.enrollment.id) is None:
            evaluation = Evaluation(
                enrollment_id=context.enrollment.id,
                answered_at=turn.now,
                satisfaction=int(answers["satisfaction"]),
                recommend=int(answers["recommend"]),
                continue_reciprocal=answers["continue"] == "yes",
                changed=str(answers.get("changed") or "") or None,
                share_name=answers["share"] == "yes",
            )
            turn.uow.add(evaluation)
        compared = {
            t: (context.earlier[t], level) for t, level in levels.items() if t in context.earlier
        }
        await turn.say(
            "assessment.thanks",
            moment=assessment.moment.value,
            rated=len(levels),
            compared=compared,
            evaluation=evaluation,
        )


async def ask_baseline(
    turn: Turn, enrollment: Enrollment, program: Program, person: Person, profile: Profile
) -> None:
    """At the end of intake: the first self-assessment, once (resumed if left half-way)."""
    assert enrollment.id is not None
    topics = chosen_topics(program, enrollment.role, profile)
    if not topics:
        return
    existing = [
        a
        for a in await turn.uow.skill_assessments_of(enrollment.id)
        if a.moment == AssessmentMoment.BASELINE
    ]
    if existing and existing[0].answered_at is not None:
        return
    if existing:
        baseline = existing[0]
    else:
        baseline = SkillAssessment(
            enrollment_id=enrollment.id,
            moment=AssessmentMoment.BASELINE,
            topics=topics,
            due_at=turn.now,
            created_at=turn.now,
        )
        turn.uow.add(baseline)
        await turn.uow.flush()
    assert baseline.id is not None
    await runner.start(turn, FLOW, baseline.id, person)


runner.register(AssessmentFlow())
