"""dashboard: one-time links to the owners' dashboard and the browser sessions they open
(only hashes of their tokens are stored)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_link",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name="fk_dashboard_link_person_id_person",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name="fk_dashboard_link_program_id_program",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dashboard_link"),
        sa.UniqueConstraint("token_hash", name="uq_dashboard_link_token_hash"),
    )
    op.create_index("ix_dashboard_link_person_id", "dashboard_link", ["person_id"])
    op.create_index("ix_dashboard_link_program_id", "dashboard_link", ["program_id"])
    op.create_table(
        "dashboard_session",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name="fk_dashboard_session_person_id_person",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_dashboard_session"),
        sa.UniqueConstraint("token_hash", name="uq_dashboard_session_token_hash"),
    )
    op.create_index("ix_dashboard_session_person_id", "dashboard_session", ["person_id"])
    op.create_index("ix_dashboard_session_expires_at", "dashboard_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_dashboard_session_expires_at", table_name="dashboard_session")
    op.drop_index("ix_dashboard_session_person_id", table_name="dashboard_session")
    op.drop_table("dashboard_session")
    op.drop_index("ix_dashboard_link_program_id", table_name="dashboard_link")
    op.drop_index("ix_dashboard_link_person_id", table_name="dashboard_link")
    op.drop_table("dashboard_link")
