"""one question and one answer per run in a chat session

The question is now stored when its run starts and the answer when the run completes, by
the waiting request or by the runs index's sweep; the unique index keeps that to one each.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 05:50:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_chat_messages_run_role", "chat_messages", ["run_id", "role"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_chat_messages_run_role", table_name="chat_messages")
