"""roster import: the dry run kept until an owner confirms it, and the roster's hints on an
invitation (role, department, manager) for the person's intake

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("hints", sa.JSON(), nullable=True))
    op.create_table(
        "roster_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("workspace", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name="fk_roster_import_program_id_program",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["person.id"],
            name="fk_roster_import_requested_by_person",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_roster_import"),
    )
    op.create_index("ix_roster_import_program_id", "roster_import", ["program_id"], unique=False)
    op.create_index(
        "ix_roster_import_requested_by", "roster_import", ["requested_by"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_roster_import_requested_by", table_name="roster_import")
    op.drop_index("ix_roster_import_program_id", table_name="roster_import")
    op.drop_table("roster_import")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("hints")
