"""regular slot due: when the tick next looks at a pair's regular slot, indexed, so that a
tick reads the pairs whose next occurrence is near instead of every pair; the slots set so
far are looked at by the next tick

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pair") as batch:
        batch.add_column(sa.Column("regular_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_pair_regular_due_at", ["regular_due_at"], unique=False)
    # A moment past: the next tick works out each slot's next occurrence and stores when to
    # look again.
    op.execute("UPDATE pair SET regular_due_at = created_at WHERE regular_slot IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("pair") as batch:
        batch.drop_index("ix_pair_regular_due_at")
        batch.drop_column("regular_due_at")
