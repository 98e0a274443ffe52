"""A person's rights over their data, in storage terms: every row about them (``my-data``), and
the traces of them left in other people's rows once they are erased (``forget-me``).

Which rows are "about a person" is written out table by table below, on purpose: some rows that
reference a person must never reach them (someone else's wish not to be paired with them, the
feedback their partner gave on their sessions). tests/bot/commands/test_privacy.py walks the
schema's foreign keys and fails when a table that references a person is neither exported here
nor listed there with its reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import OutboxStatus
from bot.redaction import redactor
from storage import tables

Row = dict[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _mentions(
    column: sa.ColumnElement[Any], terms: Sequence[str], dialect: str
) -> sa.ColumnElement[bool]:
    """Rows whose text holds one of the terms, in any case, as typed or as JSON writes it
    (``\\u00e9``). A superset: the Python pass that follows decides. On SQLite one regular
    expression (SQLAlchemy gives it Python's ``re``); on PostgreSQL, whose case-insensitive
    patterns are slow by the hundred, the text lowered once and ``LIKE ANY`` of the terms."""
    forms = sorted({form for term in terms for form in (term, json.dumps(term)[1:-1])})
    text = sa.cast(column, sa.Text)
    if dialect != "postgresql":
        # SQLite's REGEXP takes no flags: the pattern carries them (Python's syntax).
        return text.regexp_match("(?i)" + "|".join(re.escape(form) for form in forms))
    lowered = sorted({"%" + _escape_like(form.lower()) + "%" for form in forms})
    found: sa.ColumnElement[bool] = sa.func.lower(text).like(
        sa.any_(sa.literal(lowered, ARRAY(sa.Text)))
    )
    # Under the plain "C" locale lower() leaves "É" as it is: such terms are also looked for
    # as written.
    exact = sorted({"%" + _escape_like(form) + "%" for form in forms if not form.isascii()})
    if exact:
        found = sa.or_(found, text.like(sa.any_(sa.literal(exact, ARRAY(sa.Text)))))
    return found


def _escape_like(text: str) -> str:
    # PostgreSQL's default LIKE escape is the backslash.
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Free texts people write or the bot writes about them, outside their own rows (which go with
# them): each is searched for the erased person's name, ids and words.
FREE_TEXT = (
    (tables.session_log, ("topics", "next_steps")),
    (tables.checkin, ("blocker", "learned")),
    (tables.feedback_request, ("learnt", "improve")),
    (tables.evaluation, ("changed",)),
    (tables.profile, ("goals", "availability", "department", "manager")),
    (tables.charter, ("place", "equipment")),
    (tables.conversation, ("answers",)),
    (tables.audit_entry, ("subject", "details")),
    (tables.match_proposal, ("pairs", "unmatched", "excluded")),
    (tables.prompt, ("offers",)),
)


class SqlPrivacyQueries:
    @property
    def session(self) -> AsyncSession:
        raise NotImplementedError

    async def _personal_rows(self, table: sa.Table, condition: sa.ColumnElement[bool]) -> list[Row]:
        key = [column for column in table.primary_key.columns]
        result = await self.session.execute(sa.select(table).where(condition).order_by(*key))
        return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]

    async def personal_data(self, person_id: int) -> dict[str, list[Row]]:
        """Every row about the person, by table (internal ids kept: they tie rows together)."""
        t = tables
        enrollments = sa.select(t.enrollment.c.id).where(t.enrollment.c.person_id == person_id)
        pairs = sa.select(t.pair.c.id).where(
            sa.or_(
                t.pair.c.mentor_enrollment_id.in_(enrollments),
                t.pair.c.mentee_enrollment_id.in_(enrollments),
            )
        )
        assessments = sa.select(t.skill_assessment.c.id).where(
            t.skill_assessment.c.enrollment_id.in_(enrollments)
        )
        conditions: dict[sa.Table, sa.ColumnElement[bool]] = {
            t.person: t.person.c.id == person_id,
            t.program_owner: t.program_owner.c.person_id == person_id,
            t.invitation: t.invitation.c.person_id == person_id,
            t.enrollment: t.enrollment.c.person_id == person_id,
            t.profile: t.profile.c.enrollment_id.in_(enrollments),
            t.pair: t.pair.c.id.in_(pairs),
            t.charter: t.charter.c.pair_id.in_(pairs),
            # The pair's sessions, whoever logged them: both sides see them in /session list.
            t.session_log: sa.or_(
                t.session_log.c.pair_id.in_(pairs), t.session_log.c.logged_by == person_id
            ),
            t.planned_session: sa.or_(
                t.planned_session.c.pair_id.in_(pairs),
                t.planned_session.c.planned_by == person_id,
            ),
            t.conversation: t.conversation.c.person_id == person_id,
            t.checkin: t.checkin.c.enrollment_id.in_(enrollments),
            # The feedback they gave; what their partner said of them stays the partner's.
            t.feedback_request: t.feedback_request.c.person_id == person_id,
            t.avoidance: t.avoidance.c.person_id == person_id,
            t.skill_assessment: t.skill_assessment.c.id.in_(assessments),
            t.skill_rating: t.skill_rating.c.assessment_id.in_(assessments),
            t.skill_progress: t.skill_progress.c.enrollment_id.in_(enrollments),
            t.evaluation: t.evaluation.c.enrollment_id.in_(enrollments),
            t.prompt: t.prompt.c.person_id == person_id,
            # Their answer to "go on as reciprocal mentoring?" at a program's close.
            t.continuation: t.continuation.c.person_id == person_id,
            # Their quizzes and how they answered each question.
            t.quiz_attempt: t.quiz_attempt.c.person_id == person_id,
            t.quiz_item: t.quiz_item.c.attempt_id.in_(
                sa.select(t.quiz_attempt.c.id).where(t.quiz_attempt.c.person_id == person_id)
            ),
            t.audit_entry: t.audit_entry.c.actor_id == person_id,
            t.outbox: t.outbox.c.person_id == person_id,
            t.workshop: t.workshop.c.host_id == person_id,
            t.workshop_seat: t.workshop_seat.c.person_id == person_id,
            # The dashboard links they asked for and the sessions those opened (token hashes).
            t.dashboard_link: t.dashboard_link.c.person_id == person_id,
            t.dashboard_session: t.dashboard_session.c.person_id == person_id,
        }
        data = {
            table.name: await self._personal_rows(table, where)
            for table, where in conditions.items()
        }
        # A message's text is what it told them; the rest is delivery bookkeeping.
        data["outbox"] = [
            {
                "id": row["id"],
                "purpose": row["purpose"],
                "status": row["status"],
                "created_at": row["created_at"],
                "sent_at": row["sent_at"],
                "text": row["payload"].get("text", ""),
            }
            for row in data["outbox"]
        ]
        return data

    async def erase_traces(
        self,
        person_id: int,
        names: Sequence[str],
        words: Sequence[str],
        mark: str,
        erased_note: dict[str, Any],
    ) -> int:
        """Erase what names or quotes the person in rows that stay (``names``: their names and
        ids; ``words``: what they wrote). Messages to them go. A message to someone else that
        names them goes when unsent, and keeps only ``erased_note`` when sent; one that only
        quotes them loses the quotes. Channel posts, the history and other people's texts keep
        everything but the names and words, each replaced by ``mark``. Returns rows changed."""
        changed = 0
        outbox = tables.outbox.c
        deleted = await self.session.execute(
            sa.delete(tables.outbox).where(outbox.person_id == person_id)
        )
        changed += int(getattr(deleted, "rowcount", 0) or 0)
        terms = [*names, *words]
        if not terms:
            return changed
        redact, naming = redactor(terms, mark), redactor(names, mark)
        dialect = self.session.get_bind().dialect.name
        mentions = await self.session.execute(
            sa.select(outbox.id, outbox.person_id, outbox.status, outbox.payload).where(
                _mentions(outbox.payload, terms, dialect)
            )
        )
        for row_id, recipient, status, payload in mentions.all():
            redacted = redact(payload)
            if redacted == payload:
                continue
            changed += 1
            if recipient is None or naming(payload) == payload:
                update: Row = {"payload": redacted}
            elif status == OutboxStatus.PENDING:
                await self.session.execute(sa.delete(tables.outbox).where(outbox.id == row_id))
                continue
            else:
                update = {"payload": erased_note}
            await self.session.execute(
                sa.update(tables.outbox).where(outbox.id == row_id).values(**update)
            )
        for table, names in FREE_TEXT:
            columns = [table.c[name] for name in names]
            key = list(table.primary_key.columns)
            found = await self.session.execute(
                sa.select(*key, *columns).where(
                    sa.or_(*(_mentions(c, terms, dialect) for c in columns))
                )
            )
            for row in found.all():
                ids, values = row[: len(key)], row[len(key) :]
                update = {}
                for name, value in zip(names, values, strict=True):
                    redacted = redact(value)
                    if redacted != value:
                        update[name] = redacted
                if update:
                    changed += 1
                    await self.session.execute(
                        sa.update(table)
                        .where(*(column == value for column, value in zip(key, ids, strict=True)))
                        .values(**update)
                    )
        return changed
