"""Seeds a knowledge base in the stack's Chroma server with the project's own code."""

import asyncio

from activities.providers.embeddings import Embedder
from activities.storage.vector_store import ChunkMetadata, VectorStore, chunk_id
from settings import Settings
from workflows.components import EmbeddingProvider

EMBEDDING_MODEL = "text-embedding-3-small"


def seed_collection(env: dict[str, str], name: str, passages: list[tuple[str, str, int]]) -> None:
    """Embeds (text, document, page) passages through the fake OpenAI and upserts them."""
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
