"""workspaces with roles: every object belongs to one; one workspace per existing user

Each user gets a workspace of their own, as its owner, and everything they owned moves
into it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 05:00:00
"""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_OWNED = ("workflows", "knowledge_bases", "documents", "runs", "chat_sessions")
_INDEXED = ("workflows", "knowledge_bases", "documents", "chat_sessions")


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "workspace_members",
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "user_id"),
    )
    op.create_index("ix_workspace_members_user_id", "workspace_members", ["user_id"])
    for table in _OWNED:
        op.add_column(table, sa.Column("workspace_id", sa.String(length=36), nullable=True))

    bind = op.get_bind()
    users = sa.table("users", sa.column("id"), sa.column("email"), sa.column("created_at"))
    workspaces = sa.table("workspaces", sa.column("id"), sa.column("name"), sa.column("created_at"))
    members = sa.table(
        "workspace_members",
        sa.column("workspace_id"),
        sa.column("user_id"),
        sa.column("role"),
        sa.column("created_at"),
    )
    now = datetime.now(UTC)
    for user_id, email, _ in bind.execute(sa.select(users).order_by(users.c.created_at)).all():
        workspace_id = str(uuid.uuid4())
        bind.execute(
            workspaces.insert().values(id=workspace_id, name=f"{email}'s workspace", created_at=now)
        )
        bind.execute(
            members.insert().values(
                workspace_id=workspace_id, user_id=user_id, role="owner", created_at=now
            )
        )
        for table in _OWNED:
            rows = sa.table(table, sa.column("owner_id"), sa.column("workspace_id"))
            bind.execute(
                rows.update().where(rows.c.owner_id == user_id).values(workspace_id=workspace_id)
            )

    for table in _OWNED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("workspace_id", existing_type=sa.String(length=36), nullable=False)
            batch.create_foreign_key(
                f"fk_{table}_workspace_id", "workspaces", ["workspace_id"], ["id"]
            )
    for table in _INDEXED:
        op.create_index(f"ix_{table}_workspace_id", table, ["workspace_id"])
    op.create_index("ix_runs_workspace_started", "runs", ["workspace_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_runs_workspace_started", table_name="runs")
    for table in _INDEXED:
        op.drop_index(f"ix_{table}_workspace_id", table_name=table)
    for table in _OWNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_workspace_id", type_="foreignkey")
            batch.drop_column("workspace_id")
    op.drop_index("ix_workspace_members_user_id", table_name="workspace_members")
    op.drop_table("workspace_members")
    op.drop_table("workspaces")
