"""Alembic migrations create and remove the schema on SQLite and PostgreSQL alike."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.db.models import Base
from api.db.session import make_engine
from tests.postgres import temporary_database

ROOT = Path(__file__).resolve().parents[2]
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


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    return config


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
            assert EXPECTED_TABLES <= set(inspect(conn).get_table_names())
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
