"""Alembic migrations create and remove the schema on SQLite and PostgreSQL alike."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, inspect, table

from api.db.models import Base
from api.db.session import make_engine
from tests.support.migrations import alembic_config
from tests.support.postgres import temporary_database

EXPECTED_TABLES = {
    "users",
    "workflows",
    "workflow_components",
    "workflow_edges",
    "chat_sessions",
    "chat_messages",
    "runs",
    "knowledge_bases",
    "documents",
    "workflow_versions",
}


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    with temporary_database("genai_mig") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return request.getfixturevalue("fresh_postgres")


def test_upgrade_creates_a_schema_matching_the_models_and_downgrade_removes_it(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "head")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) >= EXPECTED_TABLES
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert diff == []
            indexes = {i["name"] for i in inspect(conn).get_indexes("runs")}
            assert {"ix_runs_owner_started", "ix_runs_workflow_started"} <= indexes
            document_indexes = {i["name"] for i in inspect(conn).get_indexes("documents")}
            assert "ix_documents_kb_created" in document_indexes
        command.downgrade(config, "base")
        with engine.connect() as conn:
            assert not EXPECTED_TABLES & set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_version_hashes_recorded_before_rfc_8785_are_recomputed(tmp_path: Path) -> None:
    """0004 rewrites stored version hashes (and their runs') in RFC 8785, so an unchanged
    draft still hashes like its version."""
    from sqlalchemy.orm import Session

    from api.db.models import Run, WorkflowVersion
    from api.versions.service import graph_content_hash
    from tests.support.graph_shorthand import rag_graph

    url = f"sqlite:///{tmp_path / 'rehash.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0003")
    graph = rag_graph()
    stored = graph.model_dump(mode="json")
    ordered = {
        **stored,
        "nodes": sorted(stored["nodes"], key=lambda n: n["id"]),
        "edges": sorted(
            stored["edges"],
            key=lambda e: (e["source"], e["source_handle"], e["target"], e["target_handle"]),
        ),
    }
    legacy = hashlib.sha256(
        json.dumps(ordered, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert legacy != graph_content_hash(graph)  # positions like 250.0 are written "250" now
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            # Rows as the 0003 schema holds them (the models have columns added since).
            now = datetime.now(UTC)
            user_id, workflow_id = "user-1", "workflow-1"
            user_columns = ("id", "email", "password_hash", "is_admin", "created_at")
            users = table("users", *(column(c) for c in user_columns))
            session.execute(
                users.insert().values(
                    id=user_id,
                    email="a@example.org",
                    password_hash="x",
                    is_admin=False,
                    created_at=now,
                )
            )
            names = ("id", "owner_id", "name", "description", "created_at", "updated_at")
            workflows = table("workflows", *(column(c) for c in names))
            session.execute(
                workflows.insert().values(
                    id=workflow_id,
                    owner_id=user_id,
                    name="w",
                    description="",
                    created_at=now,
                    updated_at=now,
                )
            )
            session.add(
                WorkflowVersion(
                    workflow_id=workflow_id, number=1, content_hash=legacy, graph=stored, note=""
                )
            )
            session.add(
                Run(
                    id="run-old",
                    workflow_id=workflow_id,
                    owner_id=user_id,
                    plan_hash="p" * 64,
                    version_number=1,
                    graph_hash=legacy,
                )
            )
            session.commit()
        command.upgrade(config, "head")
        with Session(engine) as session:
            version = session.query(WorkflowVersion).one()
            assert version.content_hash == graph_content_hash(graph)
            assert session.get(Run, "run-old").graph_hash == graph_content_hash(graph)  # type: ignore[union-attr]
        command.downgrade(config, "0003")
        with Session(engine) as session:
            assert session.query(WorkflowVersion).one().content_hash == legacy
    finally:
        engine.dispose()
