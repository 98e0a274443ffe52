"""program closing: when a program was stopped early and closed, the program it continues,
"did it happen?" for planned sessions, and the answers to the offer to continue

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("program") as batch:
        batch.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("follows_id", sa.Integer(), nullable=True))
        batch.create_index("ix_program_follows_id", ["follows_id"], unique=False)
        batch.create_foreign_key(
            "fk_program_follows_id_program", "program", ["follows_id"], ["id"], ondelete="SET NULL"
        )
    # Programs with an end date whose closing report already went out are closed.
    op.execute(
        "UPDATE program SET closed = true, closed_at = CURRENT_TIMESTAMP"
        " WHERE ends_on IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM outbox WHERE outbox.key = 'report:final:' || program.id)"
    )
    with op.batch_alter_table("planned_session") as batch:
        batch.add_column(sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    # Sessions whose time passed before this version are not asked about months later.
    op.execute("UPDATE planned_session SET asked_at = starts_at")
    op.create_table(
        "continuation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pair.id"], name="fk_continuation_pair_id_pair", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name="fk_continuation_person_id_person",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_continuation"),
        sa.UniqueConstraint("pair_id", "person_id", name="uq_continuation_pair_person"),
    )
    op.create_index("ix_continuation_pair_id", "continuation", ["pair_id"], unique=False)
    op.create_index("ix_continuation_person_id", "continuation", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_continuation_person_id", table_name="continuation")
    op.drop_index("ix_continuation_pair_id", table_name="continuation")
    op.drop_table("continuation")
    with op.batch_alter_table("planned_session") as batch:
        batch.drop_column("outcome")
        batch.drop_column("asked_at")
    with op.batch_alter_table("program") as batch:
        batch.drop_constraint("fk_program_follows_id_program", type_="foreignkey")
        batch.drop_index("ix_program_follows_id")
        batch.drop_column("follows_id")
        batch.drop_column("closed_at")
        batch.drop_column("stopped_at")
