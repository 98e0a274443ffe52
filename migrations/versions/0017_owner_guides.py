"""owner guides: session guides a program's owners imported, shown before the default ones

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "owner_guide",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("exercise", sa.Text(), nullable=False),
        sa.Column("prepare", sa.Text(), nullable=False),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name="fk_owner_guide_program_id_program",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_owner_guide"),
    )
    op.create_index("ix_owner_guide_program_id", "owner_guide", ["program_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_owner_guide_program_id", table_name="owner_guide")
    op.drop_table("owner_guide")
