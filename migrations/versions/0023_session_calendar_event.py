"""session calendar event: where a planned session's event lives in a connected calendar, and
its meeting link

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planned_session") as batch:
        batch.add_column(sa.Column("calendar_event_id", sa.String(1024), nullable=True))
        batch.add_column(sa.Column("meeting_link", sa.String(2048), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("planned_session") as batch:
        batch.drop_column("meeting_link")
        batch.drop_column("calendar_event_id")
