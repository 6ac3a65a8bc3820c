"""step records: paid steps' results, so a step executed again after a crash pays nothing

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_records",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_step_records_recorded_at", "step_records", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_step_records_recorded_at", table_name="step_records")
    op.drop_table("step_records")
