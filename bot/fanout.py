"""What a round of the scheduler writes (a check-in for everyone due), as plain values.

A round makes thousands of rows at once. Storage maps the entities of ``bot.domain`` onto its
tables, and making a mapped instance costs about ten times a plain tuple (every attribute set
goes through the mapper's bookkeeping); these rows are written once and never changed in the
same tick, so they are tuples with the same fields, and the entities are what later turns read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from bot.domain import CheckinStatus, ConversationStatus, OutboxStatus


class NewCheckin(NamedTuple):
    """A ``Checkin`` about to be written."""

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


class NewConversation(NamedTuple):
    """A ``Conversation`` about to be written."""

    person_id: int
    flow: str
    subject_id: int
    step: str
    updated_at: datetime
    answers: dict[str, Any] = {}  # noqa: RUF012 (never changed: written as is)
    status: ConversationStatus = ConversationStatus.OPEN


class NewOutboxMessage(NamedTuple):
    """An ``OutboxMessage`` about to be queued."""

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
    claim_token: str | None = None
    attempted_at: datetime | None = None
    expires_at: datetime | None = None
