"""digest indexes: the weekly digest, the program report and the chart read a week (or a few)
of check-ins and sessions by when they happened, without reading a year of them

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The mood of a week (digest, chart): the answers of that week, read from the index alone.
    op.create_index("ix_checkin_answered", "checkin", ["answered_at", "enrollment_id", "mood"])
    # The pairs needing attention: the check-ins that fell due in the last two weeks.
    op.create_index("ix_checkin_due_at", "checkin", ["due_at"])
    # The sessions and topics of a week, the chart's weeks.
    op.create_index("ix_session_log_held_on", "session_log", ["held_on", "pair_id"])


def downgrade() -> None:
    op.drop_index("ix_session_log_held_on", table_name="session_log")
    op.drop_index("ix_checkin_due_at", table_name="checkin")
    op.drop_index("ix_checkin_answered", table_name="checkin")
