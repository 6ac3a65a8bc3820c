"""Re-indexing points the knowledge base at its new collection before the old one goes.

The service runs against a real PostgreSQL database and a real Temporal dev server (no
worker: the workflows it starts stay queued, which is all these tests read).
"""

import asyncio
import logging
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from api.db.models import Base, Document, KnowledgeBase, User
from api.db.session import make_engine
from api.knowledge import service
from api.knowledge.schemas import KnowledgeBaseDetail, ReindexRequest
from api.workspaces.service import create_personal_workspace
from settings import Settings
from stack.processes import ManagedProcess, free_port, start_temporal
from tests.support.polling import eventually
from tests.support.postgres import temporary_database
from workflows.components import EmbeddingProvider
from workflows.connection import connect_temporal
from workflows.ingest_io import DeleteVectorsInput, IngestDocumentInput

NAMESPACE = "default"
OLD_COLLECTION = "kb-before-reindex"
Input = TypeVar("Input", bound=BaseModel)


@pytest.fixture
def sessions() -> Iterator[sessionmaker[Session]]:
    with temporary_database("genai_reindex") as url:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        yield sessionmaker(engine, expire_on_commit=False)
        engine.dispose()


@pytest.fixture
def temporal(tmp_path: Path) -> Iterator[tuple[ManagedProcess, str]]:
    """A Temporal dev server of its own, and its address."""
    port = free_port()
    server = start_temporal(tmp_path, port, free_port(), tmp_path / "logs", persistent=False)
    try:
        yield server, f"127.0.0.1:{port}"
    finally:
        server.stop()


def knowledge_base(sessions: sessionmaker[Session], upload_dir: Path, documents: int) -> str:
    """A local-model knowledge base with ``documents`` ingested documents; its id."""
    with sessions() as session:
        user = User(email=f"{uuid.uuid4().hex}@example.org", password_hash="x")
        session.add(user)
        session.flush()
        workspace = create_personal_workspace(session, user)
        session.flush()
        kb = KnowledgeBase(
            owner_id=user.id,
            workspace_id=workspace.id,
            name="manuals",
            collection=OLD_COLLECTION,
            embedding_provider="local",
            embedding_model="all-MiniLM-L6-v2",
        )
        session.add(kb)
        session.flush()
        upload_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(documents):
            document_id = str(uuid.uuid4())
            stored = upload_dir / document_id
            stored.write_text("Re-indexing embeds this again.")
            session.add(
                Document(
                    id=document_id,
                    knowledge_base_id=kb.id,
                    owner_id=user.id,
                    workspace_id=workspace.id,
                    filename="notes.txt",
                    file_type="txt",
                    size_bytes=stored.stat().st_size,
                    stored_path=str(stored),
                    status="completed",
                    workflow_id=f"ingest-{document_id}",
                )
            )
        session.commit()
        return kb.id


async def reindex(
    sessions: sessionmaker[Session],
    address: str,
    settings: Settings,
    kb_id: str,
    server_to_stop: ManagedProcess | None = None,
) -> KnowledgeBaseDetail:
    """Re-indexes with OpenAI's default model; ``server_to_stop`` goes away first."""
    client = await connect_temporal(address, NAMESPACE)
    if server_to_stop is not None:
        server_to_stop.stop()
    with sessions() as session:
        kb = session.get_one(KnowledgeBase, kb_id)
        return await service.reindex_knowledge_base(
            session=session,
            client=client,
            settings=settings,
            user=session.get_one(User, kb.owner_id),
            kb_id=kb_id,
            request=ReindexRequest(embedding_provider=EmbeddingProvider.OPENAI),
        )


async def started(
    address: str, workflow_type: str, input_type: type[Input]
) -> list[tuple[datetime, Input]]:
    """When each workflow of ``workflow_type`` started, and its input."""
    client = await connect_temporal(address, NAMESPACE)
    found = []
    async for execution in client.list_workflows(f"WorkflowType = '{workflow_type}'"):
        history = await client.get_workflow_handle(execution.id).fetch_history()
        first = history.events[0].workflow_execution_started_event_attributes
        payload = first.input.payloads[0]
        found.append(
            (
                execution.start_time,
                client.data_converter.payload_converter.from_payload(payload, input_type),
            )
        )
    return found


def test_reindex_commits_the_new_collection_before_deleting_the_old_one(
    sessions: sessionmaker[Session], temporal: tuple[ManagedProcess, str], tmp_path: Path
) -> None:
    _, address = temporal
    settings = Settings(data_dir=tmp_path / "data")
    kb_id = knowledge_base(sessions, settings.upload_dir, documents=1)

    detail = asyncio.run(reindex(sessions, address, settings, kb_id))

    with sessions() as session:
        row = session.get_one(KnowledgeBase, kb_id)
    assert row.collection == detail.collection != OLD_COLLECTION
    assert (row.embedding_provider, row.embedding_model) == ("openai", "text-embedding-3-small")
    ingestions = eventually(
        lambda: asyncio.run(started(address, "IngestDocument", IngestDocumentInput)),
        timeout=10,
        message="the document's re-ingestion was never started",
    )
    assert [job.knowledge_base.collection for _, job in ingestions] == [row.collection]
    deletions = eventually(
        lambda: asyncio.run(started(address, "DeleteKnowledgeVectors", DeleteVectorsInput)),
        timeout=10,
        message="the old collection's deletion was never started",
    )
    assert [job.collection for _, job in deletions] == [OLD_COLLECTION]
    deletion_started_at, _ = deletions[0]
    assert row.updated_at < deletion_started_at  # the row was switched, then the deletion began


def test_reindex_keeps_the_new_collection_when_the_old_ones_deletion_cannot_start(
    sessions: sessionmaker[Session],
    temporal: tuple[ManagedProcess, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, address = temporal
    settings = Settings(data_dir=tmp_path / "data")
    kb_id = knowledge_base(sessions, settings.upload_dir, documents=0)

    with caplog.at_level(logging.WARNING, logger="api"):
        detail = asyncio.run(reindex(sessions, address, settings, kb_id, server_to_stop=server))

    with sessions() as session:
        row = session.get_one(KnowledgeBase, kb_id)
    assert row.collection == detail.collection != OLD_COLLECTION
    assert row.embedding_model == detail.embedding_model == "text-embedding-3-small"
    orphaned = [r.getMessage() for r in caplog.records if OLD_COLLECTION in r.getMessage()]
    assert len(orphaned) == 1 and "orphaned" in orphaned[0]
