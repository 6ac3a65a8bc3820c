"""workflow versions and run history columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workflow_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("graph", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflows.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workflow_id", "number", name="uq_version_number"),
    )
    with op.batch_alter_table("workflow_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_versions_workflow_id"), ["workflow_id"], unique=False
        )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("graph_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("query", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="run")
        )
        batch_op.add_column(sa.Column("parent_run_id", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("replay_from_node", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_runs_parent", ["parent_run_id"], unique=False)
        batch_op.create_index("ix_runs_started_id", ["started_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_started_id")
        batch_op.drop_index("ix_runs_parent")
        for column in (
            "replay_from_node",
            "parent_run_id",
            "kind",
            "query",
            "graph_hash",
            "version_number",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("workflow_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_versions_workflow_id"))
    op.drop_table("workflow_versions")
