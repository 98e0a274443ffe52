"""The engine's two boundaries: storage (a unit of work) and the chat platforms (ChatPort)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from bot.dashboard.ports import DashboardQueries
from bot.digest.activity import ActivityWindow, WeekActivity
from bot.digest.figures import (
    AtRiskPair,
    DigestFigures,
    DigestPeriod,
    ExportRows,
    OutcomeExport,
    OutcomeFigures,
)
from bot.domain import (
    AuditEntry,
    Avoidance,
    Charter,
    Checkin,
    Conversation,
    Enrollment,
    EnrollmentStatus,
    Evaluation,
    FeedbackRequest,
    Invitation,
    MatchProposal,
    OutboxMessage,
    Pair,
    Person,
    PlannedSession,
    Profile,
    Program,
    SessionLog,
    SkillAssessment,
    SkillRating,
)
from bot.fanout import NewCheckin, NewConversation, NewOutboxMessage
from bot.guides.store import GuideQueries
from bot.leaving.ports import LeaverQueries
from bot.messages import Message
from bot.prompts import PromptStore
from bot.quiz.ports import QuizStore
from bot.roster.ports import RosterStore
from bot.workshops.ports import WorkshopQueries


class SchedulingQueries(Protocol):
    """The scheduler's bulk reads and writes: a few queries a cohort, not one a person."""

    async def enrollments_with_status(
        self, statuses: Sequence[EnrollmentStatus]
    ) -> Sequence[Enrollment]: ...

    async def persons_by_id(self, person_ids: Iterable[int]) -> dict[int, Person]: ...

    # ``enrollment_ids`` / ``pair_ids``: the subjects a tick evaluates; None: everyone.
    async def last_checkin_periods(
        self, enrollment_ids: Collection[int] | None = None
    ) -> dict[int, int]:
        """enrollment id -> the highest check-in period created so far."""
        ...

    async def open_checkins(
        self, enrollment_ids: Collection[int] | None = None
    ) -> Sequence[Checkin]: ...

    async def checkin(self, checkin_id: int) -> Checkin | None: ...

    async def planned_sessions_starting(
        self, after: datetime, before: datetime, pair_ids: Collection[int] | None = None
    ) -> Sequence[PlannedSession]: ...

    async def past_planned_sessions(
        self,
        started_before: datetime,
        started_after: datetime,
        pair_ids: Collection[int] | None = None,
    ) -> Sequence[PlannedSession]:
        """Planned sessions that started in that window and nobody was asked about yet."""
        ...

    async def active_pairs(self, pair_ids: Collection[int] | None = None) -> Sequence[Pair]: ...

    async def enrollments_by_id(self, enrollment_ids: Iterable[int]) -> dict[int, Enrollment]: ...

    async def last_session_log_times(
        self, pair_ids: Collection[int] | None = None
    ) -> dict[int, datetime]:
        """pair id -> when its most recent session was logged."""
        ...

    async def charters_by_pair(
        self, pair_ids: Collection[int] | None = None
    ) -> dict[int, Charter]: ...

    async def due_feedback_requests(self, now: datetime) -> Sequence[FeedbackRequest]: ...

    async def feedback_request(self, request_id: int) -> FeedbackRequest | None: ...

    async def sessions_covered(
        self, requests: Sequence[FeedbackRequest], now: datetime
    ) -> dict[int, int]:
        """request id -> how many sessions the partner logged from the request's own up to
        ``now``: one request covers the sessions logged while it was open."""
        ...

    async def enqueue_many(self, messages: Sequence[OutboxMessage | NewOutboxMessage]) -> set[str]:
        """Add the messages whose key is new; returns the keys added."""
        ...

    async def outbox_messages(self, message_ids: Iterable[int]) -> dict[int, OutboxMessage]: ...

    async def insert_returning_ids(
        self, rows: Sequence[NewCheckin] | Sequence[NewConversation]
    ) -> list[int]:
        """Bulk-insert new check-ins or conversations; returns their ids, in order."""
        ...

    async def outbox_outstanding(self) -> int:
        """How many messages are still to be sent (pending, or in doubt)."""
        ...

    async def open_conversations_of_flow(
        self, flow: str, subject_ids: Collection[int] | None = None
    ) -> dict[int, Conversation]:
        """subject id -> the open conversation of that flow about it."""
        ...

    async def paused_person_ids(self, person_ids: Iterable[int]) -> set[int]:
        """Among these people, those with no active enrollment but a paused one."""
        ...


@dataclass(frozen=True)
class DueSubjects:
    """Enrollment and pair ids, each with the ``due_mark`` read before the row itself."""

    enrollments: dict[int, int]
    pairs: dict[int, int]


class DueIndex(Protocol):
    """When the scheduler next has something to do for each enrollment and pair.

    Every change that may move it marks the rows due in its own transaction (the storage does
    it on each flush); the tick evaluates the due ones and records their next moment."""

    async def due_subjects(self, now: datetime | None) -> DueSubjects:
        """The enrollments and pairs whose next moment has come (or that were marked); with
        ``now`` None, all of them."""
        ...

    async def due_marks(
        self, enrollment_ids: Iterable[int], pair_ids: Iterable[int]
    ) -> DueSubjects: ...

    async def subjects_after(
        self, enrollment_after: int | None, pair_after: int | None, limit: int
    ) -> DueSubjects:
        """Up to ``limit`` enrollments with an id above ``enrollment_after``, and as many pairs
        above ``pair_after``, the lowest ids first, with their marks (None: none of that
        kind)."""
        ...

    async def enrollment_ids_of_persons(self, person_ids: Iterable[int]) -> set[int]: ...

    async def pair_members(self, pair_ids: Iterable[int]) -> set[int]:
        """The enrollment ids of these pairs' members."""
        ...

    async def active_pair_ids_of(self, enrollment_ids: Iterable[int]) -> set[int]: ...

    async def persons_with_due_feedback(self, now: datetime) -> set[int]: ...

    async def pending_feedback_due(self, person_ids: Iterable[int]) -> dict[int, list[datetime]]:
        """person id -> when each of their feedback requests not asked yet falls due."""
        ...

    async def unasked_planned_sessions(
        self, pair_ids: Iterable[int], started_after: datetime
    ) -> Sequence[PlannedSession]: ...

    def evaluating(self, subjects: DueSubjects) -> None:
        """This transaction records these subjects' next moments itself: its own changes to
        them mark nothing (a change to their person or program still does)."""
        ...

    async def record_next_due(
        self,
        subjects: DueSubjects,
        enrollments: dict[int, datetime | None],
        pairs: dict[int, datetime | None],
    ) -> int:
        """Write each one's next moment unless it was marked since its mark was read; returns
        how many were written."""
        ...


class FeedbackQueries(Protocol):
    """Post-session feedback and the figures owners get from it."""

    async def session_log(self, log_id: int) -> SessionLog | None: ...

    async def feedback_for_mentor(self, person_id: int) -> Sequence[FeedbackRequest]:
        """Rated feedback given by the mentees of this mentor, oldest first."""
        ...

    async def covering_feedback_request(
        self, person_id: int, pair_id: int, unanswered_since: datetime, created_since: datetime
    ) -> FeedbackRequest | None:
        """The person's latest feedback request about this pair that is still unanswered and
        created since ``unanswered_since``, or created since ``created_since`` at all."""
        ...

    async def outbox_has_key(self, key: str) -> bool: ...

    async def digest_figures(self, period: DigestPeriod) -> DigestFigures:
        """The owners' digest of one program, aggregated in the database."""
        ...

    async def at_risk_pairs(self, period: DigestPeriod) -> tuple[int, tuple[AtRiskPair, ...]]:
        """How many active pairs need attention in ``period``, and the first of them."""
        ...

    async def export_rows(self, program_id: int, quote_min_group: int) -> ExportRows:
        """Sessions, participation (aggregated per person) and what people learnt, for HR."""
        ...

    async def weekly_activity(self, window: ActivityWindow) -> tuple[WeekActivity, ...]:
        """Sessions and check-in mood in each week of the window, oldest first (the chart)."""
        ...


class OutcomeQueries(Protocol):
    """Skill self-assessments, the end-of-program evaluation, and the owners' figures of both."""

    async def skill_assessment(self, assessment_id: int) -> SkillAssessment | None: ...

    async def skill_assessments_of(self, enrollment_id: int) -> Sequence[SkillAssessment]: ...

    async def skill_ratings(self, assessment_id: int) -> Sequence[SkillRating]: ...

    async def evaluation_of(self, enrollment_id: int) -> Evaluation | None: ...

    async def continuations_of(self, pair_id: int) -> dict[int, str]:
        """person id -> their answer to the offer to continue ("keep", "swap", "no")."""
        ...

    async def assessment_moments(self, enrollment_ids: Iterable[int]) -> dict[int, set[str]]:
        """enrollment id -> the moments ("baseline", "mid", "end") already created for it."""
        ...

    async def baseline_levels(self, enrollment_ids: Iterable[int]) -> dict[int, dict[str, int]]:
        """enrollment id -> the levels the person gave at intake, topic by topic, in order."""
        ...

    async def record_skill_progress(self, enrollment_id: int) -> None:
        """After an assessment is answered: the person's progress the owners' figures read
        (intake level next to the latest one, topic by topic), in the same transaction."""
        ...

    async def outcome_figures(self, period: DigestPeriod) -> OutcomeFigures:
        """Skill progress, satisfaction, NPS, wish to continue, "what changed" quotes."""
        ...

    async def outcome_export(self, program_id: int, quote_min_group: int) -> OutcomeExport:
        """Each person's progress, and "what changed" as the privacy rule allows, for HR."""
        ...


@dataclass(frozen=True)
class Headcount:
    """A program's mentors and mentees who have not left, and its active pairs."""

    mentors: int
    mentees: int
    pairs: int


class UnitOfWork(
    SchedulingQueries,
    DueIndex,
    FeedbackQueries,
    OutcomeQueries,
    PromptStore,
    QuizStore,
    GuideQueries,
    WorkshopQueries,
    DashboardQueries,
    RosterStore,
    LeaverQueries,
    Protocol,
):
    """One transaction. Entities read through it are tracked: changing them is saved on commit."""

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    def has_changes(self) -> bool:
        """Whether anything was added, deleted or changed since the last commit."""
        ...

    async def rollback(self) -> None: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A nested transaction: what fails inside is rolled back alone, the rest kept."""
        ...

    def add(self, entity: object) -> None: ...

    async def delete(self, entity: object) -> None: ...

    async def flush(self) -> None:
        """Write pending changes so that new entities get their ids."""
        ...

    # People and programs
    async def person_by_identity(
        self, platform: str, workspace: str, user_id: str
    ) -> Person | None: ...

    async def person(self, person_id: int) -> Person | None: ...

    async def person_of_enrollment(self, enrollment_id: int) -> Person | None:
        """The person enrolled, in one trip to the database at most."""
        ...

    async def people_in_workspace(self, platform: str, workspace: str) -> Sequence[Person]:
        """Everyone Tandem knows in one workspace of a platform (a whole one going away)."""
        ...

    async def program(self, program_id: int) -> Program | None: ...

    async def programs_named(self, name: str) -> Sequence[Program]: ...

    async def open_programs(self) -> Sequence[Program]: ...

    async def programs_owned_by(self, person_id: int) -> Sequence[Program]: ...

    async def owners_of(self, program_id: int) -> Sequence[Person]: ...

    async def is_owner(self, program_id: int, person_id: int) -> bool: ...

    # Participation
    async def invitation(self, invitation_id: int) -> Invitation | None: ...

    async def pending_invitation(self, program_id: int, person_id: int) -> Invitation | None: ...

    async def enrollment(self, enrollment_id: int) -> Enrollment | None: ...

    async def enrollment_of(self, program_id: int, person_id: int) -> Enrollment | None: ...

    async def enrollments_of_person(self, person_id: int) -> Sequence[Enrollment]: ...

    async def enrollments_in_program(self, program_id: int) -> Sequence[Enrollment]: ...

    async def profile_of(self, enrollment_id: int) -> Profile | None: ...

    async def pair(self, pair_id: int) -> Pair | None: ...

    async def planned_session(self, planned_id: int) -> PlannedSession | None: ...

    async def programs_by_id(self, program_ids: Iterable[int]) -> Sequence[Program]: ...

    async def active_pair_of(self, enrollment_id: int) -> Pair | None: ...

    async def active_pair_of_person(self, person_id: int) -> tuple[Enrollment, Pair] | None:
        """The person's latest enrollment (left ones aside) that has an active pair, with that
        pair, in one trip; the pair's program is loaded in the same trip (``program`` then
        asks nothing more)."""
        ...

    async def pairs_of_enrollment(self, enrollment_id: int) -> Sequence[Pair]: ...

    async def pairs_in_program(self, program_id: int) -> Sequence[Pair]: ...

    async def charter_of(self, pair_id: int) -> Charter | None: ...

    # Sessions
    async def session_count(self, pair_id: int) -> int: ...

    async def sessions_and_charter_meetings(self, pair_id: int) -> tuple[int, int | None]:
        """The pair's sessions logged and its charter's agreed number of meetings, at once."""
        ...

    async def session_totals(self, pair_id: int) -> tuple[int, int]:
        """How many sessions the pair logged, and their minutes in all."""
        ...

    async def program_headcount(self, program_id: int) -> Headcount:
        """Who takes part in the program now, counted by the database."""
        ...

    async def session_logs(self, pair_id: int) -> Sequence[SessionLog]: ...

    async def session_logs_by(self, person_id: int) -> Sequence[SessionLog]: ...

    async def last_session_log_by(self, pair_id: int, person_id: int) -> SessionLog | None: ...

    async def planned_sessions(self, pair_id: int, after: datetime) -> Sequence[PlannedSession]: ...

    async def planned_sessions_to_check(
        self, now: datetime, until: datetime, checked_before: datetime, limit: int
    ) -> Sequence[PlannedSession]:
        """Up to ``limit`` sessions starting by ``until`` whose connected calendar's event was
        not read since ``checked_before``, the least recently read first."""
        ...

    async def pairs_with_regular_slot_due(self, now: datetime) -> Sequence[Pair]:
        """The active pairs with a regular slot whose ``regular_due_at`` has come."""
        ...

    # Conversations and audit
    async def conversation(self, conversation_id: int) -> Conversation | None: ...

    async def open_conversations(self, person_id: int) -> Sequence[Conversation]:
        """Open conversations of a person, the most recently active first."""
        ...

    async def open_conversation(
        self, person_id: int, flow: str, subject_id: int
    ) -> Conversation | None: ...

    async def audit_of(self, person_id: int) -> Sequence[AuditEntry]: ...

    async def forget_audit_actor(self, person_id: int) -> int:
        """Detach a person from the audit trail, keeping what happened; returns rows touched."""
        ...

    # A person's rights over their data (storage/privacy_queries.py)
    async def personal_data(self, person_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the person, by table name, as JSON-ready values."""
        ...

    async def erase_traces(
        self,
        person_id: int,
        names: Sequence[str],
        words: Sequence[str],
        mark: str,
        erased_note: dict[str, Any],
    ) -> int:
        """Erase what names (``names``) or quotes (``words``) the person in the rows that
        stay, each replaced by ``mark``; returns rows changed."""
        ...

    async def mark_delivery_processed(self, delivery_id: str, at: datetime) -> bool:
        """Remember a platform delivery id; False when it was already seen (a retry)."""
        ...

    # Outbox
    async def enqueue(self, message: OutboxMessage) -> bool:
        """Add the message unless one with the same key exists; True when added."""
        ...

    async def outbox_message(self, message_id: int) -> OutboxMessage | None: ...

    async def outbox_of(self, person_id: int) -> Sequence[OutboxMessage]: ...

    async def held_outbox(self, person_id: int, now: datetime) -> Sequence[OutboxMessage]:
        """The person's messages still waiting to go out after ``now`` (their working hours)."""
        ...

    async def claim_due_outbox(
        self, now: datetime, lease_until: datetime, limit: int, token: str | None = None
    ) -> Sequence[OutboxMessage]:
        """Take due pending messages (and held ones whose lease ran out) for the deliverer
        whose claim token is ``token``; others skip the rows it holds."""
        ...

    async def renew_outbox_claims(
        self, message_ids: Iterable[int], token: str, lease_until: datetime
    ) -> set[int]:
        """Extend the lease of the rows this token still holds; returns their ids."""
        ...

    async def mark_outbox_attempts(
        self, message_ids: Iterable[int], token: str, now: datetime, lease_until: datetime
    ) -> set[int]:
        """Record that sends of these rows begin now (and renew their lease); returns the ids
        still held by this token, the only ones that may be sent."""
        ...

    async def release_outbox_claims(
        self,
        token: str,
        message_ids: Iterable[int] | None = None,
        keep: Iterable[int] = (),
        never_sent: Iterable[int] = (),
    ) -> int:
        """Hand back held rows at once (all of this token's but ``keep``, or only
        ``message_ids``), keeping ``attempted_at`` but for ``never_sent``; returns how many."""
        ...

    async def outbox_messages_locked(self, message_ids: Iterable[int]) -> dict[int, OutboxMessage]:
        """The rows, locked until the end of the transaction."""
        ...

    # Matching
    async def profiles_in_program(self, program_id: int) -> Sequence[Profile]: ...

    async def people_in_program(self, program_id: int) -> Sequence[Person]: ...

    async def past_partners_in_program(self, program_id: int) -> Sequence[tuple[int, int]]:
        """(mentor, mentee) person ids of every pair ever made, in any program and whatever its
        status, between two people who are both enrolled in this program."""
        ...

    async def avoidances_in_program(self, program_id: int) -> Sequence[Avoidance]:
        """Private avoidances between two people who are both enrolled in this program."""
        ...

    async def avoidances_by(self, person_id: int) -> Sequence[Avoidance]: ...

    async def avoidance(self, person_id: int, avoided_id: int) -> Avoidance | None: ...

    async def open_match_proposal(self, program_id: int) -> MatchProposal | None:
        """The program's proposal under review, if any (the most recent open one), locked for
        this unit of work so that concurrent owner commands act on it one after the other."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class DeliveryError(Exception):
    """A platform refused or failed a send.

    ``transient``: worth retrying (429, 5xx, timeouts); ``retry_after``: seconds the platform
    asked us to wait; ``unreachable``: the person cannot be reached at all (deactivated,
    blocked the bot), so retrying is pointless; ``maybe_sent``: the platform may have posted
    the message all the same (a 5xx, a timeout), so it is looked up before being sent again.
    ``channel_refused``: a channel does not take the bot's posts (it is not a member and
    cannot join, the channel was archived or removed): only an owner can fix that, so the
    owners of the programs whose digest goes there are told.
    """

    def __init__(
        self,
        reason: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        unreachable: bool = False,
        maybe_sent: bool = False,
        channel_refused: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after
        self.unreachable = unreachable
        self.maybe_sent = maybe_sent
        self.channel_refused = channel_refused


@dataclass(frozen=True)
class Pace:
    """How fast a platform lets a bot write: overall, and in any one conversation."""

    per_second: float
    burst: int
    per_conversation_per_second: float


class ChatPort(Protocol):
    """What a platform adapter offers the engine for messages the bot sends on its own.

    ``key`` is the outbox key of the message: the adapter attaches it to what it sends (Slack
    message metadata, a Teams activity property) so that ``find_sent`` can later tell whether
    sends whose outcome was lost in a crash actually reached the platform.
    """

    platform: str
    pace: Pace | None

    async def send_to_person(self, person: Person, message: Message, key: str) -> str:
        """Send a direct message; returns the platform's message id."""
        ...

    async def post_to_channel(self, channel: dict[str, Any], message: Message, key: str) -> str:
        """Post in a channel (the owners' digest channel); returns the platform's message id."""
        ...

    async def find_sent(
        self,
        keys: Collection[str],
        person: Person | None,
        channel: dict[str, Any] | None,
        since: datetime,
    ) -> dict[str, str]:
        """Which of these keys were already sent to this one conversation (a person's direct
        messages, or a channel) since ``since``: key -> the platform's message id. A platform
        that cannot read a conversation back answers ``{}`` (those messages are sent again)."""
        ...

    async def close(self) -> None:
        """Release connections (HTTP sessions) when the process stops."""
        ...
