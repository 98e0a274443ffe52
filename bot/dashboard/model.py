"""What the dashboard's pages show, as the engine hands it to the web adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.digest.activity import WeekActivity
from bot.digest.figures import AtRiskPair, DigestFigures, DigestPeriod, OutcomeFigures
from bot.domain import Program
from bot.leaving.ports import PersonReach, ReachCounts


class LinkRefusal(StrEnum):
    """Why a one-time link opens nothing."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class LinkUse:
    """A link's owner (to speak their language even when refusing) and, when it opened, the
    program it was asked for."""

    person_id: int | None
    program_id: int | None = None
    refusal: LinkRefusal | None = None


@dataclass(frozen=True)
class Opened:
    """A session opened by a link: the cookie's value (shown once, never stored) and where to go."""

    session_token: str
    person_id: int
    program_id: int | None
    expires_at: datetime


@dataclass(frozen=True)
class Refused:
    reason: LinkRefusal
    locale: str


@dataclass(frozen=True)
class Viewer:
    """The owner a browser session belongs to."""

    person_id: int
    display_name: str
    locale: str


@dataclass(frozen=True)
class PairRow:
    """One pair, as owners may see it: no free text any participant wrote."""

    pair_id: int
    mentor: str | None
    mentee: str | None
    status: str
    charter_status: str | None
    mentee_goal: str | None
    mentor_goal: str | None
    sessions: int
    target: int
    minutes: int
    last_session: date | None
    next_planned: datetime | None
    # Why the pair needs attention (the digest's own query), when it does.
    attention: AtRiskPair | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        """Short keys for what is wrong: quiet, low_mood, unanswered, unreachable."""
        risk = self.attention
        if risk is None:
            return ()
        found = []
        if risk.quiet_days is not None:
            found.append("quiet")
        if risk.lowest_mood is not None and risk.lowest_mood <= 2:
            found.append("low_mood")
        if risk.expired_checkins:
            found.append("unanswered")
        if risk.unreachable or risk.failed_deliveries:
            found.append("unreachable")
        return tuple(found)


@dataclass(frozen=True)
class PairSession:
    held_on: date
    minutes: int


@dataclass(frozen=True)
class PairDetail:
    row: PairRow
    sessions: tuple[PairSession, ...]
    planned: tuple[datetime, ...]
    meetings_minutes: int | None = None
    place: str | None = None


@dataclass(frozen=True)
class PersonRow:
    person_id: int
    name: str
    # None: invited, has not joined (yet).
    role: str | None
    # pending, declined (invitation) or active, paused, left (enrollment).
    status: str
    invited_at: datetime | None
    questionnaire_done: bool
    paired: bool
    unreachable: bool
    # Where the messages owed to them stand, and the platforms' reasons for the failed ones
    # (``bot.leaving.reach.REASONS``); filled in for the page shown.
    messages: PersonReach | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PeopleCounts:
    invited: int = 0
    answered: int = 0
    enrolled: int = 0
    questionnaire: int = 0
    paired: int = 0
    paused: int = 0
    left: int = 0


@dataclass(frozen=True)
class People:
    """The program's reach and one page of its people, by name."""

    counts: PeopleCounts
    # How many have not answered their invitation, and how many rows the list has in all
    # (everyone, or only those not answered).
    not_answered: int
    total: int
    rows: tuple[PersonRow, ...]
    # The messages owed to everyone of the program, by state (the reach report's counts).
    reach: ReachCounts = field(default_factory=ReachCounts)


@dataclass(frozen=True)
class ProgramSummary:
    """What the pages say of a program, read while its transaction was open."""

    id: int
    name: str
    starts_on: date
    ends_on: date | None
    timezone: str
    closed: bool

    @classmethod
    def of(cls, program: Program) -> ProgramSummary:
        assert program.id is not None
        return cls(
            program.id,
            program.name,
            program.starts_on,
            program.ends_on,
            program.timezone,
            program.closed,
        )


@dataclass(frozen=True)
class ProgramClock:
    """Where a program stands: week ``week`` of ``weeks`` (None: no end date)."""

    week: int
    weeks: int | None
    starts_on: date
    ends_on: date | None
    phase: str


@dataclass(frozen=True)
class Overview:
    program: ProgramSummary
    clock: ProgramClock
    period: DigestPeriod
    figures: DigestFigures
    # Every pair needing attention, not only the digest's first ten.
    attention: tuple[AtRiskPair, ...] = field(default_factory=tuple)
    # Week by week since the start (the charts), and what the charters ask of an average week
    # (None: the program has no end date to spread the targets over).
    weeks: tuple[WeekActivity, ...] = ()
    sessions_per_week: float | None = None
    minutes_per_week: float | None = None


# Fewer answers than this and a figure is shown with "too few answers to conclude": an average
# of three self-assessments says more about three people than about the program.
CONCLUSIVE_ANSWERS = 5


@dataclass(frozen=True)
class Outcomes:
    """Skill progress, the end evaluation and what changed: the report's own figures."""

    program: ProgramSummary
    figures: OutcomeFigures
    # Free text shows once this many people wrote some (the program's anonymity rule).
    quote_min_group: int
    conclusive: int = CONCLUSIVE_ANSWERS
