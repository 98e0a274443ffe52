"""quiz: attempts and the questions they showed, and owners' own questions

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quiz_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(100), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempt")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_quiz_attempt_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_quiz_attempt_program_id_program"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("person_id", "origin", name="uq_quiz_attempt_origin"),
    )
    op.create_index("ix_quiz_attempt_person_id", "quiz_attempt", ["person_id"])
    op.create_index("ix_quiz_attempt_program_id", "quiz_attempt", ["program_id"])
    op.create_index("ix_quiz_attempt_created_at", "quiz_attempt", ["created_at"])
    op.create_table(
        "quiz_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_ref", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("question", sa.JSON(), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_item")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["quiz_attempt.id"],
            name=op.f("fk_quiz_item_attempt_id_quiz_attempt"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("attempt_id", "position", name="uq_quiz_item_position"),
    )
    op.create_index("ix_quiz_item_attempt_id", "quiz_item", ["attempt_id"])
    op.create_table(
        "quiz_question",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_question")),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_quiz_question_program_id_program"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_quiz_question_program_id", "quiz_question", ["program_id"])


def downgrade() -> None:
    op.drop_table("quiz_question")
    op.drop_table("quiz_item")
    op.drop_table("quiz_attempt")
