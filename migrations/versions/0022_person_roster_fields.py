"""person roster fields: work e-mail, country of public holidays, and when the person left

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("email", sa.String(320), nullable=True))
        batch.add_column(sa.Column("country", sa.String(2), nullable=True))
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_person_email", "person", ["platform", "workspace", "email"])


def downgrade() -> None:
    op.drop_index("ix_person_email", table_name="person")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("left_at")
        batch.drop_column("country")
        batch.drop_column("email")
