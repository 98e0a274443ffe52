"""figures without joins: a feedback request carries its session's program, and each
person's skill progress (intake level next to the latest one, topic by topic) is kept in
skill_progress, written with each assessment; both filled here from what exists

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The latest answered assessment after intake is the end one when answered, else the halfway
# one; each of its ratings is paired with the intake's rating of the same topic.
_PROGRESS = """
INSERT INTO skill_progress
    (enrollment_id, program_id, topic, baseline_level, latest_level, moment)
SELECT latest.enrollment_id, enrollment.program_id, rating.topic, intake_rating.level,
    rating.level, latest.moment
FROM skill_assessment latest
JOIN enrollment ON enrollment.id = latest.enrollment_id
JOIN skill_rating rating ON rating.assessment_id = latest.id
JOIN skill_assessment intake ON intake.enrollment_id = latest.enrollment_id
    AND intake.moment = 'baseline' AND intake.answered_at IS NOT NULL
JOIN skill_rating intake_rating ON intake_rating.assessment_id = intake.id
    AND intake_rating.topic = rating.topic
WHERE latest.moment <> 'baseline' AND latest.answered_at IS NOT NULL
    AND NOT (latest.moment = 'mid' AND EXISTS (
        SELECT 1 FROM skill_assessment later
        WHERE later.enrollment_id = latest.enrollment_id AND later.moment = 'end'
            AND later.answered_at IS NOT NULL))
"""


def upgrade() -> None:
    with op.batch_alter_table("feedback_request") as batch:
        batch.add_column(sa.Column("program_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE feedback_request SET program_id = (SELECT pair.program_id FROM session_log "
        "JOIN pair ON pair.id = session_log.pair_id "
        "WHERE session_log.id = feedback_request.session_log_id)"
    )
    with op.batch_alter_table("feedback_request") as batch:
        batch.alter_column("program_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_feedback_request_program_id_program",
            "program",
            ["program_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_feedback_request_program_id", ["program_id"], unique=False)

    op.create_table(
        "skill_progress",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("baseline_level", sa.Integer(), nullable=False),
        sa.Column("latest_level", sa.Integer(), nullable=False),
        sa.Column(
            "moment",
            sa.Enum(
                "baseline", "mid", "end", name="assessmentmoment", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.id"],
            name="fk_skill_progress_enrollment_id_enrollment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name="fk_skill_progress_program_id_program",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_skill_progress"),
        sa.UniqueConstraint("enrollment_id", "topic", name="uq_skill_progress_topic"),
    )
    op.create_index("ix_skill_progress_program_id", "skill_progress", ["program_id"], unique=False)
    op.execute(_PROGRESS)


def downgrade() -> None:
    op.drop_index("ix_skill_progress_program_id", table_name="skill_progress")
    op.drop_table("skill_progress")
    with op.batch_alter_table("feedback_request") as batch:
        batch.drop_index("ix_feedback_request_program_id")
        batch.drop_constraint("fk_feedback_request_program_id_program", type_="foreignkey")
        batch.drop_column("program_id")
