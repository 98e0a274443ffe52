"""session cancellations: when a planned session was called off or moved, and a pair's
cancellations in a row

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planned_session") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("pair") as batch:
        batch.add_column(
            sa.Column("cancelled_in_a_row", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("pair") as batch:
        batch.drop_column("cancelled_in_a_row")
    with op.batch_alter_table("planned_session") as batch:
        batch.drop_column("moved_at")
        batch.drop_column("cancelled_at")
