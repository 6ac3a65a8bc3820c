"""version content hashes in RFC 8785 (JCS)

Version content hashes were SHA-256 over JSON with sorted keys and Python's float repr
(``250.0``); they are now SHA-256 over RFC 8785 (``250``), the one canonical form of
``workflows.canonical_json``. This recomputes every stored version's hash from its
stored graph, and the ``graph_hash`` of the runs that executed it, so "publish an
unchanged draft" is still refused and runs still match their version. Runs of drafts
keep the hash they were recorded with.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 03:00:00
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from workflows.canonical_json import canonical_sha256

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_versions = sa.table(
    "workflow_versions",
    sa.column("id", sa.String),
    sa.column("workflow_id", sa.String),
    sa.column("number", sa.Integer),
    sa.column("content_hash", sa.String),
    sa.column("graph", sa.JSON),
)
_runs = sa.table(
    "runs",
    sa.column("workflow_id", sa.String),
    sa.column("version_number", sa.Integer),
    sa.column("graph_hash", sa.String),
)


def _ordered(graph: dict[str, Any]) -> dict[str, Any]:
    """Nodes in id order, edges in (source, handle, target, handle) order, as hashed."""
    content = dict(graph)
    content["nodes"] = sorted(graph.get("nodes", []), key=lambda n: n["id"])
    content["edges"] = sorted(
        graph.get("edges", []),
        key=lambda e: (e["source"], e["source_handle"], e["target"], e["target_handle"]),
    )
    return content


def _legacy_sha256(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _rehash(hash_of: Callable[[Any], str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _versions.c.id,
            _versions.c.workflow_id,
            _versions.c.number,
            _versions.c.content_hash,
            _versions.c.graph,
        )
    ).all()
    for row in rows:
        graph = row.graph if isinstance(row.graph, dict) else json.loads(row.graph)
        new_hash = hash_of(_ordered(graph))
        if new_hash == row.content_hash:
            continue
        connection.execute(
            _versions.update().where(_versions.c.id == row.id).values(content_hash=new_hash)
        )
        connection.execute(
            _runs.update()
            .where(
                _runs.c.workflow_id == row.workflow_id,
                _runs.c.version_number == row.number,
                _runs.c.graph_hash == row.content_hash,
            )
            .values(graph_hash=new_hash)
        )


def upgrade() -> None:
    _rehash(canonical_sha256)


def downgrade() -> None:
    _rehash(_legacy_sha256)
