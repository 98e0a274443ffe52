"""inactivity policy and retention: when a silent person was asked whether they are still in,
from when their unanswered check-ins count, when an idle pair was warned, and an index to find
the people whose data is due for erasure

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment") as batch:
        batch.add_column(sa.Column("silence_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("silence_reset_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("pair") as batch:
        batch.add_column(sa.Column("idle_warned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_person_left_at", "person", ["left_at"])


def downgrade() -> None:
    op.drop_index("ix_person_left_at", table_name="person")
    with op.batch_alter_table("pair") as batch:
        batch.drop_column("idle_warned_at")
    with op.batch_alter_table("enrollment") as batch:
        batch.drop_column("silence_reset_at")
        batch.drop_column("silence_asked_at")
