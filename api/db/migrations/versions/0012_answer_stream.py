"""answer stream: the tokens of answers being written, from the worker to every API process

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_stream",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=80), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("ended", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_answer_stream_run_id_id", "answer_stream", ["run_id", "id"])
    op.create_index("ix_answer_stream_created_at", "answer_stream", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_answer_stream_created_at", table_name="answer_stream")
    op.drop_index("ix_answer_stream_run_id_id", table_name="answer_stream")
    op.drop_table("answer_stream")
