"""inbox sender: who sent each request, so that a person forgotten has their requests erased in
every conversation, and nobody else's in a shared one

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(
            sa.Column("sender", sa.String(300), nullable=False, server_default="")
        )
        batch.create_index("ix_inbox_sender", ["sender"])


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_index("ix_inbox_sender")
        batch.drop_column("sender")
