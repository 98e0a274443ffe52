"""session calendar checked: when the tick last read a planned session's event in the
organiser's calendar (a decline or a deletion there calls it off); a pair's regular slot and
the last occurrence of it the tick booked

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planned_session") as batch:
        batch.add_column(
            sa.Column("calendar_checked_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("pair") as batch:
        batch.add_column(sa.Column("regular_slot", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("regular_booked_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("pair") as batch:
        batch.drop_column("regular_booked_until")
        batch.drop_column("regular_slot")
    with op.batch_alter_table("planned_session") as batch:
        batch.drop_column("calendar_checked_at")
