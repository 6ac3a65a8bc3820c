"""deleting a workflow archives it; purging is separate

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 04:30:00

Plain ``ALTER TABLE`` on both databases, never batch mode: on SQLite batch mode copies
``workflows`` into a new table and drops the old one, and with foreign keys on, that drop
cascades to every run, version and chat. Hence no foreign key on ``archived_by`` either
(adding one needs the copy). Dropping a column in place needs SQLite 3.35 or newer.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("workflows", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("workflows", sa.Column("archived_by", sa.String(length=36), nullable=True))
    op.create_index("ix_workflows_archived_at", "workflows", ["archived_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_workflows_archived_at", table_name="workflows")
    op.drop_column("workflows", "archived_by")
    op.drop_column("workflows", "archived_at")
