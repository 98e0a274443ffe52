"""prompt order: prompts shown at the same moment keep the order they were shown in, so that a
bare number answers the latest one

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prompt") as batch:
        batch.add_column(sa.Column("shown", sa.BigInteger(), nullable=True))
        batch.create_index("ix_prompt_shown", ["shown"])


def downgrade() -> None:
    with op.batch_alter_table("prompt") as batch:
        batch.drop_index("ix_prompt_shown")
        batch.drop_column("shown")
