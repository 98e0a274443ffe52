"""workshops: group sessions a host announces to a program, and the seats people take in them
(with a waitlist, attendance and feedback)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=500), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("program_ids", sa.JSON(), nullable=False),
        sa.Column("everyone", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attendance_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["host_id"], ["person.id"], name="fk_workshop_host_id_person", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workshop"),
    )
    op.create_index("ix_workshop_host_id", "workshop", ["host_id"], unique=False)
    op.create_index("ix_workshop_starts_at", "workshop", ["starts_at"], unique=False)
    op.create_table(
        "workshop_seat",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("joined", "waiting", "left", name="seatstatus",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name="fk_workshop_seat_workshop_id_workshop",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name="fk_workshop_seat_person_id_person",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workshop_seat"),
        sa.UniqueConstraint("workshop_id", "person_id", name="uq_workshop_seat_person"),
    )
    op.create_index("ix_workshop_seat_workshop_id", "workshop_seat", ["workshop_id"], unique=False)
    op.create_index("ix_workshop_seat_person_id", "workshop_seat", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_workshop_seat_person_id", table_name="workshop_seat")
    op.drop_index("ix_workshop_seat_workshop_id", table_name="workshop_seat")
    op.drop_table("workshop_seat")
    op.drop_index("ix_workshop_starts_at", table_name="workshop")
    op.drop_index("ix_workshop_host_id", table_name="workshop")
    op.drop_table("workshop")
