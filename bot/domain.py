"""The program's entities: plain dataclasses the engine reads and changes.

Storage maps them onto tables (imperative mapping), so the engine never imports the ORM.
Every datetime is timezone-aware UTC; dates are calendar dates in the relevant person's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class PairStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class CharterStatus(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ConversationStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    # Held by a deliverer (``claim_token``, until ``claimed_until``); ``attempted_at`` tells
    # whether a send began, in which case a crash leaves it in doubt until it is looked up.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Dropped on purpose (the person paused or left before it could go out).
    SKIPPED = "skipped"


class CheckinStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"


@dataclass(eq=False)
class Person:
    """One platform identity (a Slack user in a team, a Teams user in a tenant, a console name)."""

    platform: str
    workspace: str
    user_id: str
    display_name: str
    created_at: datetime
    locale: str | None = None
    timezone: str | None = None
    # Opaque to the engine: what the adapter needs to reach the person proactively.
    address: dict[str, Any] | None = None
    unreachable: bool = False
    # Overrides of the default working hours: {"start": "08:30", "end": "17:00", "days": [0..6]}.
    working_hours: dict[str, Any] | None = None
    id: int | None = None
    # Work e-mail, the key that joins a person to a roster line and to a calendar mailbox.
    email: str | None = None
    # ISO 3166 code whose public holidays the person does not work on (from the roster).
    country: str | None = None
    # When the person left the company (a platform said so, or a roster no longer lists them).
    left_at: datetime | None = None


@dataclass(eq=False)
class Program:
    name: str
    starts_on: date
    created_at: datetime
    locale: str
    timezone: str
    sessions_planned: int = 6
    cadence_days: int = 14
    session_minutes: int = 60
    topics: list[str] = field(default_factory=list)
    reciprocal_topics: list[str] = field(default_factory=list)
    ends_on: date | None = None
    digest_channel: dict[str, Any] | None = None
    closed: bool = False
    # Overrides of the scheduling defaults (see bot.scheduling.settings.ScheduleSettings).
    schedule: dict[str, Any] | None = None
    id: int | None = None
    # Overrides of the matching defaults (see bot.matching.settings.MatchSettings).
    matching: dict[str, Any] | None = None
    # Free text reaches owners anonymised only from groups of at least this many people.
    quote_min_group: int = 3
    # When an owner ended it before its last day (``/tandem program close``).
    stopped_at: datetime | None = None
    # When it closed: its report was due and nothing is sent for it any more.
    closed_at: datetime | None = None
    # The program this one continues (reciprocal mentoring after it closed).
    follows_id: int | None = None


@dataclass(eq=False)
class ProgramOwner:
    program_id: int
    person_id: int
    id: int | None = None


@dataclass(eq=False)
class Invitation:
    program_id: int
    person_id: int
    invited_by: int | None
    created_at: datetime
    status: InvitationStatus = InvitationStatus.PENDING
    id: int | None = None
    # What a roster said of the person (role, department, manager's user id): filled into
    # their profile when they accept, for them to confirm in intake.
    hints: dict[str, Any] | None = None


@dataclass(eq=False)
class Enrollment:
    program_id: int
    person_id: int
    role: Role
    joined_at: datetime
    status: EnrollmentStatus = EnrollmentStatus.ACTIVE
    paused_until: date | None = None
    id: int | None = None
    # The inactivity policy: when they were asked whether they are still in (None: not
    # waiting for that answer), and from when unanswered check-ins count against them.
    silence_asked_at: datetime | None = None
    silence_reset_at: datetime | None = None


@dataclass(eq=False)
class Profile:
    """Intake answers of one enrollment. Levels and priorities are 1–5."""

    enrollment_id: int
    teaches: dict[str, int] = field(default_factory=dict)
    wants: dict[str, int] = field(default_factory=dict)
    goals: str = ""
    languages: list[str] = field(default_factory=list)
    department: str = ""
    availability: str = ""
    completed_at: datetime | None = None
    id: int | None = None
    # The platform user id of the person's manager, when they gave it (/tandem manager @someone).
    manager: str | None = None


@dataclass(eq=False)
class Pair:
    program_id: int
    # Nullable so that a pair outlives a participant who asked to be forgotten.
    mentor_enrollment_id: int | None
    mentee_enrollment_id: int | None
    created_at: datetime
    created_by: int | None = None
    status: PairStatus = PairStatus.ACTIVE
    id: int | None = None
    # Planned sessions called off since the last one held: two in a row flag the pair.
    cancelled_in_a_row: int = 0
    # When both were warned that the pair, idle for long, is about to close (None: not).
    idle_warned_at: datetime | None = None
    # A regular slot ("every 2 weeks on Tuesday at 08:30", see bot.commands.regular) and the
    # last occurrence of it that the tick booked (or offered other times for).
    regular_slot: dict[str, Any] | None = None
    regular_booked_until: datetime | None = None
    # When the tick next looks at the regular slot (its next occurrence comes within the days
    # it books ahead); None: no regular slot.
    regular_due_at: datetime | None = None


@dataclass(eq=False)
class Charter:
    pair_id: int
    status: CharterStatus = CharterStatus.DRAFT
    mentee_goal: str | None = None
    mentor_goal: str | None = None
    meetings: int | None = None
    minutes: int | None = None
    place: str | None = None
    equipment: str | None = None
    mentor_confirmed_at: datetime | None = None
    mentee_confirmed_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class SessionLog:
    pair_id: int
    logged_by: int | None
    held_on: date
    minutes: int
    topics: str
    created_at: datetime
    next_steps: str | None = None
    id: int | None = None


@dataclass(eq=False)
class PlannedSession:
    pair_id: int
    planned_by: int | None
    starts_at: datetime
    created_at: datetime
    cancelled: bool = False
    id: int | None = None
    # When the pair was asked "did it happen?" once its time had passed, and what they said.
    asked_at: datetime | None = None
    outcome: str | None = None
    # Its length when planned (the charter's), and how many times it changed since: the
    # SEQUENCE of its calendar event, so that a calendar keeps the latest version.
    minutes: int | None = None
    sequence: int = 0
    # Where its event lives in a connected calendar (bot.calendar.connected's stored id; the
    # .ics UID when none served it) and the online meeting that calendar made for it.
    calendar_event_id: str | None = None
    meeting_link: str | None = None
    # When it was called off, and when it was last moved (the digest's weekly counts).
    cancelled_at: datetime | None = None
    moved_at: datetime | None = None
    # When the tick last read its event in the organiser's calendar for a decline or deletion.
    calendar_checked_at: datetime | None = None


@dataclass(eq=False)
class Conversation:
    """A multi-step dialog in progress, persisted so that a restart resumes it."""

    person_id: int
    flow: str
    subject_id: int
    step: str
    updated_at: datetime
    answers: dict[str, Any] = field(default_factory=dict)
    status: ConversationStatus = ConversationStatus.OPEN
    id: int | None = None


@dataclass(eq=False)
class AuditEntry:
    at: datetime
    actor_id: int | None
    action: str
    program_id: int | None = None
    subject: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(eq=False)
class OutboxMessage:
    """Something the bot says on its own initiative, written with the change that caused it."""

    key: str
    purpose: str
    platform: str
    payload: dict[str, Any]
    created_at: datetime
    not_before: datetime
    person_id: int | None = None
    channel: dict[str, Any] | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    claimed_until: datetime | None = None
    platform_message_id: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    # The deliverer that holds the row, and when a send of it last began: with one set, the
    # message may have reached the platform, so it is looked up before being sent again.
    claim_token: str | None = None
    attempted_at: datetime | None = None
    # Past this moment it is not sent (a reminder of a session that has already begun).
    expires_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Checkin:
    """One periodic check-in of one participant: period k of their enrollment."""

    enrollment_id: int
    period: int
    due_at: datetime
    created_at: datetime
    status: CheckinStatus = CheckinStatus.OPEN
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    mood: int | None = None
    blocker: str | None = None
    learned: str | None = None
    id: int | None = None


@dataclass(eq=False)
class FeedbackRequest:
    """The other side's feedback slot after a logged session."""

    session_log_id: int
    person_id: int
    # The session's program: the owners' figures read a program's feedback by it.
    program_id: int
    due_at: datetime
    created_at: datetime
    asked_at: datetime | None = None
    usefulness: int | None = None
    answered_at: datetime | None = None
    id: int | None = None
    # The rest of the short form: what they learnt, one thing the mentor could do better (asked
    # of mentees only), and whether owners may see their name next to what they learnt.
    learnt: str | None = None
    improve: str | None = None
    share_name: bool = False


class ProposalStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REPLACED = "replaced"


@dataclass(eq=False)
class Avoidance:
    """A private request: never propose ``avoided_id`` as a partner of ``person_id``.

    Only the person who asked can see it; the other person is never told.
    """

    person_id: int
    avoided_id: int
    created_at: datetime
    id: int | None = None


@dataclass(eq=False)
class MatchProposal:
    """A matching proposal an owner reviews and adjusts before approving it (a dry run).

    ``pairs``: ``[{"mentor": enrollment id, "mentee": enrollment id, "score": 0..1,
    "explanation": {...}}]``; ``unmatched``: ``[{"enrollment": id, "role": ..., "reason": ...}]``;
    ``excluded``: the enrollment ids the owner left out, kept when the proposal is recomputed.
    """

    program_id: int
    created_at: datetime
    updated_at: datetime
    created_by: int | None = None
    status: ProposalStatus = ProposalStatus.OPEN
    pairs: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    id: int | None = None


class AssessmentMoment(StrEnum):
    """When a participant rates their own skills: at intake, halfway, at the end."""

    BASELINE = "baseline"
    MID = "mid"
    END = "end"


@dataclass(eq=False)
class SkillAssessment:
    """One self-assessment of one enrollment; ``topics`` are the ones it asked about, kept so
    that a later change of the program's catalogue does not shift the numbers answered."""

    enrollment_id: int
    moment: AssessmentMoment
    topics: list[str]
    due_at: datetime
    created_at: datetime
    answered_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class SkillRating:
    """A level 1–5 a person gave themselves on one topic: one row per topic, so that progress
    is computed by the database."""

    assessment_id: int
    topic: str
    level: int
    id: int | None = None


@dataclass(eq=False)
class Evaluation:
    """The end-of-program evaluation of one enrollment (the skills after are its assessment)."""

    enrollment_id: int
    answered_at: datetime
    satisfaction: int
    # Would you recommend the program, 0–10 (the NPS question).
    recommend: int
    continue_reciprocal: bool
    # What changed in their work: free text, shown to owners as the privacy rule allows.
    changed: str | None = None
    share_name: bool = False
    id: int | None = None


@dataclass(eq=False)
class Continuation:
    """One participant's answer to the offer to go on as reciprocal mentoring after a program
    closed: ``keep`` or ``swap`` the roles, or ``no``."""

    pair_id: int
    person_id: int
    choice: str
    answered_at: datetime
    id: int | None = None
