"""Knowledge bases seeded for tests: in the stack's Chroma server, or in the embedded store.

Passages are embedded through the fake OpenAI, so seeding is fast and deterministic.
"""

import asyncio

from activities.providers.embeddings import Embedder
from activities.storage.vector_store import ChunkMetadata, VectorStore, chunk_id
from settings import Settings
from workflows.components import EmbeddingProvider

EMBEDDING_MODEL = "text-embedding-3-small"
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


def seed_collection(env: dict[str, str], name: str, passages: list[tuple[str, str, int]]) -> None:
    """Embeds (text, document, page) passages through the fake OpenAI and upserts them into
    collection ``name`` of the Chroma server the stack's ``env`` names."""
    settings = Settings(
        chroma_url=env["CHROMA_URL"],
        openai_api_key=env["OPENAI_API_KEY"],
        openai_base_url=env["OPENAI_BASE_URL"],
    )
    texts = [text for text, _, _ in passages]
    vectors = asyncio.run(
        Embedder(settings).embed_texts(EmbeddingProvider.OPENAI, EMBEDDING_MODEL, texts)
    )
    collection = VectorStore(settings).get_or_create_collection(
        name, EmbeddingProvider.OPENAI, EMBEDDING_MODEL, len(vectors[0])
    )
    collection.upsert(
        ids=[chunk_id(document, i) for i, (_, document, _) in enumerate(passages)],
        texts=texts,
        metadatas=[ChunkMetadata(document=document, page=page) for _, document, page in passages],
        embeddings=vectors,
    )


async def seed(
    settings: Settings,
    embedder: Embedder,
    provider: EmbeddingProvider = EmbeddingProvider.OPENAI,
    model: str = EMBEDDING_MODEL,
    dimension: int = 64,
) -> None:
    """Create knowledge base ``policies`` from ``CHUNKS`` with the given embedding model."""
    texts = [text for text, _ in CHUNKS.values()]
    vectors = await embedder.embed_texts(provider, model, texts)
    collection = VectorStore(settings).get_or_create_collection(
        "policies", provider, model, dimension
    )
    collection.upsert(list(CHUNKS), texts, [m for _, m in CHUNKS.values()], vectors)
