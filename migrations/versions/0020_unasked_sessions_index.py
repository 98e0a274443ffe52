"""unasked sessions index: the tick asks "did it happen?" about the planned sessions of the
last two weeks not asked about yet, a handful, found without reading the tens of thousands of
sessions a large company held in those two weeks

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same predicate as the tick's query (storage.scheduling_queries.past_planned_sessions),
# written the same way, so that both databases' planners see the index applies.
UNASKED = "asked_at IS NULL AND outcome IS NULL AND cancelled IS false"


def upgrade() -> None:
    op.create_index(
        "ix_planned_session_unasked",
        "planned_session",
        ["starts_at"],
        postgresql_where=sa.text(UNASKED),
        sqlite_where=sa.text(UNASKED),
    )


def downgrade() -> None:
    op.drop_index("ix_planned_session_unasked", table_name="planned_session")
