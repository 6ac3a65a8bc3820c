"""provider connections (keys encrypted at rest); graphs name a connection and knowledge bases by id

Creates ``provider_connections`` and moves draft graphs off what they may no longer hold:

- an ``llm_engine`` with a ``base_url`` now names a connection: one keyless
  ``openai-compatible`` connection per distinct URL (``migrated-1``, ``migrated-2``, …),
  private networks not allowed until an administrator says so;
- a ``knowledge_base`` naming a ``collection`` now names the knowledge base of the
  workflow's owner that has that collection; without one, the node asks for a
  knowledge base.

Published versions are immutable (their content hash is part of audit records); the API
resolves their legacy fields the same way, with the same ownership check, when they run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 04:30:00
"""

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_connections = sa.table(
    "provider_connections",
    sa.column("id", sa.String),
    sa.column("name", sa.String),
    sa.column("provider", sa.String),
    sa.column("base_url", sa.String),
    sa.column("key_ciphertext", sa.Text),
    sa.column("models", sa.JSON),
    sa.column("allow_private_network", sa.Boolean),
    sa.column("description", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
_components = sa.table(
    "workflow_components",
    sa.column("id", sa.String),
    sa.column("workflow_id", sa.String),
    sa.column("component_type", sa.String),
    sa.column("configuration", sa.JSON),
)
_workflows = sa.table("workflows", sa.column("id", sa.String), sa.column("owner_id", sa.String))
_knowledge_bases = sa.table(
    "knowledge_bases",
    sa.column("id", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("collection", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "provider_connections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("key_ciphertext", sa.Text(), nullable=True),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("allow_private_network", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_provider_connection_name"),
    )
    bind = op.get_bind()
    owners = dict(bind.execute(sa.select(_workflows.c.id, _workflows.c.owner_id)).all())
    kb_of = {
        (owner, collection): kb_id
        for kb_id, owner, collection in bind.execute(
            sa.select(
                _knowledge_bases.c.id, _knowledge_bases.c.owner_id, _knowledge_bases.c.collection
            )
        )
    }
    connection_of: dict[str, str] = {}
    rows = bind.execute(
        sa.select(_components).where(
            _components.c.component_type.in_(["llm_engine", "knowledge_base"])
        )
    ).all()
    for row in rows:
        config: dict[str, Any] = dict(row.configuration or {})
        if row.component_type == "llm_engine" and config.get("base_url"):
            url = str(config.pop("base_url")).rstrip("/")
            if url not in connection_of:
                connection_of[url] = _add_connection(
                    bind, f"migrated-{len(connection_of) + 1}", url
                )
            config["connection"] = connection_of[url]
            config["provider"] = "openai-compatible"
        elif row.component_type == "knowledge_base" and "collection" in config:
            collection = config.pop("collection")
            kb_id = kb_of.get((owners.get(row.workflow_id), collection))
            if kb_id and not config.get("knowledge_base_id"):
                config["knowledge_base_id"] = kb_id
        else:
            continue
        bind.execute(
            sa.update(_components).where(_components.c.id == row.id).values(configuration=config)
        )


def _add_connection(bind: sa.Connection, name: str, url: str) -> str:
    now = datetime.now(UTC)
    bind.execute(
        sa.insert(_connections).values(
            id=str(uuid.uuid4()),
            name=name,
            provider="openai-compatible",
            base_url=url,
            key_ciphertext=None,
            models=[],
            allow_private_network=False,
            description="Created by the upgrade from graphs that named this URL; review it.",
            created_at=now,
            updated_at=now,
        )
    )
    return name


def downgrade() -> None:
    op.drop_table("provider_connections")
