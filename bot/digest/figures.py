"""What the owners' digest reports, as storage computes it (aggregated in the database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.leaving.ports import ReachCounts
from bot.workshops.model import WorkshopFigures


@dataclass(frozen=True)
class DigestPeriod:
    """The week reported on: ``start`` (included) to ``end`` (excluded), local calendar days,
    and the same bounds in UTC; the week before it is the comparison."""

    program_id: int
    start: date
    end: date
    start_at: datetime
    end_at: datetime
    previous_start_at: datetime
    now: datetime
    # Pairs with no session logged since this moment are quiet.
    quiet_since: datetime
    # Free text shows without names only when at least this many people wrote some.
    quote_min_group: int
    risk_limit: int = 10
    quote_limit: int = 3
    # Pairs need attention for what happened since this moment (default: the week before):
    # the program report keeps the digest's recent weeks rather than its whole run.
    risk_since: datetime | None = None
    # Only these pairs' attention (the dashboard's page of pairs, or of one pair); None: every
    # pair.
    risk_pair_ids: frozenset[int] | None = None
    # How many of the most logged topics to count; 0 skips them (the dashboard's overview does
    # not show them, and splitting a year of topics lines is the costliest figure).
    top_topics: int = 3

    @property
    def at_risk_since(self) -> datetime:
        return self.previous_start_at if self.risk_since is None else self.risk_since

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


# Two planned sessions called off in a row: the pair needs the owners' attention.
CANCELLED_IN_A_ROW_FLAGGED = 2


@dataclass(frozen=True)
class AtRiskPair:
    pair_id: int
    mentor: str | None
    mentee: str | None
    # Days without a logged session, when the pair is quiet; else None.
    quiet_days: int | None
    lowest_mood: int | None
    expired_checkins: int
    unreachable: bool
    failed_deliveries: int
    # Planned sessions called off since the last one held (two or more: flagged).
    cancelled_in_a_row: int = 0


@dataclass(frozen=True)
class Quote:
    text: str
    # Only when the person chose to share their name.
    name: str | None = None


@dataclass(frozen=True)
class TopicProgress:
    """Average self-rated level on one topic: at intake, and at the latest assessment since."""

    topic: str
    # People who rated this topic at intake and again later.
    people: int
    baseline: float
    latest: float


@dataclass(frozen=True)
class ContinueShare:
    """Among one side (mentors or mentees) who answered the end evaluation, how many want to
    go on as reciprocal mentoring."""

    role: str
    yes: int
    answers: int


@dataclass(frozen=True)
class OutcomeFigures:
    """Skill progress and the end-of-program evaluation; empty until people have answered."""

    skill_topics: tuple[TopicProgress, ...] = ()
    # People assessed at intake and again later, and those whose average level went up.
    skill_people: int = 0
    skill_progressed: int = 0
    evaluations: int = 0
    satisfaction: float | None = None
    # % promoters (9–10) minus % detractors (0–6), over ``evaluations`` answers.
    nps: int | None = None
    promoters: int = 0
    detractors: int = 0
    continue_yes: int = 0
    continue_by_role: tuple[ContinueShare, ...] = ()
    # What changed in their work: anonymous unless shared, and only from large enough groups.
    changed: tuple[Quote, ...] = ()
    changed_authors: int = 0
    changed_withheld: bool = False

    @property
    def has_data(self) -> bool:
        return bool(self.skill_people or self.evaluations)


@dataclass(frozen=True)
class PersonProgress:
    """One participant's self-rated progress, for HR's export (topics rated both times)."""

    name: str
    role: str
    topics: int
    baseline: float | None
    latest: float | None
    latest_moment: str | None


@dataclass(frozen=True)
class OutcomeExport:
    progress: tuple[PersonProgress, ...] = ()
    changed: tuple[Quote, ...] = ()
    changed_withheld: bool = False


@dataclass(frozen=True)
class QuizTopicFigures:
    # A default catalogue topic's key, or a program's own topic.
    topic: str
    # Distinct people who answered a question on the topic (skips left out).
    people: int
    answered: int
    right: int
    # How the topic is called, by locale (filled in by bot.quiz.bank.with_topic_names).
    names: dict[str, str] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.answered) if self.answered else 0


@dataclass(frozen=True)
class QuizFigures:
    """Quizzes sent in the period and how they went; per topic only over large enough groups."""

    sent: int = 0
    # Quizzes with at least one question answered (not skipped), and their distinct people.
    taken: int = 0
    people: int = 0
    answered: int = 0
    right: int = 0
    skipped: int = 0
    topics: tuple[QuizTopicFigures, ...] = ()
    # Topics answered by fewer people than the group size: not shown one by one.
    topics_withheld: int = 0
    min_group: int = 3

    @property
    def has_data(self) -> bool:
        return self.sent > 0

    @property
    def percent(self) -> int | None:
        """The share of right answers overall, only when enough people answered."""
        if self.people < self.min_group or not self.answered:
            return None
        return round(100 * self.right / self.answered)


@dataclass(frozen=True)
class DigestFigures:
    enrolled: int
    paired: int
    pairs: int
    active_pairs: int
    sessions_week: int
    minutes_week: int
    sessions_total: int
    minutes_total: int
    sessions_target: int
    minutes_target: int
    topics: tuple[tuple[str, int], ...]
    mood_week: float | None
    mood_previous: float | None
    checkins_week: int
    at_risk_count: int
    at_risk: tuple[AtRiskPair, ...]
    usefulness_total: float | None
    ratings_total: int
    usefulness_week: float | None
    ratings_week: int
    quotes: tuple[Quote, ...]
    # People who wrote what they learnt this week, and whether their words were held back.
    quote_authors: int
    quotes_withheld: bool
    # Filled in by bot.digest.weekly.compute from the outcome queries; empty by default.
    outcomes: OutcomeFigures = OutcomeFigures()
    # Planned sessions called off: this week, and since the start.
    cancelled_week: int = 0
    cancelled_total: int = 0
    # Of this week's cancelled sessions, those the pair planned again; sessions moved this week.
    rebooked_week: int = 0
    moved_week: int = 0
    # Filled in by bot.digest.weekly.figures_for from the quiz queries.
    quiz: QuizFigures = QuizFigures()
    # Filled in by bot.digest.weekly.figures_for from the workshop queries.
    workshops: WorkshopFigures = field(default_factory=WorkshopFigures)
    # Filled in by bot.digest.weekly.figures_for: where the messages owed to people stand now.
    reach: ReachCounts = field(default_factory=ReachCounts)


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    pair_id: int
    held_on: date
    minutes: int
    mentor: str | None
    mentee: str | None


@dataclass(frozen=True)
class ParticipantRow:
    name: str
    role: str
    status: str
    sessions: int
    minutes: int
    checkins_answered: int
    checkins_expired: int
    mood_average: float | None
    feedback_given: int
    usefulness_given: float | None


@dataclass(frozen=True)
class ExportRows:
    sessions: tuple[SessionRow, ...]
    participants: tuple[ParticipantRow, ...]
    learnt: tuple[Quote, ...]
    learnt_withheld: bool
