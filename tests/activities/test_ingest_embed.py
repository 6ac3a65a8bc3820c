"""embed_chunks and delete_vectors against an embedded Chroma: search, resume, cancel."""

import asyncio
import dataclasses

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.graph.knowledge_base import KnowledgeBaseActivities
from activities.ingest.activities import IngestActivities
from activities.ingest.chunking import Chunk
from activities.providers.embeddings import Embedder
from activities.storage.vector_store import VectorStore, chroma_client
from settings import Settings
from tests.support.activity_inputs import knowledge_search_input
from tests.support.documents import SPEC_PDF
from tests.support.fakes import FakeOpenAI
from tests.support.fakes.embedding_vectors import hashed_embedding
from tests.support.knowledge import EMBEDDING_MODEL
from workflows.components import EmbeddingProvider
from workflows.ingest_io import (
    ChunkInput,
    DeleteVectorsInput,
    EmbedChunksInput,
    ExtractInput,
    KnowledgeBaseRef,
)

OPENAI_KB = KnowledgeBaseRef(
    knowledge_base_id="kb-1",
    collection="manuals",
    embedding_provider=EmbeddingProvider.OPENAI,
    embedding_model=EMBEDDING_MODEL,
    chunk_size=1000,
    chunk_overlap=100,
)
LOCAL_KB = OPENAI_KB.model_copy(
    update={"embedding_provider": EmbeddingProvider.LOCAL, "embedding_model": "all-MiniLM-L6-v2"}
)


def write_chunks(settings: Settings, document_id: str, count: int) -> str:
    """A chunks file of ``count`` short chunks for ``document_id``; its relative path."""
    folder = settings.ingest_work_dir / document_id
    folder.mkdir(parents=True, exist_ok=True)
    chunks = [
        Chunk(index=n, text=f"Part {n} of {document_id}: kettles boil water.", page=1 + n // 4)
        for n in range(count)
    ]
    (folder / "chunks.jsonl").write_text("".join(c.model_dump_json() + "\n" for c in chunks))
    return f"{document_id}/chunks.jsonl"


def embed_input(
    chunks_path: str, stop: int, *, document_id: str = "doc-1", **changes: object
) -> EmbedChunksInput:
    values: dict[str, object] = {
        "document_id": document_id,
        "document_name": f"{document_id}.pdf",
        "chunks_path": chunks_path,
        "start": 0,
        "stop": stop,
        "batch_size": 4,
        "knowledge_base": OPENAI_KB,
    }
    return EmbedChunksInput.model_validate({**values, **changes})


def embedded_texts_since(fake: FakeOpenAI, first_request: int) -> list[str]:
    return [t for r in fake.embedding_requests[first_request:] for t in r["input"]]


def stored_ids(settings: Settings, collection: str = "manuals") -> list[str]:
    return sorted(chroma_client(settings).get_collection(collection).get(include=[])["ids"])


@pytest.fixture
def ingest(fake_provider_settings: Settings, embedder: Embedder) -> IngestActivities:
    return IngestActivities(fake_provider_settings, embedder=embedder)


async def test_the_spec_pdf_ingested_with_minilm_answers_a_question_citing_its_page(
    fake_provider_settings: Settings, embedder: Embedder, ingest: IngestActivities
) -> None:
    env = ActivityEnvironment()
    extracted = await env.run(
        ingest.extract_document,
        ExtractInput(document_id="spec", file_path=str(SPEC_PDF), file_type="pdf", work_dir="spec"),
    )
    chunked = await env.run(
        ingest.chunk_document,
        ChunkInput(
            document_id="spec",
            pages_path=extracted.pages_path,
            chunk_size=LOCAL_KB.chunk_size,
            chunk_overlap=LOCAL_KB.chunk_overlap,
            work_dir="spec",
        ),
    )
    embedded = await env.run(
        ingest.embed_chunks,
        EmbedChunksInput(
            document_id="spec",
            document_name="shared-mime-info-spec.pdf",
            chunks_path=chunked.chunks_path,
            start=0,
            stop=chunked.chunks_total,
            batch_size=16,
            knowledge_base=LOCAL_KB,
        ),
    )

    search = KnowledgeBaseActivities(fake_provider_settings, embedder=embedder)
    found = await env.run(
        search.search_knowledge_base,
        knowledge_search_input(
            query="Which extended attribute can hold the MIME type a user chose for a file?",
            collection="manuals",
            embedding_provider=EmbeddingProvider.LOCAL,
            embedding_model="all-MiniLM-L6-v2",
        ),
    )
    assert embedded.chunks_embedded == chunked.chunks_total
    assert VectorStore(fake_provider_settings).get_collection("manuals").count() == (
        chunked.chunks_total
    )
    assert isinstance(found.passages, list)
    best = found.passages[0]
    assert "user.mime_type" in best.text
    assert (best.document, best.page) == ("shared-mime-info-spec.pdf", 14)
    assert best.chunk_id.startswith("spec:")


async def test_chunks_are_embedded_in_batches_heartbeating_the_next_index(
    fake_provider_settings: Settings, ingest: IngestActivities, fake_openai: FakeOpenAI
) -> None:
    path = write_chunks(fake_provider_settings, "doc-1", 10)
    env = ActivityEnvironment()
    heartbeats: list[tuple[object, ...]] = []
    env.on_heartbeat = lambda *details: heartbeats.append(details)

    first = await env.run(ingest.embed_chunks, embed_input(path, stop=6))
    second = await env.run(ingest.embed_chunks, embed_input(path, start=6, stop=10))

    assert (first.chunks_embedded, second.chunks_embedded) == (6, 4)
    assert [len(r["input"]) for r in fake_openai.embedding_requests] == [4, 2, 4]
    assert heartbeats == [(4,), (6,), (10,)]
    assert stored_ids(fake_provider_settings) == sorted(f"doc-1:{n}" for n in range(10))
    store = VectorStore(fake_provider_settings)
    [passage] = store.get_collection("manuals").query(
        hashed_embedding("Part 9 of doc-1: kettles boil water.", fake_openai.embedding_dimension),
        top_k=1,
    )
    assert (passage.chunk_id, passage.document, passage.page) == ("doc-1:9", "doc-1.pdf", 3)


async def test_a_retried_attempt_resumes_after_the_last_heartbeat_without_duplicates(
    fake_provider_settings: Settings, ingest: IngestActivities, fake_openai: FakeOpenAI
) -> None:
    path = write_chunks(fake_provider_settings, "doc-1", 10)
    await ActivityEnvironment().run(ingest.embed_chunks, embed_input(path, stop=10))
    requests_before = len(fake_openai.embedding_requests)
    retry = ActivityEnvironment()
    retry.info = dataclasses.replace(retry.info, attempt=2, heartbeat_details=[7])

    output = await retry.run(ingest.embed_chunks, embed_input(path, stop=10))

    assert output.chunks_embedded == 10  # the whole range is stored, resumed part included
    resumed = embedded_texts_since(fake_openai, requests_before)
    assert resumed == [f"Part {n} of doc-1: kettles boil water." for n in (7, 8, 9)]
    assert stored_ids(fake_provider_settings) == sorted(f"doc-1:{n}" for n in range(10))


async def test_a_heartbeat_at_the_end_of_the_range_embeds_nothing_more(
    fake_provider_settings: Settings, ingest: IngestActivities, fake_openai: FakeOpenAI
) -> None:
    path = write_chunks(fake_provider_settings, "doc-1", 8)
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, heartbeat_details=[8])

    output = await env.run(ingest.embed_chunks, embed_input(path, start=4, stop=8))

    assert output.chunks_embedded == 4
    assert fake_openai.embedding_requests == []


async def test_cancellation_stops_after_the_batch_in_flight_lands(
    fake_provider_settings: Settings, ingest: IngestActivities, fake_openai: FakeOpenAI
) -> None:
    path = write_chunks(fake_provider_settings, "doc-1", 20)
    env = ActivityEnvironment()
    env.on_heartbeat = lambda next_index: env.cancel() if next_index >= 8 else None

    with pytest.raises(asyncio.CancelledError):
        await env.run(ingest.embed_chunks, embed_input(path, stop=20))

    assert len(fake_openai.embedding_requests) == 2
    assert stored_ids(fake_provider_settings) == sorted(f"doc-1:{n}" for n in range(8))


async def test_a_chunks_file_shorter_than_the_range_fails_without_retrying(
    fake_provider_settings: Settings, ingest: IngestActivities
) -> None:
    path = write_chunks(fake_provider_settings, "doc-1", 3)

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(ingest.embed_chunks, embed_input(path, stop=5))

    assert (caught.value.type, caught.value.non_retryable) == ("IngestFileUnreadable", True)
    assert caught.value.message == "the chunks file holds 3 chunks, not the 5 expected"


async def test_embedding_into_a_knowledge_base_of_another_model_fails_without_retrying(
    fake_provider_settings: Settings, ingest: IngestActivities
) -> None:
    VectorStore(fake_provider_settings).get_or_create_collection(
        "manuals", EmbeddingProvider.LOCAL, "all-MiniLM-L6-v2", 384
    )
    path = write_chunks(fake_provider_settings, "doc-1", 2)

    with pytest.raises(ApplicationError) as caught:
        await ActivityEnvironment().run(ingest.embed_chunks, embed_input(path, stop=2))

    assert (caught.value.type, caught.value.non_retryable) == ("EmbeddingModelMismatch", True)


async def test_deleting_a_document_removes_only_its_chunks(
    fake_provider_settings: Settings, ingest: IngestActivities
) -> None:
    env = ActivityEnvironment()
    for document_id, count in (("doc-1", 6), ("doc-2", 3)):
        path = write_chunks(fake_provider_settings, document_id, count)
        await env.run(ingest.embed_chunks, embed_input(path, stop=count, document_id=document_id))

    deleted = await env.run(
        ingest.delete_vectors, DeleteVectorsInput(collection="manuals", document_id="doc-1")
    )
    again = await env.run(
        ingest.delete_vectors, DeleteVectorsInput(collection="manuals", document_id="doc-1")
    )

    assert (deleted, again) == (6, 0)
    assert stored_ids(fake_provider_settings) == ["doc-2:0", "doc-2:1", "doc-2:2"]


async def test_deleting_a_knowledge_base_removes_its_collection(
    fake_provider_settings: Settings, ingest: IngestActivities
) -> None:
    env = ActivityEnvironment()
    path = write_chunks(fake_provider_settings, "doc-1", 5)
    await env.run(ingest.embed_chunks, embed_input(path, stop=5))

    deleted = await env.run(ingest.delete_vectors, DeleteVectorsInput(collection="manuals"))

    assert deleted == 5
    with pytest.raises(ApplicationError, match="knowledge base 'manuals' does not exist"):
        VectorStore(fake_provider_settings).get_collection("manuals")


@pytest.mark.parametrize("document_id", [None, "doc-1"])
async def test_deleting_from_a_missing_knowledge_base_is_nothing_to_do(
    fake_provider_settings: Settings, ingest: IngestActivities, document_id: str | None
) -> None:
    deleted = await ActivityEnvironment().run(
        ingest.delete_vectors, DeleteVectorsInput(collection="nowhere", document_id=document_id)
    )

    assert deleted == 0
