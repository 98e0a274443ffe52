"""The schema. Alembic migrations are the source of truth in databases; this mirrors them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.mutable import MutableDict, MutableList

from bot.domain import (
    AssessmentMoment,
    CharterStatus,
    CheckinStatus,
    ConversationStatus,
    EnrollmentStatus,
    InvitationStatus,
    OutboxStatus,
    PairStatus,
    ProposalStatus,
    Role,
)
from bot.workshops.model import SeatStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = sa.MetaData(naming_convention=NAMING)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores UTC; always hands back an aware UTC datetime, SQLite included."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: store UTC-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum_cls: type[Any]) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


JSONDict = MutableDict.as_mutable(sa.JSON())
JSONList = MutableList.as_mutable(sa.JSON())


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _fk(
    name: str, target: str, *, nullable: bool = False, ondelete: str = "CASCADE"
) -> sa.Column[int]:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
    )


person = sa.Table(
    "person",
    metadata,
    _id(),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("workspace", sa.String(100), nullable=False),
    sa.Column("user_id", sa.String(100), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("locale", sa.String(10)),
    sa.Column("timezone", sa.String(64)),
    sa.Column("address", JSONDict),
    sa.Column("unreachable", sa.Boolean, nullable=False, default=False),
    sa.Column("working_hours", JSONDict),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("country", sa.String(2)),
    sa.Column("left_at", UTCDateTime),
    sa.UniqueConstraint("platform", "workspace", "user_id", name="uq_person_identity"),
    sa.Index("ix_person_email", "platform", "workspace", "email"),
    # The tick finds whose data is due for erasure (bot.leaving.retention) by this index.
    sa.Index("ix_person_left_at", "left_at"),
)

program = sa.Table(
    "program",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date),
    sa.Column("sessions_planned", sa.Integer, nullable=False),
    sa.Column("cadence_days", sa.Integer, nullable=False),
    sa.Column("session_minutes", sa.Integer, nullable=False),
    sa.Column("topics", JSONList, nullable=False),
    sa.Column("reciprocal_topics", JSONList, nullable=False),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("digest_channel", JSONDict),
    sa.Column("closed", sa.Boolean, nullable=False, default=False),
    sa.Column("schedule", JSONDict),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("matching", JSONDict),
    sa.Column("quote_min_group", sa.Integer, nullable=False, default=3, server_default="3"),
    sa.Column("stopped_at", UTCDateTime),
    sa.Column("closed_at", UTCDateTime),
    _fk("follows_id", "program.id", nullable=True, ondelete="SET NULL"),
)

program_owner = sa.Table(
    "program_owner",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    _fk("person_id", "person.id"),
    sa.UniqueConstraint("program_id", "person_id", name="uq_program_owner"),
)

invitation = sa.Table(
    "invitation",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    _fk("person_id", "person.id"),
    _fk("invited_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("status", _enum(InvitationStatus), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # What a roster said of the person (role, department, manager), for their intake.
    sa.Column("hints", JSONDict),
)

# A roster checked by a dry run, waiting for an owner's confirmation (bot.roster).
roster_import = sa.Table(
    "roster_import",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    _fk("requested_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("workspace", sa.String(100), nullable=False),
    sa.Column("file_name", sa.String(300), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("lines", JSONList, nullable=False),
    sa.Column("summary", JSONDict, nullable=False),
    sa.Column("confirmed_at", UTCDateTime),
)

# "Due at the next tick, whatever the clock says" (the console's clock may be years away).
DUE_NOW = datetime(1970, 1, 1, tzinfo=UTC)


def _due_columns() -> tuple[sa.Column[Any], ...]:
    """When the scheduler next has something to do for the row (NULL: nothing timed ahead), and
    a counter bumped by every change that may move it (storage.due_marks)."""
    return (
        # A new row is due at once: the next tick works out its first moment.
        sa.Column("next_due_at", UTCDateTime, index=True, default=DUE_NOW),
        sa.Column("due_mark", sa.Integer, nullable=False, default=0, server_default="0"),
    )


enrollment = sa.Table(
    "enrollment",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    _fk("person_id", "person.id"),
    sa.Column("role", _enum(Role), nullable=False),
    sa.Column("status", _enum(EnrollmentStatus), nullable=False),
    sa.Column("paused_until", sa.Date),
    sa.Column("joined_at", UTCDateTime, nullable=False),
    # The inactivity policy (bot.leaving.inactivity): when they were asked whether they are
    # still in, and from when their unanswered check-ins count.
    sa.Column("silence_asked_at", UTCDateTime),
    sa.Column("silence_reset_at", UTCDateTime),
    *_due_columns(),
    sa.UniqueConstraint("program_id", "person_id", name="uq_enrollment_person"),
)

profile = sa.Table(
    "profile",
    metadata,
    _id(),
    sa.Column(
        "enrollment_id",
        sa.Integer,
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("teaches", JSONDict, nullable=False),
    sa.Column("wants", JSONDict, nullable=False),
    sa.Column("goals", sa.Text, nullable=False),
    sa.Column("languages", JSONList, nullable=False),
    sa.Column("department", sa.String(200), nullable=False),
    sa.Column("availability", sa.Text, nullable=False),
    sa.Column("completed_at", UTCDateTime),
    sa.Column("manager", sa.String(100)),
)

pair = sa.Table(
    "pair",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    _fk("mentor_enrollment_id", "enrollment.id", nullable=True, ondelete="SET NULL"),
    _fk("mentee_enrollment_id", "enrollment.id", nullable=True, ondelete="SET NULL"),
    _fk("created_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("status", _enum(PairStatus), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # When both were warned that the pair, idle, is about to close (bot.leaving.inactivity).
    sa.Column("idle_warned_at", UTCDateTime),
    *_due_columns(),
    sa.Column("cancelled_in_a_row", sa.Integer, nullable=False, default=0, server_default="0"),
    # The pair's regular slot (bot.commands.regular), and its last occurrence the tick booked.
    # none_as_null: a slot stopped is SQL NULL, which the tick's query skips (not JSON null).
    sa.Column("regular_slot", sa.JSON(none_as_null=True)),
    sa.Column("regular_booked_until", UTCDateTime),
    # The tick finds the regular slots to book by this index, not by reading every pair.
    sa.Column("regular_due_at", UTCDateTime, index=True),
)

charter = sa.Table(
    "charter",
    metadata,
    _id(),
    sa.Column(
        "pair_id",
        sa.Integer,
        sa.ForeignKey("pair.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("status", _enum(CharterStatus), nullable=False),
    sa.Column("mentee_goal", sa.String(40)),
    sa.Column("mentor_goal", sa.String(40)),
    sa.Column("meetings", sa.Integer),
    sa.Column("minutes", sa.Integer),
    sa.Column("place", sa.String(200)),
    sa.Column("equipment", sa.String(200)),
    sa.Column("mentor_confirmed_at", UTCDateTime),
    sa.Column("mentee_confirmed_at", UTCDateTime),
)

session_log = sa.Table(
    "session_log",
    metadata,
    _id(),
    _fk("pair_id", "pair.id"),
    _fk("logged_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("topics", sa.Text, nullable=False),
    sa.Column("next_steps", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # The digest's figures read a pair's sessions from this index alone.
    sa.Index("ix_session_log_activity", "pair_id", "created_at", "held_on", "minutes"),
    # The sessions and topics of a week, the chart's weeks.
    sa.Index("ix_session_log_held_on", "held_on", "pair_id"),
)

planned_session = sa.Table(
    "planned_session",
    metadata,
    _id(),
    _fk("pair_id", "pair.id"),
    _fk("planned_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("starts_at", UTCDateTime, nullable=False, index=True),
    sa.Column("cancelled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("asked_at", UTCDateTime),
    sa.Column("outcome", sa.String(16)),
    sa.Column("minutes", sa.Integer),
    sa.Column("sequence", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("calendar_event_id", sa.String(1024)),
    sa.Column("meeting_link", sa.String(2048)),
    sa.Column("cancelled_at", UTCDateTime),
    sa.Column("moved_at", UTCDateTime),
    # When the tick last read its event in the organiser's calendar (declined, deleted?).
    sa.Column("calendar_checked_at", UTCDateTime),
)
# The sessions the tick has still to ask "did it happen?" about: a few, among a company's many.
_UNASKED = sa.and_(
    planned_session.c.asked_at.is_(None),
    planned_session.c.outcome.is_(None),
    planned_session.c.cancelled.is_(False),
)
sa.Index(
    "ix_planned_session_unasked",
    planned_session.c.starts_at,
    postgresql_where=_UNASKED,
    sqlite_where=_UNASKED,
)

conversation = sa.Table(
    "conversation",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    sa.Column("flow", sa.String(40), nullable=False),
    sa.Column("subject_id", sa.Integer, nullable=False),
    sa.Column("step", sa.String(40), nullable=False),
    sa.Column("answers", JSONDict, nullable=False),
    sa.Column("status", _enum(ConversationStatus), nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # The tick's "the open check-in conversation of these check-ins".
    sa.Index("ix_conversation_subject", "flow", "subject_id"),
)

audit_entry = sa.Table(
    "audit_entry",
    metadata,
    _id(),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    _fk("actor_id", "person.id", nullable=True, ondelete="SET NULL"),
    _fk("program_id", "program.id", nullable=True, ondelete="SET NULL"),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("subject", sa.String(200)),
    sa.Column("details", JSONDict, nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("purpose", sa.String(60), nullable=False),
    sa.Column("platform", sa.String(20), nullable=False),
    _fk("person_id", "person.id", nullable=True),
    sa.Column("channel", JSONDict),
    sa.Column("payload", JSONDict, nullable=False),
    sa.Column("status", _enum(OutboxStatus), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("not_before", UTCDateTime, nullable=False),
    sa.Column("claimed_until", UTCDateTime),
    # The deliverer holding the row (its claim token): renewals and records are fenced by it.
    sa.Column("claim_token", sa.String(40)),
    # When a send was last handed to the platform: a held row with none was never tried.
    sa.Column("attempted_at", UTCDateTime),
    # After this moment the message means nothing any more (a reminder of a session that has
    # begun): it is skipped, not sent.
    sa.Column("expires_at", UTCDateTime),
    sa.Column("platform_message_id", sa.String(200)),
    sa.Column("last_error", sa.String(500)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Index("ix_outbox_due", "status", "not_before"),
)

processed_delivery = sa.Table(
    "processed_delivery",
    metadata,
    sa.Column("delivery_id", sa.String(200), primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
)

# Every platform request, written before it is acknowledged and run from here (bot/inbox.py).
inbox = sa.Table(
    "inbox",
    metadata,
    _id(),
    sa.Column("key", sa.String(300), nullable=False, unique=True),
    sa.Column("platform", sa.String(20), nullable=False),
    sa.Column("conversation", sa.String(300), nullable=False),
    sa.Column("sender", sa.String(300), nullable=False, server_default=""),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("not_before", UTCDateTime, nullable=False),
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("claimed_until", UTCDateTime),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("last_error", sa.String(500)),
    sa.Index("ix_inbox_open", "status", "conversation", "id"),
    sa.Index("ix_inbox_finished", "finished_at"),
    sa.Index("ix_inbox_sender", "sender"),
)

# Who runs the scheduler, until when; ``fence`` grows at every change of holder.
leader_lease = sa.Table(
    "leader_lease",
    metadata,
    sa.Column("name", sa.String(60), primary_key=True),
    sa.Column("holder", sa.String(100), nullable=False),
    sa.Column("until", UTCDateTime, nullable=False),
    sa.Column("fence", sa.Integer, nullable=False),
)

checkin = sa.Table(
    "checkin",
    metadata,
    _id(),
    _fk("enrollment_id", "enrollment.id"),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("status", _enum(CheckinStatus), nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("reminded_at", UTCDateTime),
    sa.Column("answered_at", UTCDateTime),
    sa.Column("mood", sa.Integer),
    sa.Column("blocker", sa.Text),
    sa.Column("learned", sa.Text),
    sa.UniqueConstraint("enrollment_id", "period", name="uq_checkin_period"),
    # The mood of a week (digest, chart): the answers of that week, read from the index alone.
    sa.Index("ix_checkin_answered", "answered_at", "enrollment_id", "mood"),
    # The pairs needing attention: the check-ins that fell due in the last two weeks.
    sa.Index("ix_checkin_due_at", "due_at"),
)

feedback_request = sa.Table(
    "feedback_request",
    metadata,
    _id(),
    _fk("session_log_id", "session_log.id"),
    _fk("person_id", "person.id"),
    # The session's program, so that the owners' figures read a program's feedback without
    # joining a year of sessions and pairs to find it.
    _fk("program_id", "program.id"),
    sa.Column("due_at", UTCDateTime, nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("asked_at", UTCDateTime),
    sa.Column("usefulness", sa.Integer),
    sa.Column("answered_at", UTCDateTime),
    sa.Column("learnt", sa.Text),
    sa.Column("improve", sa.Text),
    sa.Column("share_name", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Index("ix_feedback_request_answered_at", "answered_at"),
    # The tick's "feedback requests due and not asked yet", without reading a year of them.
    sa.Index("ix_feedback_request_pending", "asked_at", "due_at"),
    sa.UniqueConstraint("session_log_id", "person_id", name="uq_feedback_request_person"),
)

avoidance = sa.Table(
    "avoidance",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("avoided_id", "person.id"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("person_id", "avoided_id", name="uq_avoidance_pair"),
)

match_proposal = sa.Table(
    "match_proposal",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    _fk("created_by", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("status", _enum(ProposalStatus), nullable=False),
    sa.Column("pairs", JSONList, nullable=False),
    sa.Column("unmatched", JSONList, nullable=False),
    sa.Column("excluded", JSONList, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

skill_assessment = sa.Table(
    "skill_assessment",
    metadata,
    _id(),
    _fk("enrollment_id", "enrollment.id"),
    sa.Column("moment", _enum(AssessmentMoment), nullable=False),
    sa.Column("topics", JSONList, nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("answered_at", UTCDateTime),
    # Each moment is asked once per enrollment, whatever the restarts and replicas.
    sa.UniqueConstraint("enrollment_id", "moment", name="uq_skill_assessment_moment"),
)

skill_rating = sa.Table(
    "skill_rating",
    metadata,
    _id(),
    _fk("assessment_id", "skill_assessment.id"),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.UniqueConstraint("assessment_id", "topic", name="uq_skill_rating_topic"),
)

# Each person's progress topic by topic: the level they gave at intake next to the one of their
# latest answered assessment since. Written with that assessment (record_skill_progress), so
# that the owners' figures read one row per person and topic instead of pairing a year of
# ratings up again at every digest.
skill_progress = sa.Table(
    "skill_progress",
    metadata,
    _id(),
    # The unique (enrollment_id, topic) already finds a person's rows: no second index.
    sa.Column(
        "enrollment_id",
        sa.Integer,
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"),
        nullable=False,
    ),
    _fk("program_id", "program.id"),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("baseline_level", sa.Integer, nullable=False),
    sa.Column("latest_level", sa.Integer, nullable=False),
    sa.Column("moment", _enum(AssessmentMoment), nullable=False),
    sa.UniqueConstraint("enrollment_id", "topic", name="uq_skill_progress_topic"),
)

evaluation = sa.Table(
    "evaluation",
    metadata,
    _id(),
    sa.Column(
        "enrollment_id",
        sa.Integer,
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("answered_at", UTCDateTime, nullable=False),
    sa.Column("satisfaction", sa.Integer, nullable=False),
    sa.Column("recommend", sa.Integer, nullable=False),
    sa.Column("continue_reciprocal", sa.Boolean, nullable=False),
    sa.Column("changed", sa.Text),
    sa.Column("share_name", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

# A button or form shown to one person (bot.prompts): answerable once, by them, until it expires.
prompt = sa.Table(
    "prompt",
    metadata,
    sa.Column("token", sa.String(32), primary_key=True),
    _fk("person_id", "person.id"),
    sa.Column("offers", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime),
    # The order prompts were shown in, for those shown at the same moment (one turn's clock):
    # a bare number answers the latest one.
    sa.Column("shown", sa.BigInteger),
    sa.Index("ix_prompt_shown", "shown"),
    # The tick's purge of expired and old prompts.
    sa.Index("ix_prompt_expires_at", "expires_at"),
    sa.Index("ix_prompt_created_at", "created_at"),
)

# Answers to the offer to continue as reciprocal mentoring once a program closed.
continuation = sa.Table(
    "continuation",
    metadata,
    _id(),
    _fk("pair_id", "pair.id"),
    _fk("person_id", "person.id"),
    sa.Column("choice", sa.String(16), nullable=False),
    sa.Column("answered_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("pair_id", "person_id", name="uq_continuation_pair_person"),
)

# A session guide a program's owners imported (``tandem guides import``); shown before the
# default guides for that topic. NULL stage: every stage; NULL locale: every language.
owner_guide = sa.Table(
    "owner_guide",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("stage", sa.String(10)),
    sa.Column("locale", sa.String(10)),
    sa.Column("goal", sa.Text, nullable=False),
    sa.Column("questions", JSONList, nullable=False),
    sa.Column("exercise", sa.Text, nullable=False),
    sa.Column("prepare", sa.Text, nullable=False),
    sa.Column("resources", JSONList, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("imported_at", UTCDateTime),
)

# Group workshops (bot/workshops): found by start time for reminders and the digest.
workshop = sa.Table(
    "workshop",
    metadata,
    _id(),
    _fk("host_id", "person.id", nullable=True, ondelete="SET NULL"),
    sa.Column("topic", sa.String(100), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False, index=True),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("place", sa.String(500), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("program_ids", JSONList, nullable=False),
    sa.Column("everyone", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("attendance_at", UTCDateTime),
    sa.Column("cancelled_at", UTCDateTime),
)

workshop_seat = sa.Table(
    "workshop_seat",
    metadata,
    _id(),
    _fk("workshop_id", "workshop.id"),
    _fk("person_id", "person.id"),
    sa.Column("status", _enum(SeatStatus), nullable=False),
    sa.Column("joined_at", UTCDateTime, nullable=False),
    sa.Column("left_at", UTCDateTime),
    sa.Column("promoted_at", UTCDateTime),
    sa.Column("attended", sa.Boolean),
    sa.Column("rating", sa.Integer),
    sa.Column("rated_at", UTCDateTime),
    sa.UniqueConstraint("workshop_id", "person_id", name="uq_workshop_seat_person"),
)

# One Slack workspace (or Enterprise Grid organisation, for an org-wide install) the app was
# installed into through OAuth: its latest installation. An absent enterprise or team is ''
# (not NULL) so that the unique key holds on every database. Tokens are Fernet-encrypted.
slack_installation = sa.Table(
    "slack_installation",
    metadata,
    _id(),
    sa.Column("client_id", sa.String(100), nullable=False),
    sa.Column("app_id", sa.String(32)),
    sa.Column("enterprise_id", sa.String(32), nullable=False),
    sa.Column("enterprise_name", sa.String(200)),
    sa.Column("enterprise_url", sa.String(300)),
    sa.Column("team_id", sa.String(32), nullable=False),
    sa.Column("team_name", sa.String(200)),
    sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
    sa.Column("bot_id", sa.String(32)),
    sa.Column("bot_user_id", sa.String(32)),
    sa.Column("bot_scopes", sa.Text),
    sa.Column("bot_token", sa.Text),
    sa.Column("bot_refresh_token", sa.Text),
    sa.Column("bot_token_expires_at", UTCDateTime),
    sa.Column("user_id", sa.String(32), nullable=False),
    sa.Column("user_scopes", sa.Text),
    sa.Column("user_token", sa.Text),
    sa.Column("user_refresh_token", sa.Text),
    sa.Column("user_token_expires_at", UTCDateTime),
    sa.Column("token_type", sa.String(16)),
    sa.Column("installed_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint(
        "client_id", "enterprise_id", "team_id", name="uq_slack_installation_workspace"
    ),
)
sa.Index("ix_slack_installation_team_id", slack_installation.c.team_id)
sa.Index("ix_slack_installation_enterprise_id", slack_installation.c.enterprise_id)

# The OAuth ``state`` values handed out by /slack/install: each good once, until it expires.
slack_oauth_state = sa.Table(
    "slack_oauth_state",
    metadata,
    sa.Column("state", sa.String(64), primary_key=True),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# Quizzes (bot.quiz): each attempt of one person, its questions as they were shown (kept whole,
# so that a later change of the bank does not change what was asked), and owners' own questions.
quiz_attempt = sa.Table(
    "quiz_attempt",
    metadata,
    _id(),
    _fk("person_id", "person.id"),
    _fk("program_id", "program.id", nullable=True, ondelete="SET NULL"),
    sa.Column("origin", sa.String(100), nullable=False),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.UniqueConstraint("person_id", "origin", name="uq_quiz_attempt_origin"),
)

quiz_item = sa.Table(
    "quiz_item",
    metadata,
    _id(),
    _fk("attempt_id", "quiz_attempt.id"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("question_ref", sa.String(100), nullable=False),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("question", sa.JSON, nullable=False),
    sa.Column("shown_at", UTCDateTime),
    sa.Column("outcome", sa.String(10)),
    sa.Column("answered_at", UTCDateTime),
    sa.UniqueConstraint("attempt_id", "position", name="uq_quiz_item_position"),
)

quiz_question = sa.Table(
    "quiz_question",
    metadata,
    _id(),
    _fk("program_id", "program.id"),
    sa.Column("locale", sa.String(10), nullable=False),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # As written in the file: the right choice marked with a leading "*".
    sa.Column("choices", sa.JSON, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
)

# The owners' dashboard (bot.dashboard): one-time links handed out in chat, and the browser
# sessions they open. Only a SHA-256 of each token is kept: a copy of the database opens nothing.
dashboard_link = sa.Table(
    "dashboard_link",
    metadata,
    _id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _fk("person_id", "person.id"),
    _fk("program_id", "program.id", nullable=True, ondelete="SET NULL"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime),
)

dashboard_session = sa.Table(
    "dashboard_session",
    metadata,
    _id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _fk("person_id", "person.id"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
)
