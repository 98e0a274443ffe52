"""next due: each enrollment and pair records when the scheduler next has something to do for
it, so that a tick reads what is due instead of the whole company

``next_due_at`` is NULL when nothing timed is ahead; ``due_mark`` is bumped by every change that
may move it, so that a tick never overwrites a change it did not see. Every existing row starts
due (the epoch): the first tick works out its real moment.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("enrollment", "pair")


# What the tick's other lookups read, so that they cost what is due too.
INDEXES = (
    ("feedback_request", "ix_feedback_request_pending", ["asked_at", "due_at"]),
    ("prompt", "ix_prompt_expires_at", ["expires_at"]),
    ("prompt", "ix_prompt_created_at", ["created_at"]),
    ("conversation", "ix_conversation_subject", ["flow", "subject_id"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(
                sa.Column("due_mark", sa.Integer(), nullable=False, server_default="0")
            )
            batch.create_index(f"ix_{table}_next_due_at", ["next_due_at"])
        # The epoch, written the way each backend stores the other UTC columns.
        epoch = "'1970-01-01 00:00:00'" if op.get_context().dialect.name == "sqlite" else (
            "TIMESTAMPTZ '1970-01-01 00:00:00+00'"
        )
        op.execute(f'UPDATE "{table}" SET next_due_at = {epoch}')


def downgrade() -> None:
    for table, name, _ in INDEXES:
        op.drop_index(name, table_name=table)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_next_due_at")
            batch.drop_column("due_mark")
            batch.drop_column("next_due_at")
