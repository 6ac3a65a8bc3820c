"""Alembic migrations create and remove the schema on SQLite and PostgreSQL alike."""

import hashlib
import json
from collections.abc import Iterator, Mapping
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

    from api.db.models import WorkflowVersion
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
            run = {
                "id": "run-old",
                "workflow_id": workflow_id,
                "owner_id": user_id,
                "plan_hash": "p" * 64,
                "version_number": 1,
                "graph_hash": legacy,
            }
            run |= {"query": "", "kind": "run", "status": "completed", "started_at": now}
            session.execute(table("runs", *(column(c) for c in run)).insert().values(run))
            session.commit()
        command.upgrade(config, "head")
        with Session(engine) as session:
            version = session.query(WorkflowVersion).one()
            assert version.content_hash == graph_content_hash(graph)
            runs = table("runs", column("id"), column("graph_hash"))
            assert session.execute(runs.select()).one().graph_hash == graph_content_hash(graph)
        command.downgrade(config, "0003")
        with Session(engine) as session:
            assert session.query(WorkflowVersion).one().content_hash == legacy
    finally:
        engine.dispose()


def test_drafts_lose_urls_and_collections_and_name_connections_and_knowledge_bases(
    tmp_path: Path,
) -> None:
    """0005: an LLM node's server URL becomes a keyless connection (one per URL); a
    knowledge base node's collection becomes the owner's knowledge base — never another's."""
    url = f"sqlite:///{tmp_path / 'connections.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0004")
    now = datetime.now(UTC)

    def insert(table_name: str, values: Mapping[str, object]) -> None:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(table(table_name, *(column(c) for c in values)).insert().values(values))
        engine.dispose()

    stamps: dict[str, object] = {"created_at": now, "updated_at": now}
    for user in ("alice", "bob"):
        insert(
            "users",
            {"id": user, "email": f"{user}@example.org", "password_hash": "x"}
            | {"is_admin": False, "created_at": now},
        )
        kb = {"id": f"kb-{user}", "owner_id": user, "name": "kb", "description": ""}
        model = {"embedding_provider": "local", "embedding_model": "all-MiniLM-L6-v2"}
        chunks = {"chunk_size": 1000, "chunk_overlap": 150}
        insert("knowledge_bases", kb | model | chunks | stamps | {"collection": f"col-{user}"})
    insert("workflows", {"id": "wf", "owner_id": "alice", "name": "w", "description": ""} | stamps)
    ollama = "http://127.0.0.1:11434/v1"
    configs = {
        "llm_a": ("llm_engine", {"provider": "openai-compatible", "base_url": ollama + "/"}),
        "llm_b": ("llm_engine", {"provider": "openai-compatible", "base_url": ollama}),
        "llm_c": ("llm_engine", {"provider": "openai", "model": "gpt-4o-mini"}),
        "kb_own": ("knowledge_base", {"collection": "col-alice", "top_k": 3}),
        "kb_foreign": ("knowledge_base", {"collection": "col-bob"}),
    }
    for node_id, (kind, configuration) in configs.items():
        node = {"id": node_id, "workflow_id": "wf", "node_id": node_id, "component_type": kind}
        place = {"position_x": 0.0, "position_y": 0.0}
        insert(
            "workflow_components",
            node | place | stamps | {"configuration": json.dumps(configuration)},
        )

    command.upgrade(config, "0005")

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                table("workflow_components", column("node_id"), column("configuration")).select()
            ).all()
            found = {node_id: json.loads(configuration) for node_id, configuration in rows}
            connections = conn.execute(
                table(
                    "provider_connections",
                    column("name"),
                    column("base_url"),
                    column("key_ciphertext"),
                    column("allow_private_network"),
                ).select()
            ).all()
    finally:
        engine.dispose()
    assert [tuple(c) for c in connections] == [("migrated-1", ollama, None, False)]
    for node_id in ("llm_a", "llm_b"):
        assert found[node_id] == {"provider": "openai-compatible", "connection": "migrated-1"}
    assert found["llm_c"] == {"provider": "openai", "model": "gpt-4o-mini"}
    assert found["kb_own"] == {"knowledge_base_id": "kb-alice", "top_k": 3}
    assert found["kb_foreign"] == {}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_each_user_gets_a_workspace_holding_everything_they_owned(
    database: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """0009: one workspace per user, owned by them; their rows move into it, and rebuilding
    the tables on SQLite deletes nothing (foreign keys would cascade a dropped table)."""
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'workspaces.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres")
    config = alembic_config(url)
    command.upgrade(config, "0008")
    now = datetime.now(UTC)
    engine = make_engine(url)

    def insert(table_name: str, values: Mapping[str, object]) -> None:
        with engine.begin() as conn:
            conn.execute(table(table_name, *(column(c) for c in values)).insert().values(values))

    def count(table_name: str, **where: str) -> int:
        rows = table(table_name, *(column(c) for c in ["id", *where]))
        query = rows.select().where(*(rows.c[k] == v for k, v in where.items()))
        with engine.connect() as conn:
            return len(conn.execute(query).all())

    try:
        stamps: dict[str, object] = {"created_at": now, "updated_at": now}
        for user in ("alice", "bob"):
            insert(
                "users",
                {"id": user, "email": f"{user}@example.org", "password_hash": "x"}
                | {"is_admin": False, "created_at": now},
            )
            insert(
                "workflows",
                {"id": f"wf-{user}", "owner_id": user, "name": "w", "description": ""} | stamps,
            )
            node = {"id": f"c-{user}", "workflow_id": f"wf-{user}", "node_id": "q"}
            insert(
                "workflow_components",
                node
                | {"component_type": "user_query", "position_x": 0.0, "position_y": 0.0}
                | {"configuration": "{}"}
                | stamps,
            )
            run = {"id": f"run-{user}", "workflow_id": f"wf-{user}", "owner_id": user}
            insert(
                "runs",
                run
                | {"plan_hash": "p" * 64, "query": "", "kind": "run", "status": "completed"}
                | {"started_at": now},
            )
        command.upgrade(config, "0009")
        with engine.connect() as conn:
            members = conn.execute(
                table(
                    "workspace_members", column("workspace_id"), column("user_id"), column("role")
                ).select()
            ).all()
            workflows = conn.execute(
                table("workflows", column("id"), column("workspace_id")).select()
            ).all()
            runs = conn.execute(table("runs", column("id"), column("workspace_id")).select()).all()
        workspace_of = {user: workspace for workspace, user, _ in members}
        assert sorted((user, role) for _, user, role in members) == [
            ("alice", "owner"),
            ("bob", "owner"),
        ]
        assert workspace_of["alice"] != workspace_of["bob"]
        assert dict(workflows) == {f"wf-{u}": workspace_of[u] for u in ("alice", "bob")}
        assert dict(runs) == {f"run-{u}": workspace_of[u] for u in ("alice", "bob")}
        assert count("workflow_components") == 2  # nothing cascaded away
        command.downgrade(config, "0008")
        assert count("workflows") == 2 and count("workflow_components") == 2
    finally:
        engine.dispose()
