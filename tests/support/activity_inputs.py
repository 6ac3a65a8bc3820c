"""Activity inputs and seeded knowledge bases for tests: valid defaults, few changes."""

import socket

from activities.providers.embeddings import Embedder
from activities.storage.vector_store import ChunkMetadata, VectorStore, chunk_id
from settings import Settings
from workflows.components import EmbeddingProvider, LlmProvider
from workflows.step_io import AnswerInput, KnowledgeSearchInput

OPENAI_MODEL = "text-embedding-3-small"
CHUNKS = {
    chunk_id("returns-policy", 0): (
        "Refunds are paid within 14 days after we receive the returned item.",
        ChunkMetadata(document="returns-policy.pdf", page=2),
    ),
    chunk_id("shipping", 0): (
        "Orders ship from our warehouse in two business days.",
        ChunkMetadata(document="shipping.md"),
    ),
    chunk_id("warranty", 0): (
        "The kettle warranty covers manufacturing defects for two years.",
        ChunkMetadata(document="warranty.pdf", page=1),
    ),
}


async def seed(
    settings: Settings,
    embedder: Embedder,
    provider: EmbeddingProvider = EmbeddingProvider.OPENAI,
    model: str = OPENAI_MODEL,
    dimension: int = 64,
) -> None:
    """Create knowledge base ``policies`` from ``CHUNKS`` with the given embedding model."""
    texts = [text for text, _ in CHUNKS.values()]
    vectors = await embedder.embed_texts(provider, model, texts)
    collection = VectorStore(settings).get_or_create_collection(
        "policies", provider, model, dimension
    )
    collection.upsert(list(CHUNKS), texts, [m for _, m in CHUNKS.values()], vectors)


def answer_input(**changes: object) -> AnswerInput:
    """An OpenAI ``gpt-4o-mini`` answer request for a refunds question, with ``changes``."""
    values: dict[str, object] = {
        "provider": LlmProvider.OPENAI,
        "model": "gpt-4o-mini",
        "temperature": 0.2,
        "max_tokens": 300,
        "query": "How long do refunds take?",
    }
    return AnswerInput.model_validate({**values, **changes})


def knowledge_search_input(**changes: object) -> KnowledgeSearchInput:
    """A top-3 search of knowledge base ``policies`` embedded with the fake OpenAI model."""
    values: dict[str, object] = {
        "query": "How long do refunds take?",
        "collection": "policies",
        "embedding_provider": EmbeddingProvider.OPENAI,
        "embedding_model": OPENAI_MODEL,
        "top_k": 3,
        "similarity_threshold": 0.0,
    }
    return KnowledgeSearchInput.model_validate({**values, **changes})


def closed_port_url() -> str:
    """A loopback URL nobody listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
